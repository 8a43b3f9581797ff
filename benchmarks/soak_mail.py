"""The soak's mail as the clients and machines send it: replies to a received invitation (to its
reply-token address, with In-Reply-To), calendar replies, out-of-office answers, DSN bounces,
initiatives, and a few hostile messages."""

from __future__ import annotations

import email
import hashlib
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from soak_traffic import ERASE, Answer

OWN = "verkosto@example.org"


def _id(*parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:20]
    return f"<{digest}@soak.example.fi>"


def _head(sender: str, to: str, subject: str, at: datetime, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at.astimezone())
    msg["Message-ID"] = message_id
    return msg


def reply(answer: Answer, invitation: bytes, seed: int) -> tuple[str, bytes]:
    """A reply to the invitation the person received, shaped as their client sends it."""
    original = email.message_from_bytes(invitation, policy=policy.default)
    to = str(original["Reply-To"] or OWN)
    message_id = _id(seed, answer.person, answer.meeting, answer.label, answer.reply_id, answer.at)
    prefix = {"fi": "VS: ", "sv": "SV: ", "en": "RE: "}[answer.language]
    msg = _head(answer.person, to, prefix + str(original["Subject"]), answer.at, message_id)
    msg["In-Reply-To"] = str(original["Message-ID"])
    msg["References"] = str(original["Message-ID"])
    text = answer.text
    if answer.client in ("outlook", "gmail"):
        msg.set_content(text, cte="quoted-printable")
        html = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
        msg.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    else:
        msg.set_content(text)
    if answer.attachment:
        import random

        data = b"PK\x03\x04" + random.Random(message_id).randbytes(answer.attachment - 4)
        msg.add_attachment(
            data,
            maintype="application",
            subtype="vnd.openxmlformats-officedocument.presentationml.presentation",
            filename="esitys.pptx",
        )
    return message_id, msg.as_bytes()


def calendar_reply(answer: Answer, meeting_uid: str, seed: int) -> tuple[str, bytes]:
    partstat = "ACCEPTED" if answer.label == "cal-yes" else "DECLINED"
    message_id = _id(seed, answer.person, answer.meeting, partstat, answer.at)
    word = "Accepted" if partstat == "ACCEPTED" else "Declined"
    msg = _head(answer.person, OWN, f"{word}: {answer.meeting}", answer.at, message_id)
    ics = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\nVERSION:2.0\r\n"
        "METHOD:REPLY\r\nBEGIN:VEVENT\r\nDTSTAMP:20240101T000000Z\r\n"
        f"UID:{meeting_uid}\r\nATTENDEE;PARTSTAT={partstat}:mailto:{answer.person}\r\n"
        f"ORGANIZER:mailto:{OWN}\r\nSEQUENCE:0\r\nSUMMARY:{answer.meeting}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    msg.set_content(f"{answer.person} {word.lower()} the meeting.")
    msg.add_alternative(
        ics.encode(), maintype="text", subtype="calendar", params={"method": "REPLY", "charset": "UTF-8"}
    )
    return message_id, msg.as_bytes()


def out_of_office(answer: Answer, seed: int) -> tuple[str, bytes]:
    message_id = _id(seed, answer.person, answer.meeting, "ooo")
    msg = _head(answer.person, OWN, "Automaattinen vastaus: Kutsu", answer.at, message_id)
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content("Olen lomalla enkä lue sähköpostia. Kyllä, palaan asiaan lomani jälkeen.")
    return message_id, msg.as_bytes()


def bounce(answer: Answer, invitation: bytes, seed: int) -> tuple[str, bytes]:
    """A Postfix DSN quoting our invitation's headers (Message-ID included)."""
    original = email.message_from_bytes(invitation, policy=policy.default)
    message_id = _id(seed, answer.person, answer.meeting, "bounce")
    boundary = "soak-bounce-" + message_id[1:9]
    rcpt = answer.person
    body = (
        f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n"
        "Your message could not be delivered.\n\n"
        f"<{rcpt}>: 550 5.1.1 User unknown\n\n--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mail.example.org\n\nFinal-Recipient: rfc822; {rcpt}\nAction: failed\n"
        f"Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n\n--{boundary}\n"
        f"Content-Type: text/rfc822-headers\n\nFrom: {OWN}\nTo: {rcpt}\n"
        f"Message-ID: {original['Message-ID']}\n"
        f"Subject: invitation\n\n--{boundary}--\n"
    )
    head = (
        f"From: MAILER-DAEMON@mail.example.org (Mail Delivery System)\nTo: {OWN}\n"
        f"Subject: Undelivered Mail Returned to Sender\nDate: {format_datetime(answer.at.astimezone())}\n"
        f"Message-ID: {message_id}\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n'
    )
    return message_id, (head + "\n" + body).encode()


def initiative(
    sender: str, at: datetime, language: str, subject_text: tuple[str, str], seed: int
) -> tuple[str, bytes]:
    subject, text = subject_text
    message_id = _id(seed, sender, "initiative", at)
    msg = _head(sender, OWN, subject, at, message_id)
    msg.set_content(text + "\n\nTerveisin\n" + sender)
    return message_id, msg.as_bytes()


def hostile(index: int, at: datetime) -> bytes:
    """One of the deterministic bombs of the hostile-mail tests, in turn."""
    from hostile_mail import BOMBS

    names = sorted(BOMBS)
    return BOMBS[names[index % len(names)]]()


def erase_request(sender: str, at: datetime, language: str, seed: int) -> tuple[str, bytes]:
    """ "Delete my data", written as a new mail to the network's address."""
    subject, text = ERASE[language]
    message_id = _id(seed, sender, "erase", at)
    msg = _head(sender, OWN, subject, at, message_id)
    msg.set_content(text + "\n\n" + sender)
    return message_id, msg.as_bytes()
