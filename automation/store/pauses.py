"""A side (SMTP sending) paused by a refusal of the session, with its backoff, kept durably so a
`run --once` every minute or a restarted daemon respects the same wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from automation.backoff import backoff_delay
from automation.store.db import Store, iso

MAILBOX_LOGIN = "imap"  # the reading side's pause: the mailbox refused our login


@dataclass(frozen=True)
class Pause:
    name: str
    reason: str
    since: str
    failures: int
    next_attempt_at: str
    alerted_at: str = ""

    def waiting(self, now: datetime) -> bool:
        return iso(now) < self.next_attempt_at


def current(store: Store, name: str) -> Pause | None:
    row = store.db.execute(
        "SELECT name, reason, since, failures, next_attempt_at, alerted_at FROM pauses WHERE name = ?",
        [name],
    ).fetchone()
    if row is None:
        return None
    return Pause(str(row[0]), str(row[1]), str(row[2]), int(row[3]), str(row[4]), str(row[5]))


def refused(store: Store, name: str, reason: str, now: datetime) -> Pause:
    """One more refusal in a row: the next attempt waits longer (up to the backoff's cap)."""
    before = current(store, name)
    failures = (before.failures if before else 0) + 1
    pause = Pause(
        name,
        reason,
        before.since if before else iso(now),
        failures,
        iso(now + backoff_delay(failures)),
        before.alerted_at if before else "",
    )
    store.db.execute(
        "INSERT OR REPLACE INTO pauses (name, reason, since, failures, next_attempt_at, alerted_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [pause.name, pause.reason, pause.since, pause.failures, pause.next_attempt_at, pause.alerted_at],
    )
    return pause


def alerted(store: Store, name: str, now: datetime) -> None:
    """The coordinator was told of this pause (by the [alerts] route): not again until it ends."""
    store.db.execute("UPDATE pauses SET alerted_at = ? WHERE name = ?", [iso(now), name])


def resumed(store: Store, name: str) -> bool:
    """The server accepted again; True when there was a pause to lift."""
    cursor = store.db.execute("DELETE FROM pauses WHERE name = ?", [name])
    return bool(cursor.rowcount)
