"""The register in SQLite (sqlite-utils, WAL). One transaction per handled message holds the state
change, the outbox rows and the "message handled" record, so a crash loses nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from automation.model import (
    AcceptRules,
    AddContact,
    Attention,
    CalendarResponse,
    Contact,
    CreateInitiative,
    Decision,
    EraseData,
    JoinRequest,
    RecordBounce,
    Registration,
    ResolveAttention,
    SendMail,
    SetFollowup,
    SetInitiativeStatus,
    SetRegistration,
    Status,
    StoreFeedback,
    Unsubscribe,
)
from automation.store.calendar import CalendarStore
from automation.store.contacts import ContactStore
from automation.store.desk import DeskStore
from automation.store.followups import FollowupStore
from automation.store.initiatives import InitiativeStore
from automation.store.membership import MembershipStore
from automation.store.migrations import MIGRATIONS
from automation.store.privacy import PrivacyStore
from automation.store.rows import first_row, insert_row
from automation.store.time import iso


class Store(
    CalendarStore, InitiativeStore, PrivacyStore, MembershipStore, DeskStore, FollowupStore, ContactStore
):
    def __init__(self, path: Path, busy_timeout: float = 30.0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer waits for the
        # lock up front instead of failing half-way through a message.
        conn = sqlite3.connect(str(path), timeout=busy_timeout, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.db.conn.close()

    def _migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
        done = {row[0] for row in self.db.execute("SELECT name FROM _migrations").fetchall()}
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                apply(self.db)
                self.db.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", [name])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ---- messages ------------------------------------------------------------------------

    def is_handled(self, key: str) -> bool:
        return self.db.execute("SELECT 1 FROM messages WHERE key = ?", [key]).fetchone() is not None

    def handled_keys(self, keys: list[str]) -> set[str]:
        return self._among("SELECT key FROM messages WHERE key", keys)

    def _among(self, select: str, values: list[str]) -> set[str]:
        """Those of `values` that `select … IN (values)` returns, a query per 500 values (SQLite
        limits the parameters of one statement)."""
        found: set[str] = set()
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.conn.execute(f"{select} IN ({marks})", chunk).fetchall()
            found.update(str(row[0]) for row in rows)
        return found

    def record_message(self, row: dict[str, Any]) -> None:
        self._replace("messages", row)

    def _replace(self, table: str, row: dict[str, Any]) -> None:
        """INSERT OR REPLACE with plain SQL: sqlite-utils' insert inspects the table on every
        call, which is most of the cost of handling one message."""
        insert_row(self.db, table, row, "INSERT OR REPLACE")

    def attention_messages(self) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT * FROM messages WHERE attention = 1 ORDER BY received_at"))

    # ---- applying a decision -------------------------------------------------------------

    def apply(self, decision: Decision, now: datetime, domain: str) -> list[str]:
        """Make every effect durable (inside the caller's transaction). Returns queued IDs."""
        queued: list[str] = []
        for effect in decision.effects:
            if isinstance(effect, SetRegistration):
                self.set_registration(effect, now)
            elif isinstance(effect, SendMail):
                message_id = self.enqueue(effect, now, domain)
                if message_id:
                    queued.append(message_id)
            elif isinstance(effect, CalendarResponse):
                self.set_partstat(effect.meeting, effect.email, effect.partstat, now)
            elif isinstance(effect, JoinRequest):
                self.request_join(effect, now)
            elif isinstance(effect, AcceptRules):
                self.accept_rules(effect, now)
            elif isinstance(effect, StoreFeedback):
                self.store_feedback(effect, now)
            elif isinstance(effect, EraseData):
                self.erase(effect.email, now)
            elif isinstance(effect, RecordBounce):
                self.record_bounce(effect, now)
            elif isinstance(effect, CreateInitiative):
                self.create_initiative(effect.initiative, now)
            elif isinstance(effect, SetInitiativeStatus):
                self.set_initiative_status(effect, now)
            elif isinstance(effect, SetFollowup):
                self.set_followup(effect.number, effect.status, effect.note, now)
            elif isinstance(effect, AddContact):
                self.add_contact(effect, now)
            elif isinstance(effect, Unsubscribe):
                self.unsubscribe(effect.email, now)
            elif isinstance(effect, ResolveAttention):
                self.resolve_attention(effect, now)
            elif isinstance(effect, Attention):
                pass  # recorded on the message row by the caller
        return queued

    def set_registration(self, change: SetRegistration, now: datetime) -> None:
        current = self.registration(change.meeting, change.email)
        position = current.position if current else 0
        if change.status == Status.WAITING and (current is None or current.status != Status.WAITING):
            position = self._next_position(change.meeting)
        d = change.details
        row = {
            "meeting": change.meeting,
            "email": change.email,
            "name": d.name or change.name or (current.name if current else ""),
            "organisation": d.organisation
            or change.organisation
            or (current.organisation if current else ""),
            "language": change.language or (current.language if current else ""),
            "status": str(change.status),
            "diet": d.diet or (current.diet if current else ""),
            "attendance": d.attendance or (current.attendance if current else ""),
            "position": position,
            "companions": "\n".join(
                change.companions
                if change.companions is not None
                else (current.companions if current else ())
            ),
            "created_at": iso(now) if current is None else self._created(change),
            "updated_at": iso(now),
        }
        # An upsert, not INSERT OR REPLACE: the seat counts' triggers see it as the update it is.
        names = ", ".join(row)
        updates = ", ".join(f"{name} = excluded.{name}" for name in row if name not in ("meeting", "email"))
        self.db.conn.execute(
            f"INSERT INTO registrations ({names}) VALUES ({', '.join('?' * len(row))})"
            f" ON CONFLICT (meeting, email) DO UPDATE SET {updates}",
            list(row.values()),
        )

    def _created(self, change: SetRegistration) -> str:
        row = self.db.execute(
            "SELECT created_at FROM registrations WHERE meeting = ? AND email = ?",
            [change.meeting, change.email],
        ).fetchone()
        return str(row[0]) if row else ""

    def _next_position(self, meeting: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(MAX(position), 0) FROM registrations WHERE meeting = ?", [meeting]
        ).fetchone()
        return int(row[0]) + 1

    def enqueue(self, mail: SendMail, now: datetime, domain: str) -> str | None:
        """Queue one mail; queuing the same (purpose, meeting, recipient, revision) is a no-op."""
        message_id = outgoing_message_id(mail, domain)
        if self.db.execute("SELECT 1 FROM outbox WHERE message_id = ?", [message_id]).fetchone():
            return None
        token = self.token_for(mail.meeting, mail.recipient, now) if mail.reply_token and mail.meeting else ""
        sequence = self._calendar_copy(mail, now) if mail.calendar and mail.meeting else 0
        self.db.execute(
            "INSERT INTO outbox (message_id, purpose, meeting, recipient, name, language,"
            " template, context, reply_token, in_reply_to, auto_submitted, status, attempts,"
            " next_attempt_at, created_at, sent_at, error, calendar_method, calendar_sequence,"
            " calendar_role)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,'pending',0,?,?,'','',?,?,?)",
            [
                message_id,
                mail.purpose,
                mail.meeting or "",
                mail.recipient,
                mail.name,
                mail.language,
                mail.template,
                json.dumps(mail.context, ensure_ascii=False),
                token,
                mail.in_reply_to,
                mail.auto_submitted,
                iso(now),
                iso(now),
                mail.calendar,
                sequence,
                mail.calendar_role if mail.calendar else "",
            ],
        )
        return message_id

    def record_bounce(self, bounce: RecordBounce, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO bounces VALUES (?, ?, ?, ?, ?) ON CONFLICT(email) DO UPDATE SET"
            " score = score + excluded.score, last_reason = excluded.last_reason,"
            " updated_at = excluded.updated_at,"
            " undeliverable_at = CASE WHEN excluded.undeliverable_at != '' AND undeliverable_at = ''"
            " THEN excluded.undeliverable_at ELSE undeliverable_at END",
            [bounce.email, bounce.points, iso(now) if bounce.undeliverable else "", bounce.reason, iso(now)],
        )

    def bounce_scores(self, emails: list[str]) -> dict[str, float]:
        marks = ",".join("?" * len(emails))
        rows = self.db.execute(f"SELECT email, score FROM bounces WHERE email IN ({marks})", emails)
        return {str(r[0]): float(r[1]) for r in rows.fetchall()}

    def outbox_recipients(self, message_ids: list[str]) -> list[str]:
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids[:50]))
        rows = self.db.execute(
            f"SELECT DISTINCT recipient FROM outbox WHERE message_id IN ({marks})", message_ids[:50]
        ).fetchall()
        return [str(r[0]) for r in rows]

    def undeliverable(self, emails: list[str]) -> set[str]:
        """Those of `emails` that bounced past the threshold (a query per 500, not per address)."""
        return self._among("SELECT email FROM bounces WHERE undeliverable_at != '' AND email", emails)

    def answers_since(self, email: str, now: datetime) -> int:
        """Automatic answers queued to `email` in the 24 hours before `now`."""
        since = iso(now - timedelta(days=1))
        row = self.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE recipient = ? AND auto_submitted = 'auto-replied'"
            " AND created_at > ?",
            [email, since],
        ).fetchone()
        return int(row[0])

    # ---- lifecycle stages --------------------------------------------------------------------

    def stages_done(self, meeting: str) -> set[str]:
        rows = self.db.execute("SELECT stage FROM lifecycle_runs WHERE meeting = ?", [meeting])
        return {str(r[0]) for r in rows.fetchall()}

    def mark_stage(self, meeting: str, stage: str, outcome: str, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO lifecycle_runs VALUES (?, ?, ?, ?)", [meeting, stage, outcome, iso(now)]
        )

    # ---- tokens ----------------------------------------------------------------------------

    def token_for(self, meeting: str, email: str, now: datetime) -> str:
        row = self.db.execute(
            "SELECT token FROM tokens WHERE meeting = ? AND email = ?", [meeting, email]
        ).fetchone()
        if row:
            return str(row[0])
        token = secrets.token_hex(16)
        insert_row(
            self.db, "tokens", {"token": token, "meeting": meeting, "email": email, "created_at": iso(now)}
        )
        return token

    def token_owner(self, token: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT meeting, email FROM tokens WHERE token = ?", [token]).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def sent_message_owner(self, message_ids: list[str]) -> tuple[str, str] | None:
        """The (meeting, recipient) of one of our own messages a reply refers to."""
        for message_id in message_ids[:10]:
            row = self.db.execute(
                "SELECT meeting, recipient FROM outbox WHERE message_id = ? AND meeting != ''",
                [message_id],
            ).fetchone()
            if row:
                return str(row[0]), str(row[1])
        return None

    # ---- registrations and contacts ----------------------------------------------------------

    def registration(self, meeting: str, email: str) -> Registration | None:
        row = first_row(
            self.db, "SELECT * FROM registrations WHERE meeting = ? AND email = ?", [meeting, email]
        )
        return _registration(row) if row else None

    def registrations(self, meeting: str) -> list[Registration]:
        rows = self.db.query(
            "SELECT * FROM registrations WHERE meeting = ? ORDER BY status, position, created_at",
            [meeting],
        )
        return [_registration(r) for r in rows]

    def count(self, meeting: str, status: Status) -> int:
        """Seats (or places in the queue): each registration and each companion named in it."""
        # Kept by triggers on the registrations table (m018): reading it costs the same at any size.
        row = self.db.conn.execute(
            "SELECT seats FROM seat_counts WHERE meeting = ? AND status = ?", [meeting, str(status)]
        ).fetchone()
        return int(row[0]) if row else 0

    def first_waiting(self, meeting: str) -> Registration | None:
        row = first_row(
            self.db,
            "SELECT * FROM registrations WHERE meeting = ? AND status = 'waiting' ORDER BY position LIMIT 1",
            [meeting],
        )
        return _registration(row) if row else None

    def sync_contacts(self, contacts: list[Contact], now: datetime) -> int:
        """Upsert the coordinator's list; never drops a person or their unsubscription."""
        changed = 0
        for contact in contacts:
            if self.is_erased(contact.email):
                continue  # their data was erased at their request: the CSV must not bring it back
            existing = self.contact(contact.email)
            fields = {
                "name": contact.name,
                "organisation": contact.organisation,
                "language": contact.language,
            }
            if existing is None:
                self.db.table("contacts").insert(
                    {
                        "email": contact.email,
                        **fields,
                        "source": "csv",
                        "unsubscribed_at": "",
                        "created_at": iso(now),
                        "updated_at": iso(now),
                    }
                )
                changed += 1
            elif any(existing[k] != v for k, v in fields.items()):
                self.db.table("contacts").update(contact.email, {**fields, "updated_at": iso(now)})
                changed += 1
        return changed

    def add_contact(self, change: AddContact, now: datetime) -> None:
        if self.is_erased(change.email) or self.contact(change.email) is not None:
            return  # an existing contact (or their unsubscription) is theirs, not the sender's
        insert_row(
            self.db,
            "contacts",
            {
                "email": change.email,
                "name": change.name,
                "organisation": change.organisation,
                "language": change.language,
                "source": change.source,
                "unsubscribed_at": "",
                "created_at": iso(now),
                "updated_at": iso(now),
            },
        )

    def contact(self, email: str) -> dict[str, Any] | None:
        return first_row(self.db, "SELECT * FROM contacts WHERE email = ?", [email])

    def active_contacts(self) -> list[Contact]:
        rows = self.db.query(
            "SELECT * FROM contacts WHERE unsubscribed_at = '' AND removed_at = '' AND email NOT IN"
            " (SELECT email FROM bounces WHERE undeliverable_at != '') ORDER BY email"
        )
        return [Contact(r["email"], r["name"], r["organisation"], r["language"]) for r in rows]

    def unsubscribed(self, emails: list[str]) -> set[str]:
        """Those of `emails` who left the contact list or were removed from it (a query per 500,
        not per address)."""
        return self._among(
            "SELECT email FROM contacts WHERE (unsubscribed_at != '' OR removed_at != '') AND email", emails
        )

    def unsubscribe(self, email: str, now: datetime) -> bool:
        cursor = self.db.execute(
            "UPDATE contacts SET unsubscribed_at = ?, updated_at = ? WHERE email = ?"
            " AND unsubscribed_at = ''",
            [iso(now), iso(now), email],
        )
        return bool(cursor.rowcount)

    # ---- mail source positions ---------------------------------------------------------------

    def source_state(self, source: str) -> tuple[int, int]:
        row = self.db.execute(
            "SELECT uidvalidity, last_uid FROM source_state WHERE source = ?", [source]
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def set_source_state(self, source: str, uidvalidity: int, last_uid: int) -> None:
        self.db.execute(
            "INSERT INTO source_state VALUES (?, ?, ?) ON CONFLICT(source) DO UPDATE SET"
            " uidvalidity = excluded.uidvalidity,"
            " last_uid = MAX(CASE WHEN source_state.uidvalidity = excluded.uidvalidity"
            " THEN source_state.last_uid ELSE 0 END, excluded.last_uid)",
            [source, uidvalidity, last_uid],
        )


def _registration(row: dict[str, Any]) -> Registration:
    return Registration(
        meeting=row["meeting"],
        email=row["email"],
        name=row["name"] or "",
        organisation=row["organisation"] or "",
        language=row["language"] or "",
        status=Status(row["status"]),
        diet=row["diet"] or "",
        attendance=row["attendance"] or "",
        position=int(row["position"] or 0),
        updated_at=row["updated_at"],
        companions=tuple(n for n in (row.get("companions") or "").split("\n") if n),
    )


def outgoing_message_id(mail: SendMail, domain: str) -> str:
    recipient = hashlib.sha256(mail.recipient.lower().encode()).hexdigest()[:12]
    revision = mail.revision
    if len(revision) > 16 or not re.fullmatch(r"[A-Za-z0-9_.-]+", revision):
        # Replies use the inbound message's key: hash it, so no foreign address leaks into ours.
        revision = hashlib.sha256(revision.encode()).hexdigest()[:16]
    meeting = re.sub(r"[^A-Za-z0-9_-]", "-", mail.meeting or "network")
    return f"{mail.purpose}.{meeting}.{recipient}.{revision}@{domain}"
