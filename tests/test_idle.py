"""IMAP IDLE as RFC 2177 means it (issue 17, item 9): one IDLE held open, not a poll.

A small TCP proxy between the daemon and the real Dovecot counts the commands the daemon sends.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from faults import Rig, append_all, reply, wait_until, write_config
from servers import ImapUser, SmtpSink

from automation.inbox.imap import ImapSource

_COMMAND = re.compile(rb"^(?:[A-Za-z0-9.]+ ([A-Za-z]+)|(DONE))", re.MULTILINE)


class CountingProxy:
    """Forwards one port to the IMAP server and counts what clients send, by command name."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(self.upstream)
                threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, count: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if count:
                    self._count(data)
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _count(self, data: bytes) -> None:
        with self.lock:
            for match in _COMMAND.finditer(data):
                name = (match.group(1) or match.group(2)).decode().upper()
                self.counts[name] = self.counts.get(name, 0) + 1

    def snapshot(self) -> dict[str, int]:
        with self.lock:
            return dict(self.counts)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def proxy(imap_user: ImapUser) -> Iterator[CountingProxy]:
    counting = CountingProxy((imap_user.host, imap_user.port))
    yield counting
    counting.close()


def test_an_idle_daemon_holds_one_idle_and_still_answers_within_seconds(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, proxy: CountingProxy
) -> None:
    user = imap_user
    via_proxy = ImapUser(user.host, proxy.port, user.username, user.password, user.maildir)
    path = write_config(tmp_path, via_proxy, smtp_sink)
    path.write_text(path.read_text().replace("poll_seconds = 1", "poll_seconds = 600", 1))
    rig = Rig(tmp_path, via_proxy, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password))
    daemon = rig.spawn("run")
    try:
        wait_until(lambda: proxy.snapshot().get("IDLE"), 30, "the daemon's first IDLE")
        before = proxy.snapshot()
        time.sleep(10)
        after = proxy.snapshot()
        quiet = {name: after.get(name, 0) - before.get(name, 0) for name in ("IDLE", "DONE", "NOOP")}
        # A one-second poll sends ~10 of each here; one IDLE held open sends none.
        assert sum(quiet.values()) <= 2, (quiet, daemon.output())
        sent_at = time.monotonic()
        append_all(imap_user, [reply(1)])
        smtp_sink.wait_for(1, timeout=15)
        assert time.monotonic() - sent_at < 5, daemon.output()
    finally:
        daemon.stop()


def test_a_short_poll_interval_does_not_end_the_idle(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, proxy: CountingProxy
) -> None:
    """The scheduled poll is a fallback for servers without IDLE: while one is open and healthy
    the server announces new mail itself, so a 2 s poll_seconds must not DONE it every 2 s."""
    user = imap_user
    via_proxy = ImapUser(user.host, proxy.port, user.username, user.password, user.maildir)
    path = write_config(tmp_path, via_proxy, smtp_sink)
    path.write_text(path.read_text().replace("poll_seconds = 1", "poll_seconds = 2", 1))
    rig = Rig(tmp_path, via_proxy, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password))
    daemon = rig.spawn("run")
    try:
        wait_until(lambda: proxy.snapshot().get("IDLE"), 30, "the daemon's first IDLE")
        before = proxy.snapshot()
        time.sleep(10)
        after = proxy.snapshot()
        quiet = {name: after.get(name, 0) - before.get(name, 0) for name in set(after) | set(before)}
        # Polling every 2 s sends ~5 × (DONE, SEARCH, NOOP, SEARCH, IDLE) here; one IDLE, none.
        assert sum(quiet.values()) <= 3, (quiet, daemon.output())
        sent_at = time.monotonic()
        append_all(imap_user, [reply(1)])
        smtp_sink.wait_for(1, timeout=15)
        assert time.monotonic() - sent_at < 5, daemon.output()
    finally:
        daemon.stop()


@contextmanager
def _locked(database: Path) -> Iterator[None]:
    """Another process's write transaction on the database (a backup tool, a stuck CLI)."""
    conn = sqlite3.connect(str(database), isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_mail_read_during_a_locked_pass_is_retried_without_waiting_for_idle(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    """IDLE announced the reply, the pass that read it met a locked database: the server will
    not announce it again and the scheduled poll is skipped, so the daemon retries by itself."""
    path = write_config(tmp_path, imap_user, smtp_sink, storage={"busy_timeout_seconds": 1.0})
    path.write_text(path.read_text().replace("poll_seconds = 1", "poll_seconds = 600", 1))
    rig = Rig(tmp_path, imap_user, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password))
    daemon = rig.spawn("run")
    try:
        wait_until(lambda: "published" in daemon.output(), 30, "the daemon to start")
        time.sleep(1)  # into its IDLE
        with _locked(rig.database):
            append_all(imap_user, [reply(1)])
            wait_until(
                lambda: any("mail source" in ln and "locked" in ln for ln in daemon.output().splitlines()),
                30,
                "the pass to meet the lock",
            )
        released = time.monotonic()
        smtp_sink.wait_for(1, timeout=30)
        assert time.monotonic() - released < 10, daemon.output()
    finally:
        daemon.stop()


class _FakeClient:
    """Just enough of IMAPClient for an open IDLE: DONE's answer is what the test says."""

    def __init__(self, done: list[object]) -> None:
        self.done = done
        self.sent: list[str] = []

    def idle_done(self) -> tuple[bytes, list[object]]:
        self.sent.append("DONE")
        return b"OK", self.done

    def idle_check(self, timeout: float) -> list[object]:
        self.sent.append("check")
        return []


def _idling_source(client: _FakeClient) -> ImapSource:
    source = ImapSource("h", 1, "tls", "u", "p", "INBOX", "", "", True, 5.0, lambda refs: {})
    source.client = client  # type: ignore[assignment]
    source.idling, source.idle_since, source.can_idle = True, time.monotonic(), True
    return source


def test_mail_announced_in_the_answer_to_done_wakes_the_next_wait() -> None:
    """An EXISTS that arrives with DONE (the IDLE ended for another command) is not announced
    again by the next IDLE: the next wait returns at once, once."""
    source = _idling_source(_FakeClient([(3, b"EXISTS"), (1, b"RECENT")]))
    assert source.watching()
    source._connected()  # any other command ends the IDLE first
    assert not source.watching()
    assert source.wait(5.0) is True
    assert source.mail_pending is False


def test_an_open_idle_waits_without_done_and_renews_as_a_safety_poll() -> None:
    client = _FakeClient([])
    source = _idling_source(client)
    assert source.wait(0.01) is False and client.sent == ["check"]  # still open, no DONE
    source.idle_since -= 26 * 60  # past the renewal
    assert not source.watching()
    assert source.wait(0.01) is True and client.sent[-1] == "DONE"
