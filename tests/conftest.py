"""Shared fixtures: a real Dovecot IMAP server and an SMTP sink on loopback."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator

import pytest
from servers import DovecotServer, ImapUser, SmtpSink

# Unique per process; the random part keeps names distinct across xdist workers
# that might one day share a server.
_user_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    # One server per session: stopping one takes ~1.1 s.
    server = DovecotServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> ImapUser:
    # A fresh user per test gives every test an empty mailbox without
    # restarting the server or cleaning up after other tests.
    username = f"user{next(_user_numbers)}-{secrets.token_hex(3)}"
    password = secrets.token_hex(8)
    maildir = dovecot.add_user(username, password)
    return ImapUser(dovecot.host, dovecot.port, username, password, maildir)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
