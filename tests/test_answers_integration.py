"""Answers as people give them, through Dovecot and SMTP: a maybe is noted (no seat), reminded
with those who have not answered, and replaced by a later yes; a one-click answer from the
invitation, in each language, is read with certainty."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from servers import ImapUser, SmtpSink
from test_integration import append, body, cli, invitation_for, parsed, reply_to  # noqa: F401


def statuses(run: Callable[..., str], now: str = "2024-02-14T10:00") -> dict[str, str]:
    rows = json.loads(run("registrations", "2024-03", "--format", "json", now=now))
    return {r["email"]: r["status"] for r in rows}


def test_a_maybe_is_noted_reminded_and_replaced_by_a_later_yes(
    cli: Callable[..., str],  # noqa: F811 - the fixture of test_integration
    imap_user: ImapUser,
    smtp_sink: SmtpSink,
) -> None:
    cli("invite", "2024-03")
    cli("run", "--once")
    anna = invitation_for(smtp_sink, "anna@example.fi")
    smtp_sink.clear()

    append(imap_user, reply_to(anna, "anna@example.fi", "Troligen kommer jag, men jag bekräftar senare."))
    output = cli("run", "--once")
    assert "anna@example.fi is a maybe for 2024-03" in output
    [noted] = smtp_sink.wait_for(1)
    message = parsed(noted.data)
    assert str(message["Subject"]).startswith("Vi har noterat dig preliminärt")
    assert "Troligen kommer jag" in body(message) and "→ kanske" in body(message)
    assert statuses(cli) == {"anna@example.fi": "tentative"}

    # The deadline reminder goes to those who have not answered, and to the maybe.
    smtp_sink.clear()
    cli("run", "--once", now="2024-02-19T10:00")
    reminded = {m.envelope_to[0] for m in smtp_sink.wait_for(3)}
    assert reminded == {"anna@example.fi", "maija@example.fi", "john@example.org"}

    smtp_sink.clear()
    append(imap_user, reply_to(anna, "anna@example.fi", "Nu vet jag: jag kommer!"))
    assert "anna@example.fi registered for 2024-03" in cli("run", "--once", now="2024-02-19T11:00")
    assert statuses(cli) == {"anna@example.fi": "registered"}


def _one_click(invitation: EmailMessage, label: str, sender: str) -> bytes:
    """What a mail client sends when the link is pressed: the mailto's address, subject, body."""
    html = invitation.get_body(preferencelist=("html",))
    assert html is not None
    links = dict(
        (text, href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="(mailto:[^"]+)"[^>]*>([^<]+)</a>', str(html.get_content()))
    )
    url = urlsplit(links[label])
    query = parse_qs(url.query)
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = unquote(url.path)
    mail["Subject"] = query["subject"][0]
    mail.set_content(query["body"][0])
    # The plain-text part offers the same answers as lines to copy.
    assert links[label].split("?")[0] in body(invitation)
    return mail.as_bytes()


def test_one_click_answers_in_each_language(
    cli: Callable[..., str],  # noqa: F811 - the fixture of test_integration
    imap_user: ImapUser,
    smtp_sink: SmtpSink,
) -> None:
    cli("invite", "2024-03")
    cli("run", "--once")
    pressed = {
        "maija@example.fi": "Kyllä, tulen",
        "anna@example.fi": "Kanske",
        "john@example.org": "I cannot attend",
    }
    for address, label in pressed.items():
        append(imap_user, _one_click(invitation_for(smtp_sink, address), label, address))
    cli("run", "--once")
    assert statuses(cli) == {
        "maija@example.fi": "registered",
        "anna@example.fi": "tentative",
        "john@example.org": "declined",
    }


def test_companions_with_and_without_an_address_through_the_real_servers(
    cli: Callable[..., str],  # noqa: F811 - the fixture of test_integration
    imap_user: ImapUser,
    smtp_sink: SmtpSink,
) -> None:
    cli("invite", "2024-03")
    cli("run", "--once")
    maija = invitation_for(smtp_sink, "maija@example.fi")
    smtp_sink.clear()
    text = "Kyllä, tulen. Ilmoitan myös kollegani Liisa Korhosen (liisa.korhonen@espoo.fi) ja Matti Virtasen."
    append(imap_user, reply_to(maija, "maija@example.fi", text))
    cli("run", "--once")
    mails = {m.envelope_to[0]: parsed(m.data) for m in smtp_sink.wait_for(2)}
    assert "Liisa Korhonen, Matti Virtanen" in body(mails["maija@example.fi"])
    liisa = mails["liisa.korhonen@espoo.fi"]
    assert "Maija Meikäläinen" in body(liisa) and "+" in str(liisa["Reply-To"])  # her own token
    assert any(part.get_content_type() == "text/calendar" for part in liisa.walk())
    rows = {r["email"]: r for r in json.loads(cli("registrations", "2024-03", "--format", "json"))}
    assert rows["maija@example.fi"]["companions"] == ["Matti Virtanen"]
    assert rows["liisa.korhonen@espoo.fi"]["status"] == "registered"
    csv_text = cli("registrations", "2024-03", "--format", "csv")
    assert "Matti Virtanen" in csv_text


def test_a_colleague_named_to_come_instead_is_told_how_to_register_and_the_question_reaches_the_coordinator(
    cli: Callable[..., str],  # noqa: F811 - the fixture of test_integration
    imap_user: ImapUser,
    smtp_sink: SmtpSink,
) -> None:
    cli("invite", "2024-03")
    cli("run", "--once")
    maija = invitation_for(smtp_sink, "maija@example.fi")
    smtp_sink.clear()
    append(imap_user, reply_to(maija, "maija@example.fi", "Kyllä, tulen. Onko paikalla pysäköintiä?"))
    output = cli("run", "--once")
    assert "maija@example.fi registered for 2024-03" in output, output
    [confirmation] = smtp_sink.wait_for(1)
    text = body(parsed(confirmation.data))
    assert "Välitimme kysymyksesi koordinaattorille" in text and "Onko paikalla pysäköintiä?" in text
    listed = cli("attention")
    assert "maija@example.fi" in listed and "Onko paikalla pysäköintiä?" in listed, listed

    smtp_sink.clear()
    text = "En pääse sittenkään, mutta kollegani Liisa Korhonen (liisa.korhonen@espoo.fi) tulee tilalleni."
    append(imap_user, reply_to(maija, "maija@example.fi", text))
    output = cli("run", "--once")
    assert "named to come instead (not registered): Liisa Korhonen" in output, output
    mails = {m.envelope_to[0]: parsed(m.data) for m in smtp_sink.wait_for(1)}
    assert set(mails) == {"maija@example.fi"}  # nothing goes to Liisa on Maija's word
    told = body(mails["maija@example.fi"])
    assert "Emme ilmoittaneet tilallesi" in told and "Liisa Korhonen" in told and "Kyllä, tulen" in told
    assert statuses(cli) == {"maija@example.fi": "cancelled"}
    assert "Liisa Korhonen" in cli("attention")
