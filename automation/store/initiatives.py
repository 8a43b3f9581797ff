"""Initiatives, their history and attachments (part of the Store)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils

from automation.model import Initiative, SetInitiativeStatus
from automation.store.time import iso


class InitiativeStore:
    db: sqlite_utils.Database

    # ---- initiatives ---------------------------------------------------------------------------

    def allocate_reference(self, prefix: str, year: int) -> str:
        """Next reference for the year, e.g. ALOITE-2024-007; never reused (inside a transaction)."""
        self.db.execute(
            "INSERT INTO initiative_counters VALUES (?, 1) ON CONFLICT(year) DO UPDATE SET last = last + 1",
            [year],
        )
        number = int(
            self.db.execute("SELECT last FROM initiative_counters WHERE year = ?", [year]).fetchone()[0]
        )
        return f"{prefix}-{year}-{number:03d}"

    def create_initiative(self, initiative: Initiative, now: datetime) -> None:
        year, number = (int(p) for p in initiative.reference.rsplit("-", 2)[1:])
        self.db.table("initiatives").insert(
            {
                "reference": initiative.reference,
                "year": year,
                "number": number,
                "title": initiative.title,
                "text": initiative.text,
                "submitter_email": initiative.submitter_email,
                "submitter_name": initiative.submitter_name,
                "publish_name": int(initiative.publish_name),
                "language": initiative.language,
                "status": initiative.status,
                "meeting": initiative.meeting,
                "created_at": initiative.created_at,
                "updated_at": iso(now),
            }
        )
        self._initiative_event(initiative.reference, "received", "", "", initiative.submitter_email, now)

    def set_initiative_status(self, change: SetInitiativeStatus, now: datetime) -> None:
        self.db.execute(
            "UPDATE initiatives SET status = ?, meeting = ?, updated_at = ? WHERE reference = ?",
            [change.status, change.meeting, iso(now), change.reference],
        )
        self._initiative_event(
            change.reference, change.status, change.note, change.meeting, change.actor, now
        )

    def _initiative_event(
        self, reference: str, status: str, note: str, meeting: str, actor: str, now: datetime
    ) -> None:
        self.db.table("initiative_events").insert(
            {
                "reference": reference,
                "at": iso(now),
                "status": status,
                "note": note,
                "actor": actor,
                "meeting": meeting,
            }
        )

    def initiative(self, reference: str) -> Initiative | None:
        rows = list(self.db.query("SELECT * FROM initiatives WHERE reference = ?", [reference]))
        return _initiative(rows[0]) if rows else None

    def initiatives(self, meeting: str | None = None) -> list[Initiative]:
        if meeting is None:
            rows = self.db.query("SELECT * FROM initiatives ORDER BY year, number")
        else:
            rows = self.db.query(
                "SELECT * FROM initiatives WHERE meeting = ? ORDER BY year, number", [meeting]
            )
        return [_initiative(r) for r in rows]

    def initiative_history(self, reference: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT at, status, note, meeting, actor FROM initiative_events"
                " WHERE reference = ? ORDER BY id",
                [reference],
            )
        )

    def add_attachment(self, reference: str, filename: str, content_type: str, size: int, path: str) -> None:
        self.db.table("initiative_attachments").insert(
            {
                "reference": reference,
                "filename": filename,
                "content_type": content_type,
                "size": size,
                "path": path,
            }
        )

    def attachments(self, reference: str) -> list[str]:
        rows = self.db.execute(
            "SELECT filename FROM initiative_attachments WHERE reference = ? ORDER BY id", [reference]
        ).fetchall()
        return [str(r[0]) for r in rows]


def _initiative(row: dict[str, Any]) -> Initiative:
    return Initiative(
        reference=row["reference"],
        title=row["title"],
        text=row["text"],
        submitter_email=row["submitter_email"],
        submitter_name=row["submitter_name"],
        language=row["language"],
        status=row["status"],
        meeting=row["meeting"] or "",
        created_at=row["created_at"],
        publish_name=bool(row["publish_name"]),
    )
