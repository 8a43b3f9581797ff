"""Our own small fixtures: replies shaped as Outlook, Gmail and Apple Mail send them, in fi/sv/en."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

INVITATION_QUOTE = [
    "Hei,",
    "tervetuloa verkoston tapaamiseen tiistaina 12.3.2024 klo 9.00-12.00.",
    "Vastaa tähän viestiin: Kyllä, tulen / En pääse.",
    "Peruutan",
]


def _base(
    sender: str, subject: str, to: str = "verkosto@example.org", name: str = "", references: str = ""
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2024, 2, 14, 9, 0, tzinfo=UTC))
    msg["Message-ID"] = make_msgid(domain="example.fi")
    if references:
        msg["In-Reply-To"] = references
        msg["References"] = references
    return msg


def outlook_reply(
    sender: str,
    text: str,
    *,
    to: str = "verkosto@example.org",
    name: str = "",
    references: str = "",
    language: str = "fi",
) -> bytes:
    """Outlook: new text above a 'From:/Sent:' block (localised), quoted-printable."""
    header = {
        "fi": [
            "Lähettäjä: Verkosto <verkosto@example.org>",
            "Lähetetty: tiistai 13. helmikuuta 2024 10.00",
            "Vastaanottaja: " + sender,
            "Aihe: Kutsu: verkoston tapaaminen 12.3.2024",
        ],
        "sv": [
            "Från: Verkosto <verkosto@example.org>",
            "Skickat: den 13 februari 2024 10:00",
            "Till: " + sender,
            "Ämne: Inbjudan: nätverkets möte 12.3.2024",
        ],
        "en": [
            "From: Verkosto <verkosto@example.org>",
            "Sent: Tuesday, 13 February 2024 10:00",
            "To: " + sender,
            "Subject: Invitation: network meeting 12 March 2024",
        ],
    }[language]
    msg = _base(sender, "VS: Kutsu: verkoston tapaaminen 12.3.2024", to, name, references)
    body = text + "\n\n" + "_" * 32 + "\n" + "\n".join(header) + "\n\n" + "\n".join(INVITATION_QUOTE)
    msg.set_content(body, cte="quoted-printable")
    return msg.as_bytes()


def gmail_reply(
    sender: str, text: str, *, to: str = "verkosto@example.org", name: str = "", references: str = ""
) -> bytes:
    """Gmail: multipart/alternative, attribution line + '>' quotes, div.gmail_quote in HTML."""
    msg = _base(sender, "Re: Inbjudan: nätverkets möte 12.3.2024", to, name, references)
    attribution = "Den tis 13 feb. 2024 kl 10:00 skrev Verkosto <verkosto@example.org>:"
    quoted = "\n".join("> " + line for line in INVITATION_QUOTE)
    msg.set_content(f"{text}\n\n{attribution}\n\n{quoted}\n")
    html_text = "<br>".join(text.splitlines())
    quote_html = "<br>".join(INVITATION_QUOTE)
    msg.add_alternative(
        f'<div dir="ltr">{html_text}</div><br><div class="gmail_quote"><div class="gmail_attr">'
        f"{attribution}</div><blockquote>{quote_html}</blockquote></div>",
        subtype="html",
    )
    return msg.as_bytes()


def apple_reply(sender: str, text: str, *, name: str = "", charset: str = "utf-8") -> bytes:
    """Apple Mail: 'On … wrote:' attribution, '>' quotes; optionally a legacy charset."""
    msg = _base(sender, "Re: Invitation: network meeting 12 March 2024", name=name)
    body = f"{text}\n\nOn 13 Feb 2024, at 10.00, Verkosto <verkosto@example.org> wrote:\n\n"
    body += "\n".join("> " + line for line in INVITATION_QUOTE) + "\n"
    msg.set_content(
        body.encode(charset),
        maintype="text",
        subtype="plain",
        params={"charset": charset},
        cte="quoted-printable",
    )
    return msg.as_bytes()


def html_only_reply(sender: str, html_body: str) -> bytes:
    """Outlook on the web: HTML only, the quoted original after #divRplyFwdMsg."""
    msg = _base(sender, "VS: Kutsu")
    msg.set_content(
        f'<html><body><div>{html_body}</div><hr><div id="divRplyFwdMsg"><b>Lähettäjä:</b> Verkosto'
        "</div><div>Vastaa: Kyllä, tulen / En pääse</div></body></html>",
        subtype="html",
    )
    return msg.as_bytes()


def plain(sender: str, subject: str, text: str, **headers: str) -> bytes:
    msg = _base(sender, subject)
    for key, value in headers.items():
        del msg[key.replace("_", "-")]
        msg[key.replace("_", "-")] = value
    msg.set_content(text)
    return msg.as_bytes()


def calendar_reply(
    sender: str, attendee: str, partstat: str, uid: str, *, auto_submitted: bool = True
) -> bytes:
    msg = _base(sender, f"Accepted: Verkoston tapaaminen @ 12.3.2024 ({partstat})")
    if auto_submitted:
        msg["Auto-Submitted"] = "auto-generated"
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nDTSTART:20240312T070000Z\r\nDTEND:20240312T100000Z\r\n"
        f"DTSTAMP:20240214T090000Z\r\nUID:{uid}\r\n"
        f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={attendee}:"
        f"mailto:{attendee}\r\nSEQUENCE:0\r\nSUMMARY:Verkoston tapaaminen\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    msg.set_content(f"{attendee} has accepted this invitation.")
    msg.add_alternative(
        ics.encode(), maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "UTF-8"}
    )
    return msg.as_bytes()


__all__ = [
    "outlook_reply",
    "gmail_reply",
    "apple_reply",
    "html_only_reply",
    "plain",
    "calendar_reply",
    "make_msgid",
]


def with_attachment(
    sender: str,
    text: str,
    size: int,
    *,
    filename: str = "esitys.pptx",
    subject: str = "VS: Kutsu: verkoston tapaaminen 12.3.2024",
    seed: int = 0,
) -> bytes:
    """An Outlook reply with a file attached: multipart/mixed (the text, then the file in base64).

    The file is `size` bytes of a ZIP-shaped (Office) document, random past its magic bytes, so
    it does not compress and is `size * 4/3` on the wire: 25 MB becomes the 35 MB of the issue."""
    import email
    import random
    from email import policy

    msg = email.message_from_bytes(outlook_reply(sender, text), _class=EmailMessage, policy=policy.default)
    msg.replace_header("Subject", subject)
    data = b"PK\x03\x04" + random.Random(seed).randbytes(max(size - 4, 0))
    maintype, _, subtype = (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation".partition("/")
    )
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()
