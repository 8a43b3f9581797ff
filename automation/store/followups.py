"""Follow-up items between meetings (part of the Store)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from automation.model import PublicFollowup
from automation.store.time import iso

STATUSES = ("open", "in_progress", "done")


class FollowupStore:
    db: sqlite_utils.Database

    def add_followup(
        self,
        meeting: str,
        position: int,
        text: str,
        language: str,
        owner: str,
        owner_email: str,
        initiative: str,
        now: datetime,
    ) -> int | None:
        """A new open item; None when the meeting already has one at that position (the same
        summary read again, or sent again with a raised version, adds nothing)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO followups (meeting, position, text, language, owner, owner_email,"
            " initiative, status, note, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', '', ?, ?)",
            [meeting, position, text, language, owner, owner_email, initiative, iso(now), iso(now)],
        )
        return int(cursor.lastrowid) if cursor.rowcount and cursor.lastrowid is not None else None

    def followups(self, meeting: str = "", status: str = "") -> list[dict[str, Any]]:
        where, args = [], []
        if meeting:
            where.append("meeting = ?")
            args.append(meeting)
        if status:
            where.append("status = ?")
            args.append(status)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return list(self.db.query(f"SELECT * FROM followups{clause} ORDER BY meeting, position", args))

    def followup(self, number: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM followups WHERE id = ?", [number]))
        return rows[0] if rows else None

    def set_followup(self, number: int, status: str, note: str, now: datetime) -> bool:
        """True when the item exists (its status and note are now these)."""
        cursor = self.db.execute(
            "UPDATE followups SET status = ?, note = ?, updated_at = ? WHERE id = ?",
            [status, note, iso(now), number],
        )
        return bool(cursor.rowcount)

    def public_followups(self) -> list[PublicFollowup]:
        return [
            PublicFollowup(
                number=row["id"],
                meeting=row["meeting"],
                text=row["text"],
                language=row["language"],
                owner=row["owner"],
                status=row["status"],
                note=row["note"],
                initiative=row["initiative"],
                updated_at=row["updated_at"],
            )
            for row in self.followups()
        ]
