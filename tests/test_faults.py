"""Never lose, never loop: real faults against a real Dovecot, a real SMTP server and SQLite.

Every pass is the real `automation` command in its own process, killed with SIGKILL, starved of
SMTP, handed a mailbox whose UIDVALIDITY changed, or blocked by a lock on its database. After
each fault the same invariants must hold (`faults.assert_each_answered_once`): one registration
per sender, every sender confirmed, a resend only ever with the same Message-ID, nothing waiting,
nothing for the coordinator, every message filed exactly once.

The random kills are reproducible: FAULTS_SEED=<seed> pytest tests/test_faults.py -k random
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from faults import (
    Rig,
    Spawned,
    append_all,
    assert_each_answered_once,
    folder_count,
    folder_messages,
    imap,
    reply,
    sender,
    sent,
    uidvalidity,
    wait_until,
    write_config,
)
from servers import DovecotServer, ImapUser, SmtpSink

BURST = 500  # registration replies put into INBOX at once
KILLS = 20  # SIGKILLs in all; whenever a burst is fully answered, the next one arrives
# One full pass over a burst (start-up, 500 messages read and committed, 500 answers sent) takes
# about this long on a quiet 2-core box; the kills land uniformly in [0, this).
PASS_SECONDS = float(os.environ.get("FAULTS_PASS_SECONDS", "5.0"))
SEED = int(os.environ.get("FAULTS_SEED", "20240214"))
BUSY_TIMEOUT = 1.0  # [storage] busy_timeout_seconds for the lock tests


@pytest.fixture
def make_rig(tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(**config: Any) -> Rig:
        path = write_config(tmp_path, imap_user, smtp_sink, **config)
        env = dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password)
        made.append(Rig(tmp_path, imap_user, smtp_sink, path, env))
        return made[-1]

    yield make
    for rig in made:
        rig.close()


@pytest.fixture
def rig(make_rig: Callable[..., Rig]) -> Rig:
    return make_rig()


# ---- 1. SIGKILL ----------------------------------------------------------------------------------


def test_sigkill_at_random_moments_loses_nothing_and_answers_once(rig: Rig) -> None:
    """Start the daemon (`run`) or a pass (`run --once`), SIGKILL it after a random delay, start
    again, KILLS times; then clean passes until one finds nothing to do. A burst is done within a
    few kills (a pass reads and answers everything), so a kill that finds nothing left to do brings
    the next burst: the kills meet work, at start-up, reading and committing, filing, sending."""
    started = time.monotonic()
    rng = random.Random(SEED)
    bursts, kills, finished, log = 0, 0, 0, []
    phases = {"reading": 0, "sending": 0, "idle": 0}  # what was left to do when a kill landed
    print(f"seed {SEED}: FAULTS_SEED={SEED} repeats these kill delays")

    def arrive() -> None:
        nonlocal bursts
        append_all(rig.user, (reply(i) for i in range(bursts * BURST, (bursts + 1) * BURST)))
        bursts += 1

    arrive()
    for _ in range(KILLS * 3):  # a --once pass may finish before its kill; it then does not count
        if kills == KILLS:
            break
        daemon = rng.random() < 0.5
        delay = rng.uniform(0, PASS_SECONDS)
        run = rig.spawn("run") if daemon else rig.spawn("run", "--once")
        try:
            code = run.process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            run.kill()
            kills += 1
            unread, answered = folder_count(rig.user, "INBOX"), len(rig.sink.messages)
            phase = "reading" if unread else "sending" if answered < bursts * BURST else "idle"
            phases[phase] += 1
            log.append(
                f"{'run' if daemon else 'run --once'} killed after {delay:.2f} s:"
                f" {unread} unread, {answered} of {bursts * BURST} answered"
            )
            if phase == "idle" and kills < KILLS:
                arrive()
        else:
            run.handle.close()
            log.append(f"run --once finished by itself within {delay:.2f} s")
            assert not daemon and code == 0, f"the pass ended with {code} before its kill:\n{run.output()}"
            finished += 1
    print("\n".join(log))
    assert kills == KILLS
    quiet = rig.run_until_quiet()
    senders = range(bursts * BURST)
    delivery = assert_each_answered_once(rig, senders, handled=len(senders))
    print(
        f"{bursts} burst(s) of {BURST}: {len(senders)} messages, {kills} SIGKILLs ({phases['reading']}"
        f" with mail unread, {phases['sending']} with answers unsent, {phases['idle']} with nothing"
        f" left), {finished} pass(es) ended by themselves, {len(quiet)} clean pass(es);"
        f" {delivery.confirmations} confirmations accepted by SMTP, resent with the same Message-ID"
        f" to {len(delivery.resent)} recipient(s); {time.monotonic() - started:.1f} s"
    )


@pytest.mark.parametrize(
    "crash, resent",
    [
        # the 7th message committed (registration, outbox row, "handled"), none filed yet
        ("commit:7", 0),
        # every message committed, the MOVE to Handled never sent
        ("file:1", 0),
        # the SMTP server accepted the 3rd confirmation, the outbox never heard: resent once
        ("smtp:3", 1),
    ],
    ids=["after-commit", "before-filing", "after-smtp-accept"],
)
def test_sigkill_at_the_critical_moments(rig: Rig, crash: str, resent: int) -> None:
    append_all(rig.user, (reply(i) for i in range(10)))
    killed = rig.cli("run", "--once", crash=crash, expect=-9)
    assert "Traceback" not in killed.err
    rig.run_until_quiet()
    delivery = assert_each_answered_once(rig, range(10), handled=10)
    assert len(delivery.resent) == resent, delivery


def test_sigkill_before_filing_a_duplicate_still_files_it(rig: Rig) -> None:
    # The same message delivered twice (an alias and the list, a client that sent it again).
    append_all(rig.user, [reply(0)])
    rig.cli("run", "--once")
    append_all(rig.user, [reply(0)])
    rig.cli("run", "--once", crash="file:1", expect=-9)
    rig.run_until_quiet()
    assert folder_count(rig.user, "INBOX") == 0, "the duplicate is never filed"
    assert_each_answered_once(rig, [0], handled=2)


# ---- 2. SMTP down, SMTP refusing one recipient ---------------------------------------------------


def test_smtp_down_then_back_delivers_each_once_in_queue_order(rig: Rig) -> None:
    count, down_passes = 20, 2
    rig.sink.refuse_next(count * down_passes)  # 451 for every DATA while it is down
    append_all(rig.user, (reply(i) for i in range(count)))
    for down in range(down_passes):
        result = rig.cli("run", "--once")
        assert result.out.count("will retry:") == count, result
        assert rig.sink.messages == []
        assert rig.status().waiting == count
        if down == 0:  # a pass before the backoff is over tries nothing
            assert "Nothing new" in rig.cli("run", "--once").out
        rig.advance(minutes=10)  # past the backoff (30 s, then 60 s)
    result = rig.cli("run", "--once")
    assert f"Outbox: {count} sent" in result.out, result
    rig.advance(hours=2)
    rig.run_until_quiet()
    # Queued in the order the replies arrived (handled oldest first, one transaction each), and
    # delivered in that order, which is also the order of the registrations.
    delivered = [mail.recipient for mail in sent(rig.sink)]
    assert delivered == [sender(i) for i in range(count)]
    registered_at = {row["email"]: row["updated_at"] for row in rig.registrations()}
    times = [registered_at[recipient] for recipient in delivered]
    assert times == sorted(times), "delivered out of registration order"
    delivery = assert_each_answered_once(rig, range(count), handled=count)
    assert delivery.resent == {}


def test_smtp_550_for_one_recipient_fails_that_message_only(rig: Rig) -> None:
    count, refused = 6, sender(2)
    rig.sink.refuse_recipient(refused)
    append_all(rig.user, (reply(i) for i in range(count)))
    result = rig.cli("run", "--once")
    assert f"FAILED: {refused}" in result.out, result
    assert [mail.recipient for mail in sent(rig.sink)] == [sender(i) for i in range(count) if i != 2]
    status = rig.status()
    assert (status.sent, status.waiting, status.failed) == (count - 1, 0, 1), status.text
    assert f"failed: {refused} (confirmation): SMTP 550" in status.text
    assert status.code == 0, status.text  # a refused address is not stuck mail
    # Later passes never try it again, and the registration itself stands.
    rig.advance(hours=3)
    rig.run_until_quiet()
    assert len(rig.sink.messages) == count - 1
    assert {row["email"]: row["status"] for row in rig.registrations()} == {
        sender(i): "registered" for i in range(count)
    }
    assert folder_count(rig.user, "INBOX") == 0 and folder_count(rig.user, "Handled") == count


# ---- 3. UIDVALIDITY ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "crash",
    [
        "",
        "file:1",
    ],
    ids=["clean", "killed-before-filing"],
)
def test_uidvalidity_change_rereads_the_folder_but_answers_only_the_new_message(
    rig: Rig, dovecot: DovecotServer, crash: str
) -> None:
    append_all(rig.user, (reply(i) for i in range(3)))
    rig.cli("run", "--once")
    assert len(rig.sink.messages) == 3
    before = uidvalidity(rig.user)
    handled = folder_messages(rig.user, "Handled")
    # The server forgets INBOX's UIDs (a restore, a migration): remove its UID list and index.
    maildir = rig.user.maildir
    for path in [maildir / "dovecot-uidlist", *maildir.glob("dovecot.index*")]:
        path.unlink()
    dovecot.restart()
    # The new message first: its UID (1) is below the last UID handled, so only a reader that
    # honours UIDVALIDITY sees it; then the same three messages, already answered.
    append_all(rig.user, [reply(3), *handled])
    assert uidvalidity(rig.user) != before, "the test did not manage to change UIDVALIDITY"
    if crash:
        rig.cli("run", "--once", crash=crash, expect=-9)
    else:
        result = rig.cli("run", "--once")
        assert "1 new message(s)" in result.out, result
    rig.run_until_quiet()
    assert [mail.recipient for mail in sent(rig.sink)] == [sender(i) for i in range(4)]
    assert_each_answered_once(rig, range(4), handled=7)


# ---- 4. Database locked --------------------------------------------------------------------------


@contextmanager
def exclusive_lock(database: Path) -> Iterator[None]:
    """Another process's write transaction on the database (a backup tool, a stuck CLI)."""
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


@pytest.fixture
def locked_rig(make_rig: Callable[..., Rig]) -> Rig:
    rig = make_rig(storage={"busy_timeout_seconds": BUSY_TIMEOUT})
    rig.query("status")  # the database, its schema and the IMAP folders exist
    return rig


def test_database_locked_during_a_pass_leaves_the_message_for_a_later_pass(locked_rig: Rig) -> None:
    rig = locked_rig
    append_all(rig.user, [reply(0)])
    with exclusive_lock(rig.database):
        rig.cli("run", "--once", expect=None)
        assert folder_count(rig.user, "INBOX") == 1, "the message was filed without being handled"
        assert rig.sink.messages == [], "answered without a record of it"
        assert rig.registrations() == []
    rig.run_until_quiet()
    assert_each_answered_once(rig, [0], handled=1)


def test_database_locked_while_the_daemon_runs_leaves_the_message_for_later(locked_rig: Rig) -> None:
    rig = locked_rig
    daemon = rig.spawn("run")
    # Once a first reply is answered and recorded, the daemon is past its start-up and in its loop.
    append_all(rig.user, [reply(0)])
    wait_until(lambda: rig.status().sent == 1, 30, "the first answer to be sent and recorded")
    with exclusive_lock(rig.database):
        append_all(rig.user, [reply(1)])
        wait_until(
            lambda: daemon.process.poll() is not None or "database unavailable" in daemon.output(),
            30,
            "the daemon to meet the lock",
        )
        assert daemon.process.poll() is None, f"the daemon died:\n{daemon.output()[-3000:]}"
        assert folder_count(rig.user, "INBOX") == 1, "the message was filed without being handled"
        assert len(rig.sink.messages) == 1, "answered without a record of it"
    rig.sink.wait_for(2, timeout=30)
    wait_until(lambda: rig.status().sent == 2 and folder_count(rig.user, "INBOX") == 0, 30, "the record")
    assert daemon.stop() == 0, daemon.output()
    assert_each_answered_once(rig, [0, 1], handled=2)


def _survives(daemon: Spawned, what: str, times: int = 2) -> None:
    """Wait until the daemon logged meeting the lock `times` times (or died); it must still run."""

    def logged() -> int:
        lines = daemon.output().splitlines()
        return sum(1 for line in lines if "locked" in line and (" WARNING " in line or " ERROR " in line))

    wait_until(
        lambda: daemon.process.poll() is not None or "Traceback" in daemon.output() or logged() >= times,
        30,
        what,
    )
    assert daemon.process.poll() is None and "Traceback" not in daemon.output(), (
        f"the daemon died:\n{daemon.output()[-2500:]}"
    )


def test_daemon_started_on_a_locked_database_waits_for_it(locked_rig: Rig) -> None:
    rig = locked_rig
    append_all(rig.user, [reply(0)])
    with exclusive_lock(rig.database):
        daemon = rig.spawn("run")
        _survives(daemon, "the daemon to start on a locked database")
        assert folder_count(rig.user, "INBOX") == 1 and rig.sink.messages == []
    rig.sink.wait_for(1, timeout=30)
    wait_until(lambda: rig.status().sent == 1, 30, "the answer to be recorded")
    assert daemon.stop() == 0, daemon.output()
    assert_each_answered_once(rig, [0], handled=1)


def test_daemon_keeps_running_when_its_schedule_meets_the_lock(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(storage={"busy_timeout_seconds": BUSY_TIMEOUT}, schedule={"lifecycle_seconds": 1})
    daemon = rig.spawn("run")
    append_all(rig.user, [reply(0)])
    wait_until(lambda: rig.status().sent == 1, 30, "the daemon to answer a first reply")
    with exclusive_lock(rig.database):
        append_all(rig.user, [reply(1)])
        _survives(daemon, "the daemon's schedule to meet the lock")
    rig.sink.wait_for(2, timeout=30)
    wait_until(lambda: rig.status().sent == 2, 30, "the answer to be recorded")
    assert daemon.stop() == 0, daemon.output()
    assert_each_answered_once(rig, [0, 1], handled=2)


def test_lock_between_smtp_accept_and_its_record_loses_nothing(locked_rig: Rig) -> None:
    rig = locked_rig
    daemon = rig.spawn("run", pause="smtp:1")  # waits right after the first 250 for DATA
    append_all(rig.user, [reply(0)])
    wait_until(daemon.paused, 30, "the daemon to send the first answer")
    with exclusive_lock(rig.database):
        daemon.resume()
        _survives(daemon, "the daemon to record the sent mail on a locked database", times=1)
    # Recorded as sent once the lock is gone (a resend would carry the same Message-ID).
    wait_until(lambda: rig.status().sent == 1, 30, "the sent mail to be recorded")
    assert daemon.stop() == 0, daemon.output()
    assert_each_answered_once(rig, [0], handled=1)


def test_run_once_on_a_locked_database_says_so_in_one_line(locked_rig: Rig) -> None:
    with exclusive_lock(locked_rig.database):
        result = locked_rig.cli("run", "--once", expect=None)
    assert "Traceback" not in result.err, result
    assert result.code in (0, 2) and "locked" in result.out + result.err, result


# ---- 6. two processes at once -------------------------------------------------------------------


def test_two_processes_at_once_never_give_the_last_seat_twice(make_rig: Callable[..., Rig]) -> None:
    """`run --once` by hand beside the daemon, each reading new mail at the same moment: the
    first has read that one seat is left and stops there; the second reads a reply of its own
    (from another folder) meanwhile. The seat goes to one of them, the other waits in line."""
    rig = make_rig(capacity=1)
    second_config = rig.config.with_name("second.toml")
    second_config.write_text(
        rig.config.read_text(encoding="utf-8").replace("[mailbox]\n", '[mailbox]\nfolder = "Second"\n'),
        encoding="utf-8",
    )
    other = replace(rig, config=second_config, runs=100, spawned=[])
    client = imap(rig.user)
    client.create_folder("Second")
    client.logout()
    append_all(rig.user, [reply(0)])
    append_all(rig.user, [reply(1)], folder="Second")
    first = rig.spawn("run", "--once", pause="understood:1")
    try:
        wait_until(first.paused, 30, "the first pass to read the state for its reply")
        second = other.spawn("run", "--once")
        time.sleep(3)  # room for the second pass to decide from a stale state, if it could
        first.resume()
        assert first.process.wait(timeout=60) == 0, first.output()
        assert second.process.wait(timeout=60) == 0, second.output()
    finally:
        other.close()
    statuses = {row["email"]: row["status"] for row in rig.registrations()}
    assert sorted(statuses.values()) == ["registered", "waiting"], statuses


# ---- 7. a large sweep after a crash ---------------------------------------------------------------


def test_a_crash_before_filing_20000_messages_is_swept_in_slices(rig: Rig) -> None:
    """The position says 20,000 messages were handled, none was filed (a crash between commit
    and MOVE, at the end of a long catch-up). One UID MOVE of them all is longer than Dovecot
    accepts ("Too long argument"); the sweep must file them all, and answer none again."""
    size = 20_000
    append_all(rig.user, (reply(i) for i in range(100)))
    client = imap(rig.user)
    try:
        client.select_folder("INBOX")
        while (count := int(client.folder_status("INBOX", [b"MESSAGES"])[b"MESSAGES"])) < size:
            uids = client.search(["ALL"])[: size - count]
            client.copy(uids, "INBOX")
        status = client.folder_status("INBOX", [b"UIDNEXT", b"UIDVALIDITY"])
    finally:
        client.logout()
    from automation import config as config_module
    from automation.app import App

    app = App.open(config_module.load(rig.config))
    try:
        app.store.set_source_state("imap", int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"]) - 1)
    finally:
        app.close()
    result = rig.cli("run", "--once")
    assert "Traceback" not in result.err, result
    assert folder_count(rig.user, "INBOX") == 0, result
    assert folder_count(rig.user, "Handled") == size
    assert rig.sink.messages == [], "nothing answered again"
