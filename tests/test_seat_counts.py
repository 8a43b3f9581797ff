"""Seats are counted from a table the database keeps itself (triggers, m018): whatever path
changes a registration (an answer, companions added or dropped, a cancellation, a promotion, an
erasure, the retention anonymising a meeting, a hand edit with sqlite3), the count a full
meeting is judged by must equal a recount of the registrations."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from automation.model import SetRegistration, Status
from automation.store.db import Store

NOW = datetime(2024, 2, 14, 10, tzinfo=ZoneInfo("Europe/Helsinki"))
MEETINGS = ("2024-03", "2024-09")


def recount(store: Store) -> dict[tuple[str, str], int]:
    seats: dict[tuple[str, str], int] = {}
    for meeting, status, companions in store.db.execute(
        "SELECT meeting, status, companions FROM registrations"
    ).fetchall():
        key = (meeting, status)
        seats[key] = seats.get(key, 0) + 1 + len([n for n in companions.split("\n") if n])
    return seats


def counted(store: Store) -> dict[tuple[str, str], int]:
    return {
        (meeting, str(status)): n
        for meeting in MEETINGS
        for status in Status
        if (n := store.count(meeting, status))
    }


def test_the_seat_count_equals_a_recount_after_every_kind_of_change(tmp_path: Path) -> None:
    store = Store(tmp_path / "automation.db")
    steps = [
        SetRegistration("2024-03", "aino@example.fi", Status.REGISTERED),
        SetRegistration("2024-03", "bo@example.fi", Status.REGISTERED, companions=("Liisa K", "Pekka M")),
        SetRegistration("2024-03", "cid@example.fi", Status.WAITING, companions=("Anna",)),
        SetRegistration("2024-09", "aino@example.fi", Status.TENTATIVE),
        SetRegistration("2024-03", "bo@example.fi", Status.REGISTERED, companions=("Liisa K",)),  # one fewer
        SetRegistration("2024-03", "bo@example.fi", Status.REGISTERED),  # None keeps the companion
        SetRegistration("2024-03", "aino@example.fi", Status.CANCELLED),
        SetRegistration("2024-03", "cid@example.fi", Status.REGISTERED),  # promoted, companion kept
        SetRegistration("2024-09", "aino@example.fi", Status.REGISTERED),
    ]
    for step in steps:
        with store.transaction():
            store.set_registration(step, NOW)
        assert counted(store) == recount(store), step
    assert store.count("2024-03", Status.REGISTERED) == 4  # bo + Liisa, cid + Anna

    store.erase("cid@example.fi", NOW)
    assert counted(store) == recount(store)
    store.anonymise_meeting("2024-03")
    assert counted(store) == recount(store)

    # A coordinator's hand edit with the sqlite3 shell is counted too.
    other = sqlite3.connect(tmp_path / "automation.db", isolation_level=None)
    other.execute("UPDATE registrations SET status = 'cancelled' WHERE meeting = '2024-09'")
    other.execute("DELETE FROM registrations WHERE email = 'bo@example.fi'")
    other.close()
    assert counted(store) == recount(store)
    store.close()


def test_a_register_from_before_the_seat_table_is_counted_from_its_rows(tmp_path: Path) -> None:
    store = Store(tmp_path / "automation.db")
    with store.transaction():
        store.set_registration(
            SetRegistration("2024-03", "a@example.fi", Status.REGISTERED, companions=("B",)), NOW
        )
        store.set_registration(SetRegistration("2024-03", "c@example.fi", Status.WAITING), NOW)
    store.close()
    # Roll the database back to before m018, as a register from the previous release is.
    db = sqlite3.connect(tmp_path / "automation.db", isolation_level=None)
    for trigger in ("insert", "delete", "update"):
        db.execute(f"DROP TRIGGER seat_counts_{trigger}")
    db.execute("DROP TABLE seat_counts")
    db.execute("DELETE FROM _migrations WHERE name = 'm018_seat_counts'")
    db.close()

    store = Store(tmp_path / "automation.db")
    assert store.count("2024-03", Status.REGISTERED) == 2
    assert store.count("2024-03", Status.WAITING) == 1
    store.close()
