"""`automation backup FILE`: a consistent copy of the register while the daemon keeps running.

SQLite's online backup reads one snapshot of the database (WAL readers never block the writer),
so the copy is exactly the state after some committed transaction, never half of one. It is
written beside the target and renamed into place only when complete and checked, so a failed
or interrupted backup never leaves a truncated file under the name the coordinator asked for.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from automation.errors import AutomationError


@dataclass(frozen=True)
class BackupReport:
    target: Path
    size: int
    schema: str  # the last migration the copy has


def backup_database(source: Path, target: Path, busy_timeout: float = 30.0) -> BackupReport:
    if not source.exists():
        raise AutomationError(f"no database at {source}: nothing to back up (see [storage] database)")
    if target.resolve() == source.resolve():
        raise AutomationError(f"{target} is the database itself: give another file name")
    if target.is_dir():
        raise AutomationError(f"{target} is a directory: give a file name, e.g. {target / 'automation.db'}")
    partial = target.with_name(f".{target.name}.partial")
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=busy_timeout)
        copy = sqlite3.connect(partial)
        try:
            reader.backup(copy)
            schema = str(copy.execute("SELECT COALESCE(MAX(name), '') FROM _migrations").fetchone()[0])
            healthy = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            copy.close()
            reader.close()
        if not healthy:
            raise AutomationError(f"the copy of {source} failed its integrity check; nothing written")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise AutomationError(f"backup of {source} to {target} failed: {exc}") from exc
    except OSError as exc:
        raise AutomationError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, schema)
