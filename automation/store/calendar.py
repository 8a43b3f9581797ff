"""Calendar events per meeting and who holds them (part of the Store)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from automation.model import SendMail
from automation.store.rows import first_row
from automation.store.time import iso


class CalendarStore:
    db: sqlite_utils.Database

    # ---- calendar events and who holds them ------------------------------------------------

    def _calendar_copy(self, mail: SendMail, now: datetime) -> int:
        """The SEQUENCE for this copy; records that the recipient holds (or no longer holds) it."""
        assert mail.meeting is not None
        if mail.sequence is not None:
            sequence = mail.sequence
        elif mail.calendar == "CANCEL":
            # Removing one attendee is a new revision for them; a later re-invite must outrank it.
            sequence = self.calendar_event(mail.meeting)[0] + 1
            self.set_event(mail.meeting, sequence, None, now)
        else:
            sequence = self.calendar_event(mail.meeting)[0]
        state = "cancelled" if mail.calendar == "CANCEL" else "holding"
        self.db.execute(
            "INSERT INTO calendar_holders VALUES (?,?,?,?,?,?,'',?) ON CONFLICT(meeting, email) DO"
            " UPDATE SET state = excluded.state, role = excluded.role,"
            " updated_at = excluded.updated_at,"
            " name = CASE WHEN excluded.name != '' THEN excluded.name ELSE calendar_holders.name END",
            [mail.meeting, mail.recipient, mail.name, mail.calendar_role, mail.language, state, iso(now)],
        )
        return sequence

    def calendar_event(self, meeting: str) -> tuple[int, dict[str, Any] | None, bool]:
        row = self.db.execute(
            "SELECT sequence, snapshot, cancelled FROM calendar_events WHERE meeting = ?", [meeting]
        ).fetchone()
        if row is None:
            return 0, None, False
        return int(row[0]), (json.loads(row[1]) if row[1] else None), bool(row[2])

    def set_event(
        self,
        meeting: str,
        sequence: int,
        snapshot: dict[str, Any] | None,
        now: datetime,
        cancelled: bool | None = None,
    ) -> None:
        _, old_snapshot, old_cancelled = self.calendar_event(meeting)
        self.db.table("calendar_events").insert(
            {
                "meeting": meeting,
                "sequence": sequence,
                "snapshot": json.dumps(snapshot if snapshot is not None else old_snapshot),
                "cancelled": int(old_cancelled if cancelled is None else cancelled),
                "updated_at": iso(now),
            },
            pk="meeting",
            replace=True,
        )

    def holders(self, meeting: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT * FROM calendar_holders WHERE meeting = ? AND state = 'holding' ORDER BY email",
                [meeting],
            )
        )

    def holder(self, meeting: str, email: str) -> dict[str, Any] | None:
        return first_row(
            self.db, "SELECT * FROM calendar_holders WHERE meeting = ? AND email = ?", [meeting, email]
        )

    def set_partstat(self, meeting: str, email: str, partstat: str, now: datetime) -> None:
        # A participant who declines no longer gets updates; an organiser stays informed.
        self.db.execute(
            "UPDATE calendar_holders SET partstat = ?, updated_at = ?,"
            " state = CASE WHEN ? = 'DECLINED' AND role != 'CHAIR' THEN 'declined' ELSE state END"
            " WHERE meeting = ? AND email = ?",
            [partstat, iso(now), partstat, meeting, email],
        )
