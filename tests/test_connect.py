"""`automation check --connect` against real servers (issue 17 item 11, issue 13 item 4).

It logs in to the mailbox and the SMTP server as configured, creates nothing, sends nothing, and
prints one line per problem with the fix naming the config key (exit 2), else `ok:` per server.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults import Rig, append_all, folder_count, reply, write_config
from servers import LOOPBACK, DovecotServer, ImapUser, SmtpSink, _PortZeroController
from test_real_servers import INBOX_PREFIX, _private_ca, _user
from test_sending_refusals import SEND_AS_DENIED, StrictSink


@pytest.fixture(scope="module")
def prefixed() -> Iterator[DovecotServer]:
    server = DovecotServer.start(INBOX_PREFIX)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def rig(tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink) -> Rig:
    path = write_config(tmp_path, imap_user, smtp_sink)
    return Rig(tmp_path, imap_user, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password))


def _folder(user: ImapUser, name: str) -> None:
    from faults import imap

    client = imap(user)
    try:
        client.create_folder(name)
    finally:
        client.logout()


def _edit(rig: Rig, old: str, new: str) -> None:
    text = rig.config.read_text()
    assert old in text
    rig.config.write_text(text.replace(old, new, 1))


def test_a_good_config_is_ok_and_sends_nothing(rig: Rig) -> None:
    _folder(rig.user, "Handled")
    _folder(rig.user, "Attention")
    result = rig.query("check", "--connect")
    assert "ok: [mailbox]" in result.out and "ok: [sending]" in result.out, result
    assert rig.sink.messages == []


def test_missing_folders_are_named_with_the_fix_and_not_created(rig: Rig) -> None:
    result = rig.query("check", "--connect", expect=2)
    assert "[mailbox] handled_folder" in result.err and "Handled" in result.err, result
    assert "[mailbox] attention_folder" in result.err, result
    assert folder_count(rig.user, "INBOX") == 0
    from faults import imap

    client = imap(rig.user)
    try:
        assert not client.folder_exists("Handled")
    finally:
        client.logout()


def test_missing_folder_under_an_inbox_namespace_names_the_prefixed_folder(
    tmp_path: Path, prefixed: DovecotServer, smtp_sink: SmtpSink
) -> None:
    user = _user(prefixed)
    path = write_config(tmp_path, user, smtp_sink)
    rig = Rig(tmp_path, user, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=user.password))
    _folder(user, "INBOX.Attention")
    result = rig.query("check", "--connect", expect=2)
    assert 'handled_folder = "INBOX.Handled"' in result.err, result
    assert "attention_folder" not in result.err, result


def test_a_wrong_password_is_reported(rig: Rig) -> None:
    rig.env["TEST_IMAP_PASSWORD"] = "not-the-password"
    result = rig.query("check", "--connect", expect=2)
    assert "[mailbox]" in result.err and "login" in result.err and "password" in result.err, result
    assert "not-the-password" not in result.err + result.out


def test_a_refused_sender_is_reported_and_nothing_sent(tmp_path: Path, imap_user: ImapUser) -> None:
    sink = StrictSink()
    sink.start()
    try:
        path = write_config(tmp_path, imap_user, sink)
        rig = Rig(tmp_path, imap_user, sink, path, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password))
        _edit(rig, "[sending]\n", '[sending]\nhelo_name = "automation.example.org"\n')
        sink.strict.sender_refusal = SEND_AS_DENIED
        result = rig.query("check", "--connect", expect=2)
        assert "[sending]" in result.err and "Send As" in result.err, result
        assert sink.strict.helo_names == ["automation.example.org"]
        assert sink.messages == []
    finally:
        sink.stop()


def test_a_wrong_smtp_password_is_reported(tmp_path: Path, imap_user: ImapUser) -> None:
    with StrictSink(auth=True) as sink:
        path = write_config(tmp_path, imap_user, sink)
        env = dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password, TEST_SMTP_PASSWORD="s3cret-wrong")
        rig = Rig(tmp_path, imap_user, sink, path, env)
        login = 'helo_name = "a.example.org"\nusername = "verkosto"\npassword_env = "TEST_SMTP_PASSWORD"\n'
        _edit(rig, "[sending]\n", f"[sending]\n{login}")
        result = rig.query("check", "--connect", expect=2)
        assert "[sending]" in result.err and "login refused for verkosto" in result.err, result
        assert "username and password" in result.err and "s3cret-wrong" not in result.err, result
        assert sink.strict.logins == 1 and sink.messages == []


def test_connection_refused_is_reported(rig: Rig, smtp_sink: SmtpSink) -> None:
    smtp_sink.stop()
    result = rig.query("check", "--connect", expect=2)
    assert f"[sending] host {smtp_sink.host}:{smtp_sink.port}" in result.err, result
    assert "refused" in result.err, result


@pytest.fixture(scope="module")
def internal_ca() -> Iterator[tuple[DovecotServer, Path]]:
    directory = Path(tempfile.mkdtemp(prefix="ca", dir="/dev/shm"))
    directory.chmod(0o755)
    ca, cert, key = _private_ca(directory)
    server = DovecotServer.start(f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n")
    try:
        yield server, ca
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_an_untrusted_certificate_is_reported_with_ca_file_as_the_fix(
    tmp_path: Path, internal_ca: tuple[DovecotServer, Path], smtp_sink: SmtpSink
) -> None:
    server, _ca = internal_ca
    user = _user(server)
    path = write_config(tmp_path, user, smtp_sink)
    rig = Rig(tmp_path, user, smtp_sink, path, dict(os.environ, TEST_IMAP_PASSWORD=user.password))
    _edit(rig, 'security = "none"\nhandled_folder', 'security = "starttls"\nhandled_folder')
    result = rig.query("check", "--connect", expect=2)
    assert "CERTIFICATE_VERIFY_FAILED" in result.err and "[mailbox] ca_file" in result.err, result


# ---- [sending] ca_file: an SMTP relay with a certificate from an internal CA ---------------------


class _TlsSink(SmtpSink):
    """The sink offering STARTTLS with a certificate signed by a private CA."""

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__()
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(cert, key)

    def start(self) -> None:
        controller = _PortZeroController(
            self._handler, hostname=LOOPBACK, port=0, server_hostname="localhost", tls_context=self.tls
        )
        controller.start()
        self._controller = controller
        self.port = controller.port


@pytest.fixture
def private_ca(tmp_path: Path) -> tuple[Path, Path, Path]:
    directory = tmp_path / "ca"
    directory.mkdir()
    return _private_ca(directory)


def _tls_rig(root: Path, user: ImapUser, sink: SmtpSink, sending: str) -> Rig:
    root.mkdir()
    path = write_config(root, user, sink)
    rig = Rig(root, user, sink, path, dict(os.environ, TEST_IMAP_PASSWORD=user.password))
    _edit(rig, '[sending]\nkind = "smtp"', f'[sending]\n{sending}kind = "smtp"')
    _edit(rig, f'port = {sink.port}\nsecurity = "none"', f'port = {sink.port}\nsecurity = "starttls"')
    return rig


def test_sending_ca_file_trusts_a_private_ca(
    tmp_path: Path, imap_user: ImapUser, private_ca: tuple[Path, Path, Path]
) -> None:
    ca, cert, key = private_ca
    with _TlsSink(cert, key) as sink:
        untrusted = _tls_rig(tmp_path / "untrusted", imap_user, sink, "")
        result = untrusted.query("check", "--connect", expect=2)
        assert "CERTIFICATE_VERIFY_FAILED" in result.err and "[sending] ca_file" in result.err, result

        trusted = _tls_rig(tmp_path / "trusted", imap_user, sink, f'ca_file = "{ca}"\n')
        _folder(imap_user, "Handled")
        _folder(imap_user, "Attention")
        result = trusted.query("check", "--connect")
        assert "ok: [sending]" in result.out, result
        append_all(imap_user, [reply(1)])
        trusted.cli("run", "--once")
        assert [m.envelope_to for m in sink.wait_for(1)] == [["p1@example.fi"]]


# ---- run --once: a pass that could not reach the SMTP server is not a green one ------------------


def test_run_once_exits_1_when_the_smtp_server_refuses_the_connection(rig: Rig, smtp_sink: SmtpSink) -> None:
    append_all(rig.user, [reply(1)])
    smtp_sink.stop()
    result = rig.cli("run", "--once", expect=1)
    assert f"cannot connect to SMTP {smtp_sink.host}:{smtp_sink.port}" in result.out + result.err, result
    # The answer is kept for the next pass, not lost.
    assert "1 new message(s)" in result.out, result


def test_run_once_exits_0_when_there_is_nothing_to_send(rig: Rig, smtp_sink: SmtpSink) -> None:
    smtp_sink.stop()  # nothing queued: the pass never needs the server
    rig.cli("run", "--once")


def test_a_server_that_never_answers_is_reported_as_a_timeout(rig: Rig) -> None:
    # A listening socket nobody accepts on: the TCP handshake completes, no greeting ever comes
    # (what a firewall or a wrong port in front of another service looks like).
    with socket.create_server((LOOPBACK, 0)) as silent:
        port = silent.getsockname()[1]
        text = rig.config.read_text()
        text = text.replace(f"port = {rig.user.port}\n", f"port = {port}\ntimeout = 1\n", 1)
        text = text.replace(f"port = {rig.sink.port}\n", f"port = {port}\ntimeout = 1\n", 1)
        rig.config.write_text(text)
        result = rig.query("check", "--connect", expect=2)
    for section in ("mailbox", "sending"):
        assert f"[{section}] host {LOOPBACK}:{port}: no answer within 1 s" in result.err, result
