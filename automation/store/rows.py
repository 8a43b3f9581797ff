"""Plain-SQL reads and inserts for the per-message path.

sqlite-utils' `query()` wraps every SELECT in a SAVEPOINT and its `table().insert()` reads the
schema first; on the path every incoming message takes (a dozen lookups each) that bookkeeping
cost as much as the lookups. These helpers run the statement directly on the connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils


def first_row(db: sqlite_utils.Database, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
    """The first row of a SELECT as a dict of column → value, or None."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip((d[0] for d in cursor.description), row, strict=True))


def insert_row(db: sqlite_utils.Database, table: str, row: dict[str, Any], verb: str = "INSERT") -> None:
    """One row into `table` (names are ours, never from mail); `verb` may be INSERT OR REPLACE."""
    names = ", ".join(row)
    marks = ", ".join("?" * len(row))
    db.conn.execute(f"{verb} INTO {table} ({names}) VALUES ({marks})", list(row.values()))
