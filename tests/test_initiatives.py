"""Initiatives and summaries by email through the real Dovecot + SMTP path."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from mails import outlook_reply, plain
from servers import ImapUser, SmtpSink
from test_integration import append, body, parsed, write_config

from automation.cli import main

GROUP = """
[[organisers]]
email = "chair@example.fi"
name = "Outi Öhman"
language = "fi"

[[organisers]]
email = "member@example.fi"
name = "Sven Svensson"
language = "sv"
"""


@pytest.fixture
def cli(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., str]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink)
    # Our own server's verdict is what proves a summary sent by mail (issue 17, item 1).
    text = (
        config.read_text(encoding="utf-8") + GROUP + '\n[security]\ntrusted_authserv_id = "mx.example.org"\n'
    )
    config.write_text(
        text.replace(
            '[network]\naddress = "verkosto@example.org"',
            '[network]\naddress = "verkosto@example.org"\npublic_url = "https://verkosto.example.org"'
            '\ncoordinator = "koordinaattori@example.org"',
        ),
        encoding="utf-8",
    )

    def invoke(*args: str, now: str = "2024-02-01T10:00") -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
        return result.output

    invoke("run", "--once")  # organisers' calendar invitations go out first
    smtp_sink.wait_for(2)
    smtp_sink.clear()
    return invoke


def initiative(sender: str, subject: str, text: str, attachments: dict[str, bytes] | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"Maija Meikäläinen <{sender}>"
    message["To"] = "verkosto@example.org"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject + text))}@example.fi>"
    message.set_content(text)
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def listed(cli: Callable[..., str]) -> list[dict[str, object]]:
    return json.loads(cli("initiatives", "list", "--format", "json"))  # type: ignore[no-any-return]


def test_initiative_acknowledged_moved_by_the_group_and_the_submitter_told(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    append(
        imap_user,
        initiative(
            "maija@example.fi",
            "Aloite: Yhteiset tunnukset oppimisalustoille",
            "Ehdotan, että verkosto selvittää yhteiset tunnukset.\nJulkaise nimeni",
            {"muistio.pdf": b"%PDF-1.4 test", "ohjelma.exe": b"MZ\x90\x00"},
        ),
    )
    output = cli("run", "--once")
    assert "initiative ALOITE-2024-001 received" in output
    mails = {m.envelope_to[0]: parsed(m.data) for m in smtp_sink.wait_for(3)}
    ack = mails["maija@example.fi"]
    assert (
        "ALOITE-2024-001" in str(ack["Subject"]) and "muistio.pdf" in body(ack) and "ohjelma.exe" in body(ack)
    )
    assert "ohjelma.exe (tiedostotyyppiä ei hyväksytä)" in body(ack), "the reason in the sender's language"
    notice = mails["member@example.fi"]
    assert "Ehdotan, että verkosto" in body(notice) and str(notice["Content-Language"]) == "sv"
    [row] = listed(cli)
    assert (row["reference"], row["status"], row["submitter"]) == (
        "ALOITE-2024-001",
        "received",
        "maija@example.fi",
    )

    # A forged "reply" from a non-member, without the notification's token: nothing changes.
    smtp_sink.clear()
    append(imap_user, plain("intruder@example.com", "Re: Uusi aloite ALOITE-2024-001", "#hylätty turha"))
    # A member's own From, but not replying to the notification (no token): nothing changes either.
    append(imap_user, plain("member@example.fi", "ALOITE-2024-001", "#avslagen onödigt"))
    output = cli("run", "--once")
    assert output.count("ATTENTION") == 2
    assert listed(cli)[0]["status"] == "received"
    time.sleep(0.3)
    assert smtp_sink.messages == []

    # The member replies to their notification (Reply-To carries their token): on the agenda.
    reply = plain(
        "member@example.fi",
        f"Re: {notice['Subject']}",
        "#föredragningslistan 2024-03\nBra idé.",
        To=str(notice["Reply-To"]),
    )
    append(imap_user, reply)
    assert "ALOITE-2024-001 → agenda by member@example.fi" in cli("run", "--once")
    [status] = smtp_sink.wait_for(1)
    told = parsed(status.data)
    assert status.envelope_to == ["maija@example.fi"] and "12.3.2024" in body(told)
    assert listed(cli)[0] == {**listed(cli)[0], "status": "agenda", "meeting": "2024-03"}

    # The same token used from another address (a forwarded notification) does nothing.
    smtp_sink.clear()
    append(imap_user, plain("forwarded@example.com", "Fwd", "#ratkaistu", To=str(notice["Reply-To"])))
    assert "ATTENTION" in cli("run", "--once")
    assert listed(cli)[0]["status"] == "agenda"

    # The agenda shows up in the invitation to the meeting.
    cli("invite", "2024-03")
    cli("run", "--once")
    invitation = next(parsed(m.data) for m in smtp_sink.wait_for(3) if m.envelope_to == ["maija@example.fi"])
    assert "ALOITE-2024-001" in body(invitation) and "Yhteiset tunnukset" in body(invitation)


def test_command_line_sets_a_status_and_the_submitter_is_told(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    append(imap_user, initiative("john@example.org", "Initiative: Shared logins", "Please look into it."))
    cli("run", "--once")
    smtp_sink.wait_for(3)
    smtp_sink.clear()
    cli("initiatives", "set", "ALOITE-2024-001", "rejected", "--note", "Out of scope for the network")
    cli("run", "--once")
    [told] = smtp_sink.wait_for(1)
    message = parsed(told.data)
    assert told.envelope_to == ["john@example.org"] and "Out of scope" in body(message)
    assert "rejected" in body(message).lower()
    shown = cli("initiatives", "show", "ALOITE-2024-001")
    assert "Please look into it." in shown and "Out of scope" in shown


def test_summary_from_file_and_from_email_sent_once_in_the_right_languages(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    # Two registered participants: Maija (fi) and Anna (sv).
    for sender, text in (("maija@example.fi", "Kyllä, tulen"), ("anna@example.fi", "Jag kommer")):
        append(imap_user, plain(sender, "Ilmoittautuminen 2024-03", text))
    cli("run", "--once", now="2024-02-14T10:00")
    smtp_sink.wait_for(3)  # two confirmations... and the organisers' nothing more
    smtp_sink.clear()
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    (summaries / "2024-03.md").write_text(
        "# Yhteenveto\n\nKäsittelimme aloitteen ALOITE-2024-001.\n", encoding="utf-8"
    )
    # A Swedish version comes by email from an organiser.
    signed = "mx.example.org; dkim=pass header.d=example.fi"
    sv = plain(
        "member@example.fi",
        "Sammandrag 2024-03",
        "# Sammandrag\n\nVi diskuterade AI.",
        Authentication_Results=signed,
    )
    append(imap_user, sv)
    # Not before the coordinator confirmed it through the token of our mail (issue 17, item 1).
    assert "confirm the summary of 2024-03 (sv)" in cli("run", "--once", now="2024-03-12T18:00")
    assert not (summaries / "2024-03.sv.md").exists()
    time.sleep(0.3)
    ask = next(
        parsed(m.data)
        for m in smtp_sink.messages
        if str(parsed(m.data)["Message-ID"]).startswith("<summary-confirm.")
    )
    yes = outlook_reply("koordinaattori@example.org", "Kyllä", to=str(ask["Reply-To"]))
    append(imap_user, yes)
    assert "summary of 2024-03 (sv) confirmed" in cli("run", "--once", now="2024-03-12T18:10")
    assert (summaries / "2024-03.sv.md").exists()
    # Not before the meeting is over (plus a day): nothing goes out.
    assert [m for m in smtp_sink.messages if "<summary." in str(parsed(m.data)["Message-ID"])] == []
    smtp_sink.clear()  # (the thank-you mails of the afternoon)
    cli("run", "--once", now="2024-03-13T12:00")
    smtp_sink.wait_for(3)
    time.sleep(0.5)  # the feedback questions of the morning go out in the same pass
    sent = [m for m in smtp_sink.messages if "<summary." in str(parsed(m.data)["Message-ID"])]
    languages = {m.envelope_to[0]: str(parsed(m.data)["Content-Language"]) for m in sent}
    assert languages == {"maija@example.fi": "fi", "anna@example.fi": "sv", "john@example.org": "fi"}
    anna = next(parsed(m.data) for m in sent if m.envelope_to == ["anna@example.fi"])
    assert "Vi diskuterade AI" in body(anna)
    maija = next(parsed(m.data) for m in sent if m.envelope_to == ["maija@example.fi"])
    html = maija.get_body(("html",)).get_content()
    assert 'href="https://verkosto.example.org/initiatives.html#ALOITE-2024-001"' in html
    count = len(smtp_sink.messages)
    cli("run", "--once", now="2024-03-14T12:00")
    time.sleep(0.3)
    assert len(smtp_sink.messages) == count  # sent once
    # Raising the version sends the corrected summary again.
    (summaries / "2024-03.md").write_text("---\nversion: 2\n---\n# Yhteenveto (korjattu)\n", encoding="utf-8")
    cli("run", "--once", now="2024-03-15T12:00")
    # ... to the readers of that language version only (Anna's Swedish one did not change).
    again = smtp_sink.wait_for(count + 2)[count:]
    assert sorted(m.envelope_to[0] for m in again) == ["john@example.org", "maija@example.fi"]
    assert all("korjattu" in body(parsed(m.data)) for m in again)


def test_archive_shows_initiatives_without_personal_addresses(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    append(
        imap_user,
        initiative(
            "maija@example.fi",
            "Aloite: <script>alert('x')</script> Tunnukset",
            "Teksti <b>lihava</b>\nJulkaise nimeni",
        ),
    )
    append(imap_user, initiative("anon@example.fi", "Aloite: Nimetön ehdotus", "Ei nimeä julki."))
    cli("run", "--once")
    # Only what the group has taken up is public (issue 17, item 4).
    for reference in ("ALOITE-2024-001", "ALOITE-2024-002"):
        cli("initiatives", "set", reference, "preparation")
    cli("publish", "--output", str(tmp_path / "site"))
    page = (tmp_path / "site" / "initiatives.html").read_text(encoding="utf-8")
    assert "ALOITE-2024-001" in page and "ALOITE-2024-002" in page
    assert page.count("Maija Meikäläinen") == 1  # only the one who wrote "Julkaise nimeni"
    assert "@example.fi" not in page  # no addresses, ever
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;lihava" in page
