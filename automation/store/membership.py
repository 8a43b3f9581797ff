"""Joining, the rules people accepted, and feedback (part of the Store)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from automation.model import AcceptRules, JoinRequest, StoreFeedback
from automation.store.time import iso


class MembershipStore:
    db: sqlite_utils.Database

    def request_join(self, request: JoinRequest, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO join_requests VALUES (?, ?, ?, ?, '', '') ON CONFLICT(email) DO UPDATE SET"
            " requested_at = excluded.requested_at",
            [request.email, request.name, request.language, iso(now)],
        )

    def accept_rules(self, change: AcceptRules, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO contacts (email, name, organisation, language, source, unsubscribed_at, created_at,"
            " updated_at, rules_version, rules_accepted_at) VALUES (?, ?, ?, ?, 'joined', '', ?, ?, ?, ?)"
            " ON CONFLICT(email) DO UPDATE SET rules_version = excluded.rules_version,"
            " rules_accepted_at = excluded.rules_accepted_at, unsubscribed_at = '',"
            " updated_at = excluded.updated_at,"
            " organisation = CASE WHEN excluded.organisation != '' THEN excluded.organisation"
            " ELSE contacts.organisation END",
            [
                change.email,
                change.name,
                change.organisation,
                change.language,
                iso(now),
                iso(now),
                change.version,
                iso(now),
            ],
        )
        self.db.execute("UPDATE join_requests SET accepted_at = ? WHERE email = ?", [iso(now), change.email])

    def join_reminders_due(self, now: datetime, after_days: int) -> list[dict[str, Any]]:
        """Who asked to join, never accepted, and has not been reminded (one reminder at most)."""
        return list(
            self.db.query(
                "SELECT * FROM join_requests WHERE accepted_at = '' AND reminded_at = ''"
                " AND requested_at <= ?",
                [iso(now - timedelta(days=after_days))],
            )
        )

    def mark_reminded(self, email: str, now: datetime) -> None:
        self.db.execute("UPDATE join_requests SET reminded_at = ? WHERE email = ?", [iso(now), email])

    def rules_versions(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT rules_version, COUNT(*) FROM contacts WHERE unsubscribed_at = '' GROUP BY rules_version"
        ).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def store_feedback(self, feedback: StoreFeedback, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
            [
                feedback.meeting,
                feedback.person,
                feedback.score,
                feedback.comment,
                feedback.language,
                iso(now),
            ],
        )

    def feedback_rows(self, meeting: str) -> list[tuple[int | None, str]]:
        rows = self.db.execute("SELECT score, comment FROM feedback WHERE meeting = ? ORDER BY at", [meeting])
        return [(r[0], str(r[1])) for r in rows.fetchall()]

    def set_no_show(self, meeting: str, email: str, no_show: bool) -> bool:
        cursor = self.db.execute(
            "UPDATE registrations SET no_show = ? WHERE meeting = ? AND email = ?",
            [int(no_show), meeting, email],
        )
        return bool(cursor.rowcount)
