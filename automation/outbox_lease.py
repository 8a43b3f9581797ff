"""Who may send: the outbox's sending lease between processes, and rows a crash left in flight."""

from __future__ import annotations

import os
import socket
import time

from automation.store.db import Store


def recover_interrupted(store: Store) -> int:
    """Rows left in `sending` by a crash are due again (same Message-ID). Only the holder of the
    sending lease calls this, at the start of a flush, when no row of its own is in flight."""
    cursor = store.db.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return int(cursor.rowcount or 0)


LEASE_SECONDS = 120.0


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire_sending(store: Store, holder: str) -> bool:
    """Take or renew the sending lease. False while another live process holds it, so a
    `run --once` next to a running daemon never resends what the daemon has in flight."""
    now = time.time()
    with store.transaction():
        row = store.db.execute("SELECT holder, expires_at FROM leases WHERE name = 'outbox'").fetchone()
        if row and row[0] != holder and row[1] > now and _alive(str(row[0])):
            return False
        store.db.execute(
            "INSERT OR REPLACE INTO leases VALUES ('outbox', ?, ?)", [holder, now + LEASE_SECONDS]
        )
    return True


def release_sending(store: Store, holder: str) -> None:
    store.db.execute("DELETE FROM leases WHERE name = 'outbox' AND holder = ?", [holder])


def _alive(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine: trust the expiry time
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:
        return True
    return True
