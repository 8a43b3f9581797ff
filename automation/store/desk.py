"""The coordinator's desk in the register: numbered attention items and the digests sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from automation.model import ResolveAttention
from automation.store.time import iso


@dataclass(frozen=True)
class AttentionItem:
    number: int
    key: str
    received: str
    sender: str
    subject: str
    kind: str
    meeting: str
    reason: str
    excerpt: str
    source_ref: str
    resolved_at: str = ""
    resolved_by: str = ""
    resolution: str = ""
    outcome: str = ""


_ITEM_SQL = (
    "SELECT a.number, a.key, m.received_at, m.sender, m.subject, m.kind, m.meeting, a.reason,"
    " a.excerpt, m.source_ref, a.resolved_at, a.resolved_by, a.resolution, a.outcome"
    " FROM attention_items a JOIN messages m ON m.key = a.key"
)


class DeskStore:
    db: sqlite_utils.Database

    def open_attention(self, key: str, reason: str, excerpt: str, now: datetime) -> int:
        """Give a message set aside for a human its short number (once; a second record of the
        same message keeps its number)."""
        self.db.execute(
            "INSERT INTO attention_items (key, reason, excerpt, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO NOTHING",
            [key, reason[:500], excerpt[:600], iso(now)],
        )
        row = self.db.execute("SELECT number FROM attention_items WHERE key = ?", [key]).fetchone()
        return int(row[0])

    def attention_items(self, open_only: bool = True) -> list[AttentionItem]:
        where = " WHERE a.resolved_at = ''" if open_only else ""
        rows = self.db.execute(_ITEM_SQL + where + " ORDER BY a.number").fetchall()
        return [_item(r) for r in rows]

    def attention_item(self, number: int) -> AttentionItem | None:
        row = self.db.execute(_ITEM_SQL + " WHERE a.number = ?", [number]).fetchone()
        return _item(row) if row else None

    def resolve_attention(self, effect: ResolveAttention, now: datetime) -> bool:
        """Conditional: an item resolved already stays as it was (True if this one did it)."""
        cursor = self.db.execute(
            "UPDATE attention_items SET resolved_at = ?, resolved_by = ?, resolution = ?, outcome = ?,"
            " excerpt = '' WHERE number = ? AND resolved_at = ''",
            [iso(now), effect.actor, effect.resolution, effect.outcome[:500], effect.number],
        )
        self.db.execute("UPDATE messages SET attention = 0 WHERE key = ?", [effect.key])
        return bool(cursor.rowcount)

    # ---- digests -------------------------------------------------------------------------------

    def last_digest(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM digests ORDER BY day DESC LIMIT 1"))
        return rows[0] if rows else None

    def digest(self, day: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM digests WHERE day = ?", [day]))
        return rows[0] if rows else None

    def record_digest(
        self, day: str, kind: str, items: list[int], counts: dict[str, Any], now: datetime
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?, ?)",
            [day, kind, iso(now), json.dumps(items), json.dumps(counts, ensure_ascii=False)],
        )

    def failed_since(self, since: str) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT recipient, template, error FROM outbox WHERE status = 'failed' AND created_at > ?"
                " ORDER BY created_at",
                [since],
            )
        )

    def undeliverable_since(self, since: str) -> list[str]:
        rows = self.db.execute(
            "SELECT email FROM bounces WHERE undeliverable_at != '' AND undeliverable_at > ? ORDER BY email",
            [since],
        ).fetchall()
        return [str(r[0]) for r in rows]


def _item(row: Any) -> AttentionItem:
    return AttentionItem(int(row[0]), *(str(v or "") for v in row[1:]))
