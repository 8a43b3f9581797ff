"""How messages are read: the pure parser and classifier, on our own fi/sv/en fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mails import apple_reply, calendar_reply, gmail_reply, html_only_reply, outlook_reply, plain

from automation.model import Kind
from automation.parse.classify import classify
from automation.parse.message import parse_message

OWN = "verkosto@example.org"


def read(raw: bytes):  # type: ignore[no-untyped-def]
    message = parse_message(raw)
    return message, classify(message, OWN)


@pytest.mark.parametrize(
    ("raw", "kind", "language"),
    [
        (outlook_reply("maija@example.fi", "Kyllä, tulen!"), Kind.REGISTRATION, "fi"),
        (outlook_reply("maija@example.fi", "En pääse tällä kertaa."), Kind.CANCELLATION, "fi"),
        (outlook_reply("maija@example.fi", "Peruutan ilmoittautumiseni."), Kind.CANCELLATION, "fi"),
        (outlook_reply("maija@example.fi", "Osallistun etänä."), Kind.REGISTRATION, "fi"),
        (gmail_reply("anna@example.fi", "Jag kommer gärna."), Kind.REGISTRATION, "sv"),
        (gmail_reply("anna@example.fi", "Jag kan inte komma tyvärr."), Kind.CANCELLATION, "sv"),
        (gmail_reply("anna@example.fi", "Jag kommer inte."), Kind.CANCELLATION, "sv"),
        (apple_reply("john@example.org", "Yes, I'll attend."), Kind.REGISTRATION, "en"),
        (apple_reply("john@example.org", "Sorry, I cannot attend."), Kind.CANCELLATION, "en"),
        (
            html_only_reply("pekka@example.fi", "Kyllä, tulen<br>Erityisruokavalio: vegaani"),
            Kind.REGISTRATION,
            "fi",
        ),
    ],
)
def test_replies_from_common_clients_are_read_as_meant(raw: bytes, kind: Kind, language: str) -> None:
    message, seen = read(raw)
    assert seen.kind == kind, seen.reason
    assert seen.language == language
    assert seen.answerable


def test_the_quoted_invitation_never_decides() -> None:
    # The quote contains "Kyllä, tulen" and "Peruutan"; only the new text counts.
    message, seen = read(outlook_reply("maija@example.fi", "En pääse."))
    assert "Peruutan" not in message.reply_text
    assert seen.kind == Kind.CANCELLATION
    message, seen = read(gmail_reply("anna@example.fi", "Hej! Vad är temat?"))
    assert seen.kind == Kind.UNKNOWN


def test_yes_and_no_together_is_unclear_not_guessed() -> None:
    _, seen = read(outlook_reply("maija@example.fi", "Kyllä, mutta en pääse aamupäivällä."))
    assert seen.kind == Kind.UNKNOWN


def test_optional_lines_are_stored_details() -> None:
    text = "Kyllä, tulen\nOrganisaatio: Espoon kaupunki\nErityisruokavalio: gluteeniton\nOsallistun etänä"
    _, seen = read(outlook_reply("maija@example.fi", text))
    assert seen.intent is not None
    details = seen.intent.details
    assert (details.organisation, details.diet, details.attendance) == (
        "Espoon kaupunki",
        "gluteeniton",
        "remote",
    )


def test_two_swedish_diets_are_kept() -> None:
    text = "Jag kommer.\nSpecialkost: glutenfri\nAllergier: nötter"
    _, seen = read(gmail_reply("anna@example.fi", text))
    assert seen.intent is not None
    assert seen.intent.details.diet == "glutenfri; nötter"


def test_iso_8859_1_reply_is_decoded() -> None:
    message, seen = read(
        apple_reply("soren@example.fi", "Jag kommer, hälsningar Sören", charset="iso-8859-1")
    )
    assert "Sören" in message.reply_text
    assert seen.kind == Kind.REGISTRATION


@pytest.mark.parametrize(
    ("headers", "subject", "kind"),
    [
        ({"Auto_Submitted": "auto-replied"}, "Automaattinen vastaus: Kutsu", Kind.AUTO_REPLY),
        ({}, "Automatiskt svar: Inbjudan", Kind.AUTO_REPLY),
        ({}, "Out of Office: Invitation", Kind.AUTO_REPLY),
        ({"Precedence": "bulk"}, "Uutiskirje", Kind.BULK),
        ({"List_Id": "<opettajat.lists.example.fi>"}, "Re: Kutsu", Kind.BULK),
        ({"X_Automation_Loop": OWN}, "Kutsu", Kind.AUTO_REPLY),
    ],
)
def test_machines_are_never_answered(headers: dict[str, str], subject: str, kind: Kind) -> None:
    # The body says yes: still a machine, still not a registration.
    _, seen = read(plain("maija@example.fi", subject, "Kyllä, tulen", **headers))
    assert seen.kind == kind
    assert not seen.answerable


def test_bounce_is_recognised_before_its_auto_submitted_header() -> None:
    raw = plain(
        "MAILER-DAEMON@mx.example.org",
        "Undelivered Mail Returned to Sender",
        "Kyllä, tulen",
        Auto_Submitted="auto-replied",
    )
    _, seen = read(raw)
    assert seen.kind == Kind.BOUNCE


def test_google_calendar_reply_is_a_calendar_reply_despite_auto_submitted() -> None:
    raw = calendar_reply("maija@example.fi", "maija@example.fi", "ACCEPTED", "2024-03@example.org")
    message, seen = read(raw)
    assert seen.kind == Kind.CALENDAR_REPLY
    assert message.calendar is not None and message.calendar.partstat == "ACCEPTED"
    assert message.calendar.attendee == "maija@example.fi"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"From: <>\nContent-Type: multipart/mixed\n\nno boundary at all",
        b"Subject: =?x-unknown?b?////?=\nFrom: a@b.c\nContent-Type: text/plain; charset=x-nope\n\n\xe4\xf6",
        b"From: a@b.c\nContent-Type: text/calendar; method=REPLY\n\nBEGIN:VCALENDAR\nbroken",
    ],
)
def test_broken_mail_never_raises_and_is_kept_with_a_reason(raw: bytes) -> None:
    message, seen = read(raw)
    assert message.key  # always identifiable, so it can be kept for the coordinator
    assert seen.reason


def test_the_reply_cut_is_the_librarys_own_on_every_labelled_reply() -> None:
    """The reply patterns are compiled once (reply._PATTERNS), not per message: what is cut must
    stay exactly what mail-parser-reply's own parser cuts, on the quoting of every mail client."""
    from mailparser_reply import EmailReplyParser

    from automation.parse import reply

    library = EmailReplyParser(languages=["fi", "sv", "en"])
    texts = [
        json.loads(line)["text"]
        for path in sorted((Path(__file__).parent / "replies").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(texts) >= 300
    cuts = [reply._cut_at_history(reply.normalise(text)) for text in texts]
    assert [reply._library_reply(cut) for cut in cuts] == [library.parse_reply(cut) or "" for cut in cuts]
