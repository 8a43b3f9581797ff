"""The whole loop on real parts: Dovecot IMAP, an aiosmtpd SMTP server, a SQLite file."""

from __future__ import annotations

import email
import json
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from imapclient import IMAPClient
from mails import outlook_reply
from servers import ImapUser, SmtpSink, loopback_config

from automation.cli import main

REPO = Path(__file__).resolve().parent.parent
NOW = "2024-02-14T10:00"


def write_config(tmp_path: Path, user: ImapUser, sink: SmtpSink, capacity: int = 60) -> Path:
    (tmp_path / "contacts.csv").write_text(
        "email,name,organisation,language\n"
        "maija@example.fi,Maija Meikäläinen,Espoon kaupunki,fi\n"
        "anna@example.fi,Anna Åström,Vasa stad,sv\n"
        "john@example.org,John Smith,Example Ltd,en\n",
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[network]
address = "verkosto@example.org"

{loopback_config(user, sink, "TEST_IMAP_PASSWORD")}

[templates]
directory = "{REPO / "templates"}"

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = "Kuntatalo"
theme = "Tekoäly"
capacity = {capacity}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def cli(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., str]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink)

    def invoke(*args: str, now: str = NOW, expect: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == expect, result.output + repr(result.exception)
        return result.output

    return invoke


def imap(user: ImapUser) -> IMAPClient:
    client = IMAPClient(user.host, port=user.port, ssl=False)
    client.login(user.username, user.password)
    return client


def append(user: ImapUser, raw: bytes) -> None:
    client = imap(user)
    client.append("INBOX", raw)
    client.logout()


def folder_count(user: ImapUser, folder: str) -> int:
    client = imap(user)
    try:
        if not client.folder_exists(folder):
            return 0
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])
    finally:
        client.logout()


def parsed(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def invitation_for(sink: SmtpSink, address: str) -> EmailMessage:
    for mail in sink.messages:
        if mail.envelope_to == [address]:
            return parsed(mail.data)
    raise AssertionError(f"no invitation to {address}")


def reply_to(invitation: EmailMessage, sender: str, text: str) -> bytes:
    """What a mail client sends: to the Reply-To address, referencing the invitation."""
    return outlook_reply(
        sender, text, to=str(invitation["Reply-To"]), references=str(invitation["Message-ID"])
    )


def body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def test_invite_reply_confirm_and_nothing_twice(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    assert "queued 3 invitation(s)" in cli("invite", "2024-03")
    cli("run", "--once")
    smtp_sink.wait_for(3)
    invitation = invitation_for(smtp_sink, "anna@example.fi")
    assert invitation["Content-Language"] == "sv"
    assert invitation["Auto-Submitted"] == "auto-generated"
    assert "+" in str(invitation["Reply-To"])  # the per-recipient reply token
    assert "12.3.2024" in body(invitation)

    smtp_sink.clear()
    append(imap_user, reply_to(invitation, "anna@example.fi", "Jag kommer!\nSpecialkost: glutenfri"))
    output = cli("run", "--once")
    assert "anna@example.fi registered for 2024-03" in output
    [confirmation] = smtp_sink.wait_for(1)
    message = parsed(confirmation.data)
    assert confirmation.envelope_to == ["anna@example.fi"]
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["In-Reply-To"]
    assert "glutenfri" in body(message)
    assert folder_count(imap_user, "Handled") == 1 and folder_count(imap_user, "INBOX") == 0

    rows = json.loads(cli("registrations", "2024-03", "--format", "json"))
    assert [(r["email"], r["status"], r["diet"]) for r in rows] == [
        ("anna@example.fi", "registered", "glutenfri")
    ]

    # A restart and another pass: nothing is read again, nothing is sent again.
    output = cli("run", "--once")
    assert "0 new message(s)" in output
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 1


def test_cancellation_through_the_reply_token_promotes_the_waiting_list(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink, capacity=1)

    def cli(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", NOW, *args])
        assert result.exit_code == 0, result.output
        return result.output

    cli("invite", "2024-03")
    cli("run", "--once")
    smtp_sink.wait_for(3)
    maija = invitation_for(smtp_sink, "maija@example.fi")
    john = invitation_for(smtp_sink, "john@example.org")
    smtp_sink.clear()
    append(imap_user, reply_to(maija, "maija@example.fi", "Kyllä, tulen"))
    append(imap_user, reply_to(john, "john@example.org", "Yes, I'll attend"))
    cli("run", "--once")
    smtp_sink.wait_for(2)
    templates = {m.envelope_to[0]: body(parsed(m.data)) for m in smtp_sink.messages}
    assert "1" in templates["john@example.org"]  # waiting list position
    statuses = {r["email"]: r["status"] for r in json.loads(cli("registrations", "2024-03"))}
    assert statuses == {"maija@example.fi": "registered", "john@example.org": "waiting"}

    # Maija cancels by replying to her confirmation (it carries her token): John gets the seat.
    confirmation = next(parsed(m.data) for m in smtp_sink.messages if m.envelope_to == ["maija@example.fi"])
    smtp_sink.clear()
    append(imap_user, reply_to(confirmation, "maija@example.fi", "Peruutan ilmoittautumiseni"))
    cli("run", "--once")
    received = {m.envelope_to[0] for m in smtp_sink.wait_for(2)}
    assert received == {"maija@example.fi", "john@example.org"}
    statuses = {r["email"]: r["status"] for r in json.loads(cli("registrations", "2024-03"))}
    assert statuses == {"maija@example.fi": "cancelled", "john@example.org": "registered"}


def test_smtp_refusing_4xx_then_accepting_delivers_exactly_once(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    # Before invitations are due (4 weeks before), so the only mail is the confirmation.
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä, tulen"))
    smtp_sink.refuse_next(1)
    output = cli("run", "--once", now="2024-02-01T10:00")
    assert "will retry" in output
    assert smtp_sink.messages == []
    # The retry is due after its backoff; a pass before it sends nothing, one after sends once.
    cli("run", "--once", now="2024-02-01T10:00:10")
    assert smtp_sink.messages == []
    cli("run", "--once", now="2024-02-01T10:05")
    [delivered] = smtp_sink.wait_for(1)
    assert delivered.envelope_to == ["maija@example.fi"]
    cli("run", "--once", now="2024-02-01T10:10")
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 1


def test_smtp_421_for_one_message_delays_it_and_delivers_it_once(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    senders = [f"p{i}@example.fi" for i in range(3)]
    for sender in senders:
        append(imap_user, outlook_reply(sender, "Kyllä, tulen"))
    # 421: the server is closing the connection; this mail waits, the rest still go out.
    smtp_sink.refuse_recipient(senders[1], code=421, text="4.3.2 service shutting down")
    output = cli("run", "--once", now="2024-02-01T10:00")
    assert output.count("will retry") == 1 and "FAILED" not in output, output
    first = sorted(m.envelope_to[0] for m in smtp_sink.wait_for(2))
    assert first == [senders[0], senders[2]]
    smtp_sink.clear()  # the server is back
    cli("run", "--once", now="2024-02-01T10:05")
    [later] = smtp_sink.wait_for(1)
    assert later.envelope_to == [senders[1]]
    cli("run", "--once", now="2024-02-01T10:10")
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 1, "sent once"


def test_a_reply_with_utf8_headers_is_answered_at_its_own_address(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    """RFC 6532: some clients write the name, and even the address, in raw UTF-8. The answer
    goes to that very address (over SMTPUTF8) and greets the name as written."""
    raw = (
        "From: Pörrö Äijälä <pörröinen@esimerkki.fi>\r\nTo: verkosto@example.org\r\n"
        "Subject: Ilmoittautuminen – kevät\r\nMessage-ID: <eai-1@esimerkki.fi>\r\n"
        "Date: Wed, 14 Feb 2024 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Kyllä, tulen\r\n"
    ).encode()
    append(imap_user, raw)
    cli("run", "--once", now="2024-02-01T10:00")
    [answer] = smtp_sink.wait_for(1)
    assert answer.envelope_to == ["pörröinen@esimerkki.fi"]
    # The stdlib parser reads 8-bit headers as ASCII; a UTF-8 aware client reads this line:
    line = next(x for x in answer.data.split(b"\r\n") if x.startswith(b"To: "))
    to = policy.default.header_factory("To", line[4:].decode("utf-8"))
    assert to.addresses[0].addr_spec == "pörröinen@esimerkki.fi"  # type: ignore[attr-defined]
    assert to.addresses[0].display_name == "Pörrö Äijälä"  # type: ignore[attr-defined]
    assert body(parsed(answer.data)).startswith("Hei Pörrö Äijälä,")


def test_machine_mail_is_filed_and_never_answered(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    auto = EmailMessage()
    auto["From"] = "maija@example.fi"
    auto["To"] = "verkosto@example.org"
    auto["Subject"] = "Automaattinen vastaus: Kutsu"
    auto["Auto-Submitted"] = "auto-replied"
    auto["Message-ID"] = "<oof-1@example.fi>"
    auto.set_content("Olen lomalla. Kyllä, tulen takaisin maaliskuussa.")
    append(imap_user, auto.as_bytes())
    append(imap_user, b"From: \nSubject: \xff\xfe\nContent-Type: multipart/mixed\n\nbroken")
    output = cli("run", "--once", now="2024-02-01T10:00")
    assert "auto-reply" in output and "ATTENTION" in output
    time.sleep(0.3)
    assert smtp_sink.messages == []
    assert folder_count(imap_user, "Handled") == 1 and folder_count(imap_user, "Attention") == 1
    assert "Needs attention: 1 message(s)" in cli("status")


def test_daemon_reconnects_after_the_imap_server_restarts(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, dovecot: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from automation import config as config_module
    from automation.app import App
    from automation.cli.common import parse_now
    from automation.daemon import Daemon

    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    settings = config_module.load(write_config(tmp_path, imap_user, smtp_sink))
    app = App.open(settings)
    now = parse_now("2024-02-01T10:00", settings.network.zone)
    daemon = Daemon(app, lambda: now)
    try:
        assert daemon.run_once().source_error == ""
        dovecot.restart()  # type: ignore[attr-defined]
        append(imap_user, outlook_reply("maija@example.fi", "Kyllä, tulen"))
        deadline = time.monotonic() + 15
        handled = []
        while not handled and time.monotonic() < deadline:
            handled = daemon.run_once().outcomes.shown
            time.sleep(0.2)
        assert [o.kind for o in handled] == ["registration"]
        assert smtp_sink.wait_for(1)[0].envelope_to == ["maija@example.fi"]
    finally:
        daemon.source.close()
        app.close()


def test_status_exits_nonzero_when_the_mailbox_is_unreachable(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wrong password")
    config = write_config(tmp_path, imap_user, smtp_sink)
    result = CliRunner().invoke(main, ["--config", str(config), "--now", NOW, "status"])
    assert result.exit_code == 1 and "MAILBOX UNREACHABLE" in result.output
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    result = CliRunner().invoke(main, ["--config", str(config), "--now", NOW, "status"])
    assert result.exit_code == 0 and "reachable" in result.output
