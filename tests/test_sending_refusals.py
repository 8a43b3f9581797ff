"""Refusals of the session, not of one recipient (issue 17, items 12, 7 and 10).

A real aiosmtpd server refuses as real relays do: a non-FQDN EHLO (504, Postfix's
reject_non_fqdn_helo_hostname), our sender (Office 365's 554 5.2.252 SendAsDenied), and a login
(535). None of these may fail the queued mail; the outbox waits, `status` says why (exit 1), and
everything goes out once the server accepts again.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, Session
from faults import Rig, append_all, message_id, parsed, reply, sender, sent, write_config
from servers import LOOPBACK, DovecotServer, ImapUser, SmtpSink, _PortZeroController, _SinkHandler

ADDRESS = "verkosto@example.org"
COORDINATOR = 'coordinator = "koordinaattori@example.org"'
SEND_AS_DENIED = (
    "554 5.2.252 SendAsDenied; verkosto@example.org not allowed to send as verkosto@example.org;"
    " STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied"
)


class _StrictHandler(_SinkHandler):
    """The sink, plus what strict relays do: EHLO names must be FQDNs, senders may be refused,
    logins are checked (and counted)."""

    def __init__(self) -> None:
        super().__init__()
        self.helo_names: list[str] = []
        self.sender_refusal = ""
        self.logins = 0
        self.password = "right"

    async def handle_EHLO(
        self, server: SMTPServer, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        self.helo_names.append(hostname)
        if not _fqdn(hostname):
            return [f"504 5.5.2 <{hostname}>: Helo command rejected: need fully-qualified hostname"]
        session.host_name = hostname
        return responses

    async def handle_HELO(
        self, server: SMTPServer, session: Session, envelope: Envelope, hostname: str
    ) -> str:
        self.helo_names.append(hostname)
        if not _fqdn(hostname):
            return f"504 5.5.2 <{hostname}>: Helo command rejected: need fully-qualified hostname"
        session.host_name = hostname
        return "250 loopback"

    async def handle_MAIL(
        self, server: SMTPServer, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.sender_refusal:
            return self.sender_refusal
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        self.logins += 1
        ok = getattr(data, "password", b"") == self.password.encode()
        return AuthResult(success=ok, handled=False)


def _fqdn(name: str) -> bool:
    return "." in name.strip("[]") or name.startswith("[")


class StrictSink(SmtpSink):
    def __init__(self, auth: bool = False) -> None:
        super().__init__()
        self.strict = _StrictHandler()
        self._handler = self.strict
        self.auth = auth

    def start(self) -> None:
        extra: dict[str, Any] = (
            {"authenticator": self.strict.authenticate, "auth_require_tls": False} if self.auth else {}
        )
        controller = _PortZeroController(
            self._handler, hostname=LOOPBACK, port=0, server_hostname="localhost", **extra
        )
        controller.start()
        self._controller = controller
        self.port = controller.port


@pytest.fixture
def make_rig(tmp_path: Path, imap_user: ImapUser) -> Iterator[Callable[..., Rig]]:
    made: list[Rig] = []
    sinks: list[StrictSink] = []

    def make(sending: str = "", auth: bool = False) -> Rig:
        sink = StrictSink(auth=auth)
        sink.start()
        sinks.append(sink)
        path = write_config(tmp_path, imap_user, sink)
        path.write_text(path.read_text().replace("[sending]\n", f"[sending]\n{sending}\n", 1))
        env = dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password, TEST_SMTP_PASSWORD="wrong")
        made.append(Rig(tmp_path, imap_user, sink, path, env))
        return made[-1]

    yield make
    for rig in made:
        rig.close()
    for sink in sinks:
        sink.stop()


def strict(rig: Rig) -> _StrictHandler:
    assert isinstance(rig.sink, StrictSink)
    return rig.sink.strict


# ---- 12. EHLO ------------------------------------------------------------------------------------


def test_configured_helo_name_is_announced_and_mail_delivered(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    append_all(rig.user, (reply(i) for i in range(2)))
    rig.cli("run", "--once")
    assert sorted(m.recipient for m in sent(rig.sink)) == [sender(0), sender(1)]
    assert set(strict(rig).helo_names) == {"daemon.example.org"}


def test_default_helo_is_a_fully_qualified_name_not_localhost(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig()
    append_all(rig.user, [reply(0)])
    rig.cli("run", "--once")
    assert [m.recipient for m in sent(rig.sink)] == [sender(0)]
    assert strict(rig).helo_names and "localhost" not in strict(rig).helo_names
    assert all(_fqdn(name) for name in strict(rig).helo_names)
    from automation.transports.smtp import default_helo_name

    assert default_helo_name() is default_helo_name()  # computed once per process


# ---- 7. the sender refused -----------------------------------------------------------------------


@pytest.mark.parametrize("step", ["MAIL", "DATA"])  # Microsoft 365 answers after DATA
def test_send_as_denied_pauses_the_outbox_and_resumes_when_allowed(
    make_rig: Callable[..., Rig], step: str
) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    if step == "MAIL":
        strict(rig).sender_refusal = SEND_AS_DENIED
    else:
        rig.sink.refuse_next(3, 554, SEND_AS_DENIED.removeprefix("554 "))
    append_all(rig.user, (reply(i) for i in range(3)))
    rig.cli("run", "--once", expect=1)  # a monitor running it from cron must see the failure
    status = rig.status()
    assert (status.sent, status.waiting, status.failed) == (0, 3, 0), status.text
    assert status.code == 1, status.text
    assert f"may not send as {ADDRESS}" in status.text and "Send As" in status.text, status.text
    # The admin grants the right; the next attempt (after the pause) sends everything, once.
    strict(rig).sender_refusal = ""
    rig.sink.clear()
    rig.advance(minutes=20)
    rig.run_until_quiet()
    assert sorted(m.recipient for m in sent(rig.sink)) == [sender(i) for i in range(3)]
    status = rig.status()
    assert (status.sent, status.waiting, status.failed, status.code) == (3, 0, 0, 0), status.text
    assert "SENDING PAUSED" not in status.text


def test_outbox_retry_requeues_failed_mail(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    rig.sink.refuse_recipient(sender(1))
    append_all(rig.user, (reply(i) for i in range(2)))
    rig.cli("run", "--once")
    assert rig.status().failed == 1
    rig.sink.clear()
    result = rig.cli("outbox", "retry", "--since", "2024-01-01")
    assert "1 failed message(s) queued again" in result.out, result
    rig.run_until_quiet()
    assert [m.recipient for m in sent(rig.sink)] == [sender(1)]
    assert rig.status().failed == 0


# ---- 10. login refused ---------------------------------------------------------------------------


def test_refused_login_backs_off_and_says_so(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig(
        'helo_name = "daemon.example.org"\nusername = "verkosto"\npassword_env = "TEST_SMTP_PASSWORD"',
        auth=True,
    )
    append_all(rig.user, [reply(0)])
    for _ in range(3):  # three passes within a minute: one login attempt, not three
        rig.cli("run", "--once", expect=None)
        rig.advance(seconds=10)
    assert strict(rig).logins == 1
    status = rig.status()
    assert status.code == 1 and status.waiting == 1 and status.failed == 0, status.text
    assert "SMTP login refused" in status.text and "next attempt" in status.text, status.text
    # The password is fixed: after the pause the mail goes out.
    rig.env["TEST_SMTP_PASSWORD"] = "right"
    rig.advance(minutes=20)
    rig.run_until_quiet()
    assert [m.recipient for m in sent(rig.sink)] == [sender(0)]


# ---- 6. mail that became pointless ---------------------------------------------------------------


def test_a_confirmation_still_queued_after_the_meeting_is_dropped_with_a_reason(
    make_rig: Callable[..., Rig],
) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    rig.sink.refuse_next(1)  # 451: the confirmation waits for a retry
    append_all(rig.user, [reply(0)])
    rig.cli("run", "--once")
    assert rig.status().waiting == 1
    rig.advance(days=30)  # the meeting (12.3.) is over when the server accepts again
    rig.run_until_quiet()
    assert message_id(0) not in [m.in_reply_to for m in sent(rig.sink)]
    status = rig.status()
    assert status.waiting == 0 and status.failed == 0, status.text
    assert f"expired: {sender(0)} (confirmation): pointless after the meeting ended" in status.text, (
        status.text
    )
    assert "1 expired" in status.text, status.text


def test_max_retry_hours_applies_when_the_connection_never_opens(make_rig: Callable[..., Rig]) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    text = rig.config.read_text()
    rig.config.write_text(
        text.replace(f'address = "{ADDRESS}"\n', f'address = "{ADDRESS}"\n{COORDINATOR}\n', 1)
    )
    rig.sink.stop()  # nothing listens on its port any more
    append_all(rig.user, (reply(i) for i in range(3)))
    rig.cli("run", "--once", expect=None)
    assert rig.status().failed == 0
    rig.advance(hours=73)
    rig.cli("run", "--once", expect=None)
    status = rig.status()
    for i in range(3):
        assert f"failed: {sender(i)} (confirmation): gave up after 72 h" in status.text, status.text
    # One notice to the coordinator for the three (it waits too), not one per message.
    with sqlite3.connect(rig.database) as db:
        notices = db.execute("SELECT context FROM outbox WHERE purpose = 'undeliverable'").fetchall()
    assert len(notices) == 1 and all(sender(i) in notices[0][0] for i in range(3)), notices


def test_refused_mailbox_login_backs_off_on_imap_too_and_says_so(
    make_rig: Callable[..., Rig], dovecot: DovecotServer
) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    append_all(rig.user, [reply(0)])
    rig.env["TEST_IMAP_PASSWORD"] = "wrong"
    before = dovecot.log_path.read_text(errors="replace").count("auth failed")
    for _ in range(3):  # three passes within a minute: one login attempt, not three
        result = rig.cli("run", "--once", expect=1)
        rig.advance(seconds=10)
    assert "IMAP login refused" in result.out + result.err, result
    assert dovecot.log_path.read_text(errors="replace").count("auth failed") - before == 1
    status = rig.status()
    assert status.code == 1, status.text
    assert "MAILBOX LOGIN PAUSED" in status.text and "next attempt" in status.text, status.text
    assert "wrong" not in status.text  # the password itself is never shown
    # The password is fixed: after the pause the reply is read and answered, once.
    rig.env["TEST_IMAP_PASSWORD"] = rig.user.password
    rig.advance(minutes=20)
    rig.run_until_quiet()
    assert [m.recipient for m in sent(rig.sink)] == [sender(0)]
    status = rig.status()
    assert status.code == 0 and "MAILBOX LOGIN PAUSED" not in status.text, status.text


# ---- 7. and 10.: the coordinator hears of it by the other route ----------------------------------


def _with_alert_route(rig: Rig, route: SmtpSink) -> None:
    text = rig.config.read_text()
    text = text.replace(
        '[network]\naddress = "verkosto@example.org"\n',
        '[network]\naddress = "verkosto@example.org"\ncoordinator = "koordinaattori@example.org"\n',
    )
    text += f'\n[alerts]\nhost = "{LOOPBACK}"\nport = {route.port}\nsecurity = "none"\n'
    rig.config.write_text(text)


@pytest.mark.parametrize("side", ["sending", "mailbox"])
def test_a_paused_side_tells_the_coordinator_once_by_the_alert_route(
    make_rig: Callable[..., Rig], side: str
) -> None:
    rig = make_rig('helo_name = "daemon.example.org"')
    with SmtpSink() as route:
        _with_alert_route(rig, route)
        append_all(rig.user, (reply(i) for i in range(2)))
        if side == "sending":
            strict(rig).sender_refusal = SEND_AS_DENIED
        else:
            rig.env["TEST_IMAP_PASSWORD"] = "wrong"
        for _ in range(3):  # the outage lasts several passes and backoffs: still one alert
            rig.cli("run", "--once", expect=None)
            rig.advance(minutes=5)
        alerts = route.wait_for(1)
        assert [m.envelope_to for m in alerts] == [["koordinaattori@example.org"]]
        alert = parsed(alerts[0].data)
        body = alert.get_body(("plain",))
        assert body is not None
        text, subject = body.get_content(), str(alert["Subject"])
        if side == "sending":
            assert "ei lähde" in subject, subject
            assert f"may not send as {ADDRESS}" in text and "Send As" in text, text
        else:
            assert "postilaatikkoon" in subject, subject
            assert "IMAP login refused" in text, text
        assert "wrong" not in text  # never the password
        assert [m for m in sent(rig.sink) if m.recipient != "koordinaattori@example.org"] == []
        # Fixed: the queued answers go out once by the usual route; no second alert.
        strict(rig).sender_refusal = ""
        rig.env["TEST_IMAP_PASSWORD"] = rig.user.password
        rig.advance(minutes=20)
        rig.run_until_quiet()
        answered = sorted(m.recipient for m in sent(rig.sink) if m.recipient != "koordinaattori@example.org")
        assert answered == [sender(0), sender(1)]
        assert len(route.messages) == 1


def test_an_address_refused_for_good_is_reported_to_the_coordinator_once(
    make_rig: Callable[..., Rig],
) -> None:
    """Found by the soak: every mail refused with 5xx for the same address sent the coordinator
    another identical "undeliverable" notice (seven in a fortnight for one address)."""
    rig = make_rig('helo_name = "daemon.example.org"')
    text = rig.config.read_text()
    rig.config.write_text(
        text.replace(f'address = "{ADDRESS}"\n', f'address = "{ADDRESS}"\n{COORDINATOR}\n', 1)
    )
    rig.sink.refuse_recipient(sender(1))
    for tag in ("first", "second", "third"):  # three answers to the same address, each refused
        append_all(rig.user, [reply(1, tag=tag)])
        rig.run_until_quiet()
    assert rig.status().failed == 3
    notices = [m for m in sent(rig.sink) if m.message_id.startswith("<undeliverable.")]
    assert len(notices) == 1, notices
