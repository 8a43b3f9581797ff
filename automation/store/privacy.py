"""A person's data: everything about one address for export, erasure keeping only counts, and
retention (anonymising registrations a while after their meeting). Part of the Store."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

import sqlite_utils

from automation.model import ERASED_PURPOSE
from automation.store.time import iso

_ABOUT = {
    "contact": "SELECT email, name, organisation, language, unsubscribed_at, removed_at, created_at"
    " FROM contacts WHERE email = ?",
    "registrations": "SELECT meeting, status, name, organisation, language, diet, attendance, created_at,"
    " updated_at FROM registrations WHERE email = ?",
    "calendar": "SELECT meeting, role, state, partstat, updated_at FROM calendar_holders WHERE email = ?",
    "messages_received": "SELECT kind, meeting, subject, reason, received_at FROM messages WHERE sender = ?",
    "messages_sent": "SELECT purpose, meeting, template, language, status, created_at, sent_at FROM outbox"
    " WHERE recipient = ?",
    "initiatives": "SELECT reference, title, text, status, meeting, created_at FROM initiatives"
    " WHERE submitter_email = ?",
    "bounces": "SELECT score, undeliverable_at, last_reason FROM bounces WHERE email = ?",
}


def address_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


ERASED_ADDRESS = "(an erased address)"  # in texts that quoted one


def without_address(text: str, email: str) -> str:
    """`text` with every spelling of the address (servers echo it in any case) replaced."""
    return re.sub(re.escape(email), ERASED_ADDRESS, text, flags=re.IGNORECASE) if email else text


def _ghost(email: str) -> str:
    """What stands in for an erased address where a row must stay (counts, the outbox)."""
    return f"erased:{address_hash(email)[:16]}"


class PrivacyStore:
    db: sqlite_utils.Database

    def export_data(self, email: str) -> dict[str, Any]:
        return {name: list(self.db.query(sql, [email])) for name, sql in _ABOUT.items()}

    def erase(self, email: str, now: datetime) -> None:
        """Remove the person; what must stay for statistics keeps no trace of who it was."""
        digest = address_hash(email)
        ghost = _ghost(email)
        db = self.db
        db.execute("INSERT OR REPLACE INTO erased VALUES (?, ?)", [digest, iso(now)])
        db.execute("DELETE FROM contacts WHERE email = ?", [email])
        db.execute(
            "UPDATE registrations SET email = ?, name = '', organisation = '', diet = '', language = ''"
            " WHERE email = ?",
            [ghost, email],
        )
        db.execute("DELETE FROM calendar_holders WHERE email = ?", [email])
        db.execute("DELETE FROM tokens WHERE email = ?", [email])
        db.execute("DELETE FROM bounces WHERE email = ?", [email])
        db.execute(
            "UPDATE attention_items SET excerpt = ''"
            " WHERE key IN (SELECT key FROM messages WHERE sender = ?)",
            [email],
        )
        db.execute(
            "UPDATE messages SET sender = '', subject = '', reason = 'erased' WHERE sender = ?", [email]
        )
        db.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE recipient = ? AND status = 'pending'", [email]
        )
        for row_id, error in db.execute(
            "SELECT id, error FROM outbox WHERE recipient = ? AND error != ''", [email]
        ).fetchall():
            db.execute("UPDATE outbox SET error = ? WHERE id = ?", [without_address(error, email), row_id])
        db.execute(
            "UPDATE outbox SET recipient = ?, name = '', context = '{}' WHERE recipient = ?", [ghost, email]
        )
        db.execute(
            "UPDATE initiatives SET submitter_email = '', submitter_name = '', publish_name = 0"
            " WHERE submitter_email = ?",
            [email],
        )
        db.execute("UPDATE initiative_events SET actor = '' WHERE actor = ?", [email])

    def forget_last_mail(self, row: dict[str, Any]) -> None:
        """An outbox row done with (sent, or failed for good): if it was the erased person's last
        mail, it keeps no address (it was queued after the erasure, to reach them once)."""
        if row["purpose"] == ERASED_PURPOSE:
            # The server's answer may quote the address ("550 <x@y>: no such user").
            stored = self.db.execute("SELECT error FROM outbox WHERE id = ?", [row["id"]]).fetchone()
            self.db.execute(
                "UPDATE outbox SET recipient = ?, name = '', context = '{}', error = ? WHERE id = ?",
                [
                    _ghost(row["recipient"]),
                    without_address(stored[0] if stored else "", row["recipient"]),
                    row["id"],
                ],
            )

    def is_erased(self, email: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM erased WHERE hash = ?", [address_hash(email)]).fetchone()
            is not None
        )

    def anonymise_meeting(self, meeting: str) -> int:
        """Retention: a meeting's registrations keep their status (counts) and lose the person."""
        rows = self.db.execute(
            "SELECT email FROM registrations WHERE meeting = ? AND email NOT LIKE 'erased:%'", [meeting]
        ).fetchall()
        for (email,) in rows:
            # The organisation stays: it is what the participation statistics count by.
            self.db.execute(
                "UPDATE registrations SET email = ?, name = '', diet = '', language = ''"
                " WHERE meeting = ? AND email = ?",
                [f"erased:{address_hash(email)[:16]}", meeting, email],
            )
        self.db.execute("DELETE FROM tokens WHERE meeting = ?", [meeting])
        self.db.execute("DELETE FROM calendar_holders WHERE meeting = ?", [meeting])
        self.db.execute(
            "UPDATE outbox SET context = '{}', name = '' WHERE meeting = ? AND status != 'pending'", [meeting]
        )
        return len(rows)

    def thin_messages(self, before: datetime) -> int:
        self.db.execute(
            "UPDATE attention_items SET excerpt = '' WHERE excerpt != '' AND key IN"
            " (SELECT key FROM messages WHERE received_at < ?)",
            [iso(before)],
        )
        cursor = self.db.execute(
            "UPDATE messages SET sender = '', subject = '' WHERE received_at < ? AND sender != ''",
            [iso(before)],
        )
        return int(cursor.rowcount or 0)
