"""Calendar invites and replies through the real Dovecot + SMTP path."""

from __future__ import annotations

import email
import json
import re
import time
import traceback
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from mails import calendar_reply, outlook_reply
from servers import ImapUser, SmtpSink
from test_integration import append, body, invitation_for, parsed, reply_to, write_config

from automation.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "emails" / "imip-reply"
ORGANISERS = """
[[organisers]]
email = "chair@example.fi"
name = "Outi Öhman"
language = "fi"
"""


@pytest.fixture
def setup(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Callable[..., str]]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink, capacity=1)
    config.write_text(config.read_text(encoding="utf-8") + ORGANISERS, encoding="utf-8")

    def cli(*args: str, now: str = "2024-02-01T10:00") -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
        return result.output

    return config, cli


def calendar_of(msg: EmailMessage) -> tuple[str, Calendar]:
    """The inline text/calendar part (inside multipart/alternative), as Outlook reads it."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return str(part.get_param("method")), Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")


def event(cal: Calendar):  # type: ignore[no-untyped-def]
    return next(iter(cal.walk("VEVENT")))


def statuses(cli: Callable[..., str]) -> dict[str, str]:
    return {r["email"]: r["status"] for r in json.loads(cli("registrations", "2024-03"))}


def test_organiser_gets_a_real_invitation_and_everyone_an_update_when_the_meeting_moves(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    config, cli = setup
    cli("run", "--once")
    [organiser_mail] = smtp_sink.wait_for(1)
    invite = parsed(organiser_mail.data)
    assert invite.get_content_type() == "multipart/mixed"
    alternative = next(p for p in invite.iter_parts() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    attachment = next(p for p in invite.iter_attachments())
    assert (attachment.get_content_type(), attachment.get_filename()) == ("application/ics", "invite.ics")
    method, cal = calendar_of(invite)
    vevent = event(cal)
    assert method == "REQUEST" and str(cal["METHOD"]) == "REQUEST"
    assert str(vevent["ORGANIZER"]).lower() == "mailto:verkosto@example.org"
    attendee = vevent["ATTENDEE"]
    assert str(attendee).lower() == "mailto:chair@example.fi"
    assert attendee.params["ROLE"] == "CHAIR" and attendee.params["RSVP"] == "TRUE"
    assert attendee.params["CN"] == "Outi Öhman"
    assert vevent.decoded("DTSTART").isoformat() == "2024-03-12T09:00:00+02:00"
    uid = str(vevent["UID"])

    # The organiser presses Accept: noted, nobody is registered, nothing is answered.
    smtp_sink.clear()
    append(imap_user, calendar_reply("chair@example.fi", "chair@example.fi", "ACCEPTED", uid))
    assert "organiser chair@example.fi answered ACCEPTED" in cli("run", "--once")
    assert statuses(cli) == {}

    # A participant registers by email: the confirmation carries their own copy of the event.
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä, tulen"))
    cli("run", "--once")
    [confirmation] = smtp_sink.wait_for(1)
    method, cal = calendar_of(parsed(confirmation.data))
    assert method == "REQUEST" and str(event(cal)["UID"]) == uid
    assert str(event(cal)["ATTENDEE"]).lower() == "mailto:maija@example.fi"

    # The coordinator moves the meeting a week: both holders get SEQUENCE 1, same UID.
    smtp_sink.clear()
    text = config.read_text(encoding="utf-8").replace("2024-03-12T", "2024-03-19T")
    config.write_text(text.replace('place = "Kuntatalo"', 'place = "Oodi"'), encoding="utf-8")
    cli("run", "--once", now="2024-02-01T11:00")
    updates = smtp_sink.wait_for(2)
    assert {u.envelope_to[0] for u in updates} == {"chair@example.fi", "maija@example.fi"}
    for update in updates:
        message = parsed(update.data)
        method, cal = calendar_of(message)
        assert (method, str(event(cal)["UID"]), int(event(cal)["SEQUENCE"])) == ("REQUEST", uid, 1)
        assert "19.3.2024" in body(message) and "Oodi" in body(message) and "Kuntatalo" in body(message)

    # Marked cancelled in the config: METHOD:CANCEL with the same UID to everyone who holds it.
    smtp_sink.clear()
    config.write_text(
        config.read_text(encoding="utf-8").replace("capacity = 1", "capacity = 1\ncancelled = true"),
        encoding="utf-8",
    )
    cli("run", "--once", now="2024-02-01T12:00")
    cancels = smtp_sink.wait_for(2)
    for cancel in cancels:
        method, cal = calendar_of(parsed(cancel.data))
        assert (method, str(event(cal)["UID"]), str(event(cal)["STATUS"])) == ("CANCEL", uid, "CANCELLED")
        assert int(event(cal)["SEQUENCE"]) == 2
    cli("run", "--once", now="2024-02-01T13:00")
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 2  # nothing sent twice


def test_google_decline_cancels_and_promotes_with_one_confirmation_each(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    cli("invite", "2024-03")
    cli("run", "--once")
    invitations = smtp_sink.wait_for(4)
    maija = invitation_for(smtp_sink, "maija@example.fi")
    john = invitation_for(smtp_sink, "john@example.org")
    assert len(invitations) == 4  # three contacts + the organiser's calendar invitation
    smtp_sink.clear()
    append(imap_user, reply_to(maija, "maija@example.fi", "Kyllä, tulen"))
    append(imap_user, reply_to(john, "john@example.org", "Yes, I'll attend"))
    cli("run", "--once")
    smtp_sink.wait_for(2)
    uid = str(
        event(
            calendar_of(
                parsed(next(m.data for m in smtp_sink.messages if m.envelope_to == ["maija@example.fi"]))
            )[1]
        )["UID"]
    )
    smtp_sink.clear()
    # Google Calendar's REPLY is Auto-Submitted: it still counts, and is answered once.
    decline = calendar_reply("maija@example.fi", "maija@example.fi", "DECLINED", uid)
    append(imap_user, decline)
    append(imap_user, decline)  # the same reply delivered twice
    cli("run", "--once")
    received = smtp_sink.wait_for(2)
    assert sorted(m.envelope_to[0] for m in received) == ["john@example.org", "maija@example.fi"]
    promoted = next(parsed(m.data) for m in received if m.envelope_to == ["john@example.org"])
    assert calendar_of(promoted)[0] == "REQUEST"
    assert statuses(cli) == {"maija@example.fi": "cancelled", "john@example.org": "registered"}
    cli("run", "--once")
    time.sleep(0.3)
    assert len(smtp_sink.messages) == 2


def test_email_cancellation_sends_cancel_for_the_persons_copy(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(
        imap_user,
        calendar_reply("alias@example.com", "maija@example.fi", "ACCEPTED", "meeting-2024-03@example.org"),
    )
    cli("run", "--once")  # attendee is a contact: registered through the calendar reply
    mails = [parsed(m.data) for m in smtp_sink.wait_for(2)]
    confirmation = next(m for m in mails if "maija@example.fi" in str(m["To"]))
    assert statuses(cli)["maija@example.fi"] == "registered"
    smtp_sink.clear()
    append(imap_user, reply_to(confirmation, "maija@example.fi", "Peruutan ilmoittautumiseni"))
    cli("run", "--once")
    [cancelled] = smtp_sink.wait_for(1)
    method, cal = calendar_of(parsed(cancelled.data))
    assert method == "CANCEL" and str(event(cal)["ATTENDEE"]).lower() == "mailto:maija@example.fi"


def test_apple_mail_reply_from_the_corpus_registers(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    source = CORPUS / "ccs-good_reply.eml"
    if not source.exists():
        # The corpus belongs to another repository and sits beside this checkout (../shared);
        # it is not a server this project runs, so its absence skips this one test, loudly.
        pytest.skip(f"shared corpus not beside this checkout: {source}")
    _, cli = setup
    message = email.message_from_bytes(source.read_bytes(), policy=policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            text = part.get_payload(decode=True).decode()
            text = re.sub(r"UID:[^\r\n]+", "UID:meeting-2024-03@example.org", text)
            text = text.replace("xyzzy@example.com", "anna@example.fi")
            part.set_content(text, subtype="calendar", params={"method": "REPLY"}, cte="quoted-printable")
    append(imap_user, message.as_bytes())
    output = cli("run", "--once")
    assert "calendar-reply" in output
    assert statuses(cli) == {"anna@example.fi": "registered"}
    mails = smtp_sink.wait_for(2)
    assert "anna@example.fi" in {m.envelope_to[0] for m in mails}


def test_public_feed_has_every_meeting_and_no_personal_data(
    setup: tuple[Path, Callable[..., str]], tmp_path: Path
) -> None:
    _, cli = setup
    cli("run", "--once")  # the organiser's invitation exists: the feed must still name nobody
    output = cli("publish", "--output", str(tmp_path / "site"))
    assert "meetings.ics" in output
    feed = (tmp_path / "site" / "meetings.ics").read_bytes()
    cal = Calendar.from_ical(feed)
    assert str(cal["METHOD"]) == "PUBLISH"
    [vevent] = list(cal.walk("VEVENT"))
    assert str(vevent["UID"]) == "meeting-2024-03@example.org"
    assert vevent.decoded("DTSTART").isoformat() == "2024-03-12T09:00:00+02:00"
    assert b"ATTENDEE" not in feed and b"ORGANIZER" not in feed and b"chair@example.fi" not in feed
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'lang="fi"' in page and "12.3.2024" in page and 'href="meetings.ics"' in page


def test_publish_removes_what_the_config_no_longer_has_and_nothing_else(
    setup: tuple[Path, Callable[..., str]], tmp_path: Path
) -> None:
    config, cli = setup
    site = tmp_path / "site"
    cli("publish", "--output", str(site))
    assert (site / "sv" / "index.html").is_file() and (site / "meetings" / "2024-03.html").is_file()
    (site / "logo.png").write_bytes(b"\x89PNG the coordinator's own file")
    # Swedish and English taken out of the network's languages: their pages go, nothing else.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[network]\n", '[network]\nlanguages = ["fi"]\n', 1), encoding="utf-8")
    cli("publish", "--output", str(site))
    assert not (site / "sv").exists() and not (site / "en").exists()
    assert (site / "index.html").is_file() and (site / "meetings" / "2024-03.html").is_file()
    assert (site / "logo.png").read_bytes().startswith(b"\x89PNG")
