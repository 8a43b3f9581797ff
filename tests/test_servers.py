"""Prove the server fixtures work against real clients."""

from __future__ import annotations

import contextlib
import smtplib
from email.message import EmailMessage

import pytest
from imapclient import IMAPClient
from servers import DovecotServer, ImapUser, SmtpSink


def _message(subject: str, to: str = "rcpt@example.test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "sender@example.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(f"Body of {subject}\n")
    return msg


def _connect(user: ImapUser) -> IMAPClient:
    client = IMAPClient(user.host, port=user.port, ssl=False, timeout=10)
    client.login(user.username, user.password)
    return client


def test_imap_user_starts_empty(imap_user: ImapUser) -> None:
    assert imap_user.maildir.is_dir()
    with _connect(imap_user) as client:
        info = client.select_folder("INBOX")
        assert info[b"EXISTS"] == 0


def test_imap_append_search_move(imap_user: ImapUser) -> None:
    with _connect(imap_user) as client:
        client.append("INBOX", _message("hello").as_bytes())
        client.select_folder("INBOX")
        uids = client.search(["ALL"])
        assert len(uids) == 1

        client.create_folder("Archive")
        client.move(uids, "Archive")
        assert client.search(["ALL"]) == []

        client.select_folder("Archive", readonly=True)
        moved = client.search(["ALL"])
        assert len(moved) == 1
        fetched = client.fetch(moved, ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"])
        header = fetched[moved[0]][b"BODY[HEADER.FIELDS (SUBJECT)]"]
        assert b"Subject: hello" in header
    # Dovecot stored it where the fixture said it would (new/ or cur/,
    # depending on whether the message was still \Recent).
    archive = imap_user.maildir / ".Archive"
    assert len([*(archive / "new").iterdir(), *(archive / "cur").iterdir()]) == 1


def test_users_are_isolated(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    other = dovecot.add_user("isolated-other", "secret")
    assert other != imap_user.maildir
    with _connect(imap_user) as client:
        client.append("INBOX", _message("mine").as_bytes())
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as client:
        client.login("isolated-other", "secret")
        assert client.select_folder("INBOX")[b"EXISTS"] == 0


def test_restart_keeps_port_and_data(dovecot: DovecotServer, imap_user: ImapUser) -> None:
    port = dovecot.port
    client = _connect(imap_user)
    try:
        client.append("INBOX", _message("before restart").as_bytes())
        client.select_folder("INBOX")

        dovecot.restart()

        assert dovecot.is_running()
        assert dovecot.port == port
        # The old connection was dropped by the restart ...
        with pytest.raises((OSError, IMAPClient.AbortError, IMAPClient.Error)):
            client.noop()
    finally:
        with contextlib.suppress(OSError):
            client.shutdown()
    # ... and a new one sees the same mail.
    with _connect(imap_user) as fresh:
        fresh.select_folder("INBOX")
        assert len(fresh.search(["ALL"])) == 1


def test_smtp_sink_receives(smtp_sink: SmtpSink) -> None:
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, local_hostname="localhost") as smtp:
        smtp.send_message(_message("via smtp"), to_addrs=["a@example.test", "b@example.test"])
    (mail,) = smtp_sink.wait_for(1)
    assert mail.envelope_from == "sender@example.test"
    assert mail.envelope_to == ["a@example.test", "b@example.test"]
    assert b"Subject: via smtp" in mail.data


def test_smtp_sink_refuse_next(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_next(1)
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, local_hostname="localhost") as smtp:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.send_message(_message("first try"))
        assert refused.value.smtp_code == 451
        smtp.send_message(_message("second try"))
    (mail,) = smtp_sink.wait_for(1)
    assert b"Subject: second try" in mail.data


def test_smtp_sink_refuse_recipient(smtp_sink: SmtpSink) -> None:
    smtp_sink.refuse_recipient("Nobody@example.test")
    with smtplib.SMTP(smtp_sink.host, smtp_sink.port, local_hostname="localhost") as smtp:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_message(_message("lost"), to_addrs=["nobody@example.test"])
        assert refused.value.recipients["nobody@example.test"][0] == 550
        # A mixed envelope is delivered to the accepted recipient only.
        rejected = smtp.send_message(_message("partial"), to_addrs=["nobody@example.test", "ok@example.test"])
        assert set(rejected) == {"nobody@example.test"}
    (mail,) = smtp_sink.wait_for(1)
    assert mail.envelope_to == ["ok@example.test"]


def test_smtp_sink_wait_for_times_out(smtp_sink: SmtpSink) -> None:
    with pytest.raises(AssertionError, match="expected at least 1"):
        smtp_sink.wait_for(1, timeout=0.1)
