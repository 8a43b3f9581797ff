"""The mailbox on Dovecot configured like other real servers (issue 17, items 8 and 11).

hMailServer and older Exchange offer neither MOVE nor UIDPLUS; Courier, Cyrus and many hosted
servers keep every folder under the personal namespace "INBOX." with "." between levels.
Each server here is a real Dovecot told to look like that; the default server stays as it is.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from faults import Rig, append_all, folder_count, imap, reply, write_config
from servers import DovecotServer, ImapUser, SmtpSink

# Dovecot 2.3's own list after login, without MOVE and UIDPLUS (it has no "-MOVE" syntax).
NO_MOVE = """imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT \
THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE LIST-EXTENDED I18NLEVEL=1 \
ESEARCH SEARCHRES WITHIN LIST-STATUS BINARY SPECIAL-USE LITERAL+
"""
INBOX_PREFIX = """namespace inbox {
  inbox = yes
  prefix = INBOX.
  separator = .
}
"""
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def legacy_dovecot() -> Iterator[DovecotServer]:
    server = DovecotServer.start(NO_MOVE)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def prefixed_dovecot() -> Iterator[DovecotServer]:
    server = DovecotServer.start(INBOX_PREFIX)
    try:
        yield server
    finally:
        server.stop()


def _user(server: DovecotServer) -> ImapUser:
    name, password = f"real{next(_numbers)}-{secrets.token_hex(3)}", secrets.token_hex(8)
    return ImapUser(server.host, server.port, name, password, server.add_user(name, password))


@pytest.fixture
def rig_on(tmp_path: Path, smtp_sink: SmtpSink) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []

    def make(server: DovecotServer, **config: Any) -> Rig:
        user = _user(server)
        path = write_config(tmp_path, user, smtp_sink, **config)
        env = dict(os.environ, TEST_IMAP_PASSWORD=user.password)
        made.append(Rig(tmp_path, user, smtp_sink, path, env))
        return made[-1]

    yield make
    for rig in made:
        rig.close()


def _folders(user: ImapUser) -> list[str]:
    client = imap(user)
    try:
        return [name for _flags, _delimiter, name in client.list_folders()]
    finally:
        client.logout()


# ---- item 8: no MOVE, no UIDPLUS ----------------------------------------------------------------


def test_without_move_and_uidplus_each_message_is_filed_once_and_counted(
    legacy_dovecot: DovecotServer, rig_on: Callable[..., Rig]
) -> None:
    rig = rig_on(legacy_dovecot)
    append_all(rig.user, (reply(i) for i in range(3)))
    first = rig.cli("run", "--once")
    assert "3 new message(s)" in first.out, first
    for _ in range(2):
        rig.cli("run", "--once")
    assert (folder_count(rig.user, "INBOX"), folder_count(rig.user, "Handled")) == (0, 3)
    assert len(rig.sink.messages) == 3


def test_a_crash_after_copy_before_expunge_never_copies_twice(
    legacy_dovecot: DovecotServer, rig_on: Callable[..., Rig]
) -> None:
    rig = rig_on(legacy_dovecot)
    append_all(rig.user, (reply(i) for i in range(3)))
    rig.cli("run", "--once", crash="copied:1", expect=-9)
    assert folder_count(rig.user, "Handled") == 3  # copied, still in INBOX
    for _ in range(2):
        rig.cli("run", "--once")
    assert (folder_count(rig.user, "INBOX"), folder_count(rig.user, "Handled")) == (0, 3)


# ---- item 11: folders under "INBOX." ------------------------------------------------------------


def test_folders_follow_the_servers_namespace_prefix(
    prefixed_dovecot: DovecotServer, rig_on: Callable[..., Rig]
) -> None:
    rig = rig_on(prefixed_dovecot)
    append_all(rig.user, [reply(1)])
    result = rig.cli("run", "--once")
    assert "1 new message(s)" in result.out, result
    assert "INBOX.Handled" in _folders(rig.user)
    assert (folder_count(rig.user, "INBOX"), folder_count(rig.user, "INBOX.Handled")) == (0, 1)


def test_run_once_exits_non_zero_when_the_mailbox_cannot_be_reached(
    tmp_path: Path, smtp_sink: SmtpSink
) -> None:
    closed = ImapUser("127.0.0.1", _closed_port(), "nobody", "x", tmp_path)
    path = write_config(tmp_path, closed, smtp_sink)
    rig = Rig(tmp_path, closed, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD="x"))
    result = rig.cli("run", "--once", expect=None)
    assert result.code == 1, result
    assert "mailbox unavailable" in result.out, result
    assert "Traceback" not in result.err, result


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens once the socket is closed


# ---- item 11: a server whose certificate comes from a private CA ---------------------------------


def _private_ca(directory: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1, made with openssl."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Test internal CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1",
    )  # fmt: skip
    (directory / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "authorityKeyIdentifier=keyid\nextendedKeyUsage=serverAuth\n"
    )
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
    )  # fmt: skip
    for name in ("ca.pem", "server.pem", "server.key"):
        (directory / name).chmod(0o644)
    return directory / "ca.pem", directory / "server.pem", directory / "server.key"


@pytest.fixture(scope="module")
def internal_ca_dovecot() -> Iterator[tuple[DovecotServer, Path]]:
    directory = Path(tempfile.mkdtemp(prefix="ca", dir="/dev/shm"))
    directory.chmod(0o755)
    ca, cert, key = _private_ca(directory)
    server = DovecotServer.start(f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n")
    try:
        yield server, ca
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def _starttls_rig(root: Path, server: DovecotServer, sink: SmtpSink, extra: str) -> Rig:
    root.mkdir()
    user = _user(server)
    path = write_config(root, user, sink)
    # security = "starttls" on Dovecot's plain port: same listener, TLS before LOGIN.
    text = path.read_text().replace(
        'security = "none"\nhandled_folder', f'security = "starttls"\n{extra}handled_folder', 1
    )
    path.write_text(text)
    return Rig(root, user, sink, path, dict(os.environ, TEST_IMAP_PASSWORD=user.password))


def test_a_private_ca_in_ca_file_is_trusted(
    tmp_path: Path, internal_ca_dovecot: tuple[DovecotServer, Path], smtp_sink: SmtpSink
) -> None:
    server, ca = internal_ca_dovecot
    untrusted = _starttls_rig(tmp_path / "untrusted", server, smtp_sink, "")
    failed = untrusted.cli("run", "--once", expect=1)
    assert "CERTIFICATE_VERIFY_FAILED" in failed.out, failed
    assert "MAILBOX UNREACHABLE" in untrusted.query("status", expect=1).out

    trusted = _starttls_rig(tmp_path / "trusted", server, smtp_sink, f'ca_file = "{ca}"\n')
    append_all(trusted.user, [reply(1)])
    result = trusted.cli("run", "--once")
    assert "1 new message(s)" in result.out, result


# ---- item 5: a first start does not act on the mailbox's history --------------------------------


def _append_at(user: ImapUser, data: bytes, when: datetime) -> None:
    client = imap(user)
    try:
        client.append("INBOX", data, msg_time=when)
    finally:
        client.logout()


def test_first_start_leaves_older_mail_untouched_and_says_how_many(
    legacy_dovecot: DovecotServer, rig_on: Callable[..., Rig]
) -> None:
    # The rig's clock says 2024-02-14; a year-old "Kyllä, tulen" must not register anyone.
    rig = rig_on(legacy_dovecot)
    year_ago = datetime(2023, 2, 1, 12, 0, tzinfo=UTC)
    for i in (1, 2):
        _append_at(rig.user, reply(i), year_ago)
    append_all(rig.user, [reply(3)])  # arrives now (real time, after the rig's first start)
    first = rig.cli("run", "--once")
    assert "1 new message(s)" in first.out, first
    assert "2 older message(s) left untouched" in first.out, first
    rig.cli("run", "--once")
    assert [m.envelope_to for m in rig.sink.messages] == [["p3@example.fi"]]
    assert (folder_count(rig.user, "INBOX"), folder_count(rig.user, "Handled")) == (2, 1)
    assert "older message" not in rig.cli("run", "--once").out


def test_since_sets_where_the_first_start_begins(
    legacy_dovecot: DovecotServer, rig_on: Callable[..., Rig]
) -> None:
    rig = rig_on(legacy_dovecot)
    _append_at(rig.user, reply(1), datetime(2023, 1, 5, 12, 0, tzinfo=UTC))
    _append_at(rig.user, reply(2), datetime(2023, 3, 5, 12, 0, tzinfo=UTC))
    text = rig.config.read_text().replace("[sending]", "since = 2023-02-01\n[sending]", 1)
    rig.config.write_text(text)
    first = rig.cli("run", "--once")
    assert "1 new message(s)" in first.out and "1 older message(s) left untouched" in first.out, first
    assert [m.envelope_to for m in rig.sink.messages] == [["p2@example.fi"]]
