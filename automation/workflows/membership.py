"""Joining the network by email: the goals and rules first, on the list only after accepting.

Pure. "Liityn verkostoon" gets the goals-and-rules text (a template the coordinator edits) and a
personal token; only a reply carrying that token and saying "Hyväksyn" / "Jag godkänner" /
"I accept" puts the person on the contact list, with the date and the version they accepted.
"""

from __future__ import annotations

import re

from automation.model import AcceptRules, Attention, Decision, Details, Inbound, JoinRequest, SendMail

JOIN_SCOPE = "join:"
JOIN_TAG = "liity"  # verkosto+liity@…: a mail there asks to join
_ACCEPT = re.compile(r"\b(hyväksyn|hyväksyn säännöt|jag godkänner|godkänner|i accept|i agree)\b", re.I)


def accepts(text: str) -> bool:
    return bool(_ACCEPT.search(text))


def request(message: Inbound, language: str, version: str, already_member: bool) -> Decision:
    """Someone wants to join (or a member asks again): send the goals and rules to accept."""
    mail = SendMail(
        template="join_rules",
        recipient=message.sender,
        name=message.sender_name,
        language=language,
        purpose="join",
        meeting=JOIN_SCOPE + version,
        revision=message.key,
        in_reply_to=message.message_id,
        context={"rules_version": version, "already_member": already_member},
    )
    return Decision(
        (JoinRequest(message.sender, message.sender_name, language), mail),
        f"sent the goals and rules to {message.sender}",
    )


def accepted(
    message: Inbound, email: str, version: str, language: str, details: Details, contact_name: str
) -> Decision:
    """A reply to the rules mail, carrying its token."""
    if not accepts(message.reply_text):
        return Decision(
            (Attention(f"reply to the rules from {email} without an acceptance"),),
            f"kept {email}'s reply to the rules for the coordinator",
        )
    name = details.name or contact_name or message.sender_name
    welcome = SendMail(
        template="join_welcome",
        recipient=email,
        name=name,
        language=language,
        purpose="joined",
        meeting=None,
        revision=version,
        reply_token=False,
        in_reply_to=message.message_id,
        context={"rules_version": version},
    )
    change = AcceptRules(email, name, details.organisation, language, version)
    return Decision((change, welcome), f"{email} accepted the rules ({version}) and is on the contact list")


def reminder(email: str, name: str, language: str, version: str) -> SendMail:
    """The one reminder to someone who asked to join but has not accepted yet."""
    return SendMail(
        template="join_rules",
        recipient=email,
        name=name,
        language=language,
        purpose="join-reminder",
        meeting=JOIN_SCOPE + version,
        revision="1",
        auto_submitted="auto-generated",
        context={"rules_version": version, "already_member": False, "reminder": True},
    )


def ask_to_accept(email: str, name: str, language: str, version: str) -> SendMail:
    """The rules changed: members are asked to accept the new version (by replying)."""
    return SendMail(
        template="rules_update",
        recipient=email,
        name=name,
        language=language,
        purpose="rules-update",
        meeting=JOIN_SCOPE + version,
        revision=version,
        auto_submitted="auto-generated",
        context={"rules_version": version},
    )
