"""Requests about a person's own data and membership, sent by email.

Unsubscribing acts at once only with proof that the address itself wrote (one of our reply
tokens for that address, or an aligned DKIM/DMARC pass from our trusted server); otherwise it
takes the same round trip as exporting or erasing someone's data: we write to the address
itself, and only a reply carrying that mail's token acts (as Mailman confirms by mail).
Joining the network (goals and rules to accept) is shown to the coordinator for now.
"""

from __future__ import annotations

from automation.model import (
    ERASED_PURPOSE,
    Attention,
    Classification,
    Decision,
    EraseData,
    Inbound,
    SendMail,
    Unsubscribe,
)
from automation.workflows.registration import Situation

PRIVACY_SCOPE = "privacy:"


def decide(message: Inbound, seen: Classification, s: Situation, proven: bool = False) -> Decision:
    """`proven`: the sender's own address is vouched for (their token or an aligned DKIM pass)."""
    assert seen.intent is not None
    command = seen.intent.command
    language = seen.language if seen.language in s.known_languages else s.default_language
    if command == "unsubscribe":
        if s.contact is None:
            return Decision(
                (Attention("unsubscribe from an address not on the contact list"),),
                f"{message.sender} is not on the contact list; kept for the coordinator",
            )
        if not proven:
            # A From is easy to forge: taking someone off the list needs their own yes.
            return _ask_to_confirm(message, command, language)
        return unsubscribed(message, message.sender, s.contact.name, s.contact.language or language)
    if command in ("export", "erase"):
        # The token of this mail is what authorises the export or erasure, not the From address.
        return _ask_to_confirm(message, command, language)
    return Decision(
        (Attention(f"{command} request: handle by hand for now"),),
        f"{message.sender} asked to {command}; kept for the coordinator",
    )


def _ask_to_confirm(message: Inbound, command: str, language: str) -> Decision:
    ask = SendMail(
        template="data_confirm",
        recipient=message.sender,
        name=message.sender_name,
        language=language,
        purpose=f"privacy-{command}",
        meeting=PRIVACY_SCOPE + command,
        revision=message.key,
        in_reply_to=message.message_id,
        context={"command": command},
    )
    return Decision((ask,), f"asked {message.sender} to confirm the {command} by mail")


def unsubscribed(message: Inbound, email: str, name: str, language: str) -> Decision:
    reply = SendMail(
        template="unsubscribed",
        recipient=email,
        name=name,
        language=language,
        purpose="unsubscribed",
        meeting=None,
        revision="1",
        in_reply_to=message.message_id,
        reply_token=False,
    )
    return Decision((Unsubscribe(email), reply), f"{email} unsubscribed from invitations")


def confirmed(
    message: Inbound, command: str, email: str, language: str, export_json: str, export_text: str
) -> Decision:
    """A reply to our confirmation request (its token names `email`): do what was asked."""
    if command == "export":
        mail = SendMail(
            template="data_export",
            recipient=email,
            name=message.sender_name,
            language=language,
            purpose="privacy-export-sent",
            # Only the token holder can trigger this, so it is outside the daily limit for answers.
            auto_submitted="auto-generated",
            meeting=None,
            revision=message.key,
            reply_token=False,
            context={
                "command": command,
                "summary": export_text,
                "attach_files": [{"filename": "my-data.json", "subtype": "json", "content": export_json}],
            },
        )
        return Decision((mail,), f"sent {email} everything stored about them")
    done = SendMail(
        template="data_erased",
        recipient=email,
        name="",
        language=language,
        purpose=ERASED_PURPOSE,
        auto_submitted="auto-generated",
        meeting=None,
        revision=message.key,
        reply_token=False,
        context={"command": command},
    )
    # Erase first, then queue the one last mail that tells them so.
    return Decision((EraseData(email), done), f"erased the data of {email}")
