"""The contact list as the coordinator keeps it: merged from a spreadsheet by address, removed
(deactivated) and restored. Part of the Store. A removed contact keeps their history; a person
whose data was erased at their request is never brought back by a file."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Literal

import sqlite_utils

from automation.model import Contact
from automation.store.privacy import address_hash
from automation.store.rows import first_row
from automation.store.time import iso

Outcome = Literal["added", "changed", "unchanged", "removed", "restored", "erased"]
_FIELDS = ("name", "organisation", "language")


class ContactStore:
    db: sqlite_utils.Database

    def merge_contact(
        self,
        contact: Contact,
        columns: Collection[str],
        active: bool | None,
        now: datetime,
        restore: bool = True,
    ) -> Outcome:
        """Add or update one contact from a file that has `columns`; a field the file lacks is
        left as it is. `active` False removes them; True restores one removed (only when
        `restore`: the configured file read on every pass never undoes a `contacts remove`)."""
        if self.db.execute("SELECT 1 FROM erased WHERE hash = ?", [address_hash(contact.email)]).fetchone():
            return "erased"
        existing = first_row(self.db, "SELECT * FROM contacts WHERE email = ?", [contact.email])
        fields = {
            k: getattr(contact, k) for k in _FIELDS if k in columns or k == "name" and "first" in columns
        }
        stamp = iso(now)
        if existing is None:
            row = {"email": contact.email, "name": "", "organisation": "", "language": ""} | fields
            removed = stamp if active is False else ""
            self.db.execute(
                "INSERT INTO contacts (email, name, organisation, language, source, unsubscribed_at,"
                " created_at, updated_at, removed_at) VALUES (?, ?, ?, ?, 'csv', '', ?, ?, ?)",
                [row["email"], row["name"], row["organisation"], row["language"], stamp, stamp, removed],
            )
            return "removed" if removed else "added"
        changes = {k: v for k, v in fields.items() if existing[k] != v}
        outcome: Outcome = "changed" if changes else "unchanged"
        if active is False and not existing["removed_at"]:
            changes["removed_at"], outcome = stamp, "removed"
        elif active is True and restore and existing["removed_at"]:
            changes["removed_at"], outcome = "", "restored"
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            self.db.execute(
                f"UPDATE contacts SET {sets}, updated_at = ? WHERE email = ?",
                [*changes.values(), stamp, contact.email],
            )
        return outcome

    def remove_contact(self, email: str, now: datetime) -> bool:
        """Deactivate: no more mail of any kind to the list; False when not an active contact."""
        cursor = self.db.execute(
            "UPDATE contacts SET removed_at = ?, updated_at = ? WHERE email = ? AND removed_at = ''",
            [iso(now), iso(now), email],
        )
        return bool(cursor.rowcount)

    def upcoming_registrations(self, email: str, codes: Collection[str]) -> list[str]:
        """Meetings of `codes` the person is still registered or waiting for."""
        rows = self.db.execute(
            "SELECT meeting FROM registrations WHERE email = ? AND status IN ('registered', 'waiting')",
            [email],
        ).fetchall()
        return [str(r[0]) for r in rows if r[0] in codes]
