"""Requests about a person's own data and membership, sent by email.

Unsubscribing acts at once and is confirmed once (to the address itself, so a forged request
is noticed by its owner, who can simply write again). Data export, erasure and joining need a
confirmation round trip and the rules text; until those workflows exist they are shown to the
coordinator, who handles them by hand.
"""

from __future__ import annotations

from automation.model import (
    Attention,
    Classification,
    Decision,
    Inbound,
    SendMail,
    Unsubscribe,
)
from automation.workflows.registration import Situation


def decide(message: Inbound, seen: Classification, s: Situation) -> Decision:
    assert seen.intent is not None
    command = seen.intent.command
    language = seen.language if seen.language in s.known_languages else s.default_language
    if command == "unsubscribe":
        if s.contact is None:
            return Decision(
                (Attention("unsubscribe from an address not on the contact list"),),
                f"{message.sender} is not on the contact list; kept for the coordinator",
            )
        reply = SendMail(
            template="unsubscribed",
            recipient=message.sender,
            name=s.contact.name,
            language=s.contact.language or language or s.default_language,
            purpose="unsubscribed",
            meeting=None,
            revision="1",
            in_reply_to=message.message_id,
            reply_token=False,
        )
        return Decision(
            (Unsubscribe(message.sender), reply), f"{message.sender} unsubscribed from invitations"
        )
    return Decision(
        (Attention(f"{command} request: handle by hand for now"),),
        f"{message.sender} asked to {command}; kept for the coordinator",
    )
