"""Follow-up items between meetings (pure): who owns a summary's item, the mails to owners, and
an owner's status reply ("#tehty 3", "#kesken 3 luonnos valmis").

Rule 5 of the network: between meetings the preparatory group carries forward what the network
raised. The items come from the summary's follow-up section (parse/followups.py); each is owned
by a member of the preparatory group, named in the summary by organisation or by name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from automation.model import Attention, Decision, Inbound, SendMail, SetFollowup
from automation.parse.followups import fold

# The token of a follow-up mail: followup:<meeting code> (the meeting the mail is about).
SCOPE = "followup:"
_ACTIONS = (
    (re.compile(r"#(?:tehty|valmis|klart|klar|done)\b[ \t]*(\d+)?[ \t]*(.*)", re.I), "done"),
    (
        re.compile(r"#(?:kesken|pågår|påbörjad|in-progress|progress)\b[ \t]*(\d+)?[ \t]*(.*)", re.I),
        "in_progress",
    ),
    (re.compile(r"#(?:avoin|öppen|open)\b[ \t]*(\d+)?[ \t]*(.*)", re.I), "open"),
)


@dataclass(frozen=True)
class Owner:
    email: str
    name: str
    organisation: str
    language: str


@dataclass(frozen=True)
class FollowupAction:
    status: str
    number: int | None  # the item's number when the reply names one
    note: str


def read_action(text: str) -> FollowupAction | None:
    """The first follow-up command on a line of its own in the owner's reply."""
    for line in text.splitlines():
        for pattern, status in _ACTIONS:
            found = pattern.match(line.strip())
            if found:
                number = int(found.group(1)) if found.group(1) else None
                return FollowupAction(status, number, " ".join(found.group(2).split())[:500])
    return None


def has_action(text: str) -> bool:
    return read_action(text) is not None


def owner_of(named: str, group: Sequence[Owner], aliases: Mapping[str, str]) -> Owner | None:
    """The member of the preparatory group a summary line names: by name first, else by
    organisation (its aliases too: "OPH" is Opetushallitus), case- and accent-insensitively."""
    wanted = fold(named)
    if not wanted:
        return None
    for person in group:
        if person.name and fold(person.name) == wanted:
            return person
    canonical = aliases.get(wanted, wanted)
    for person in group:
        organisation = fold(person.organisation)
        if organisation and aliases.get(organisation, organisation) == canonical:
            return person
    return None


def assigned_mails(meeting: str, items: Sequence[tuple[int, Owner]]) -> list[SendMail]:
    """One mail per owner listing the items they got from the meeting's summary."""
    return _per_owner(items, "followup_assigned", "followup-assigned", meeting, meeting)


def reminder_mails(next_meeting: str, items: Sequence[tuple[int, Owner]]) -> list[SendMail]:
    """Before the next meeting: each owner of items still open gets them in one mail."""
    return _per_owner(items, "followup_reminder", "followup-reminder", next_meeting, next_meeting)


def _per_owner(
    items: Sequence[tuple[int, Owner]], template: str, purpose: str, about: str, revision: str
) -> list[SendMail]:
    owners: dict[str, tuple[Owner, list[int]]] = {}
    for number, owner in items:
        owners.setdefault(owner.email, (owner, []))[1].append(number)
    return [
        SendMail(
            template=template,
            recipient=owner.email,
            name=owner.name,
            language=owner.language,
            purpose=purpose,
            meeting=SCOPE + about,
            revision=revision,
            context={"followup_ids": numbers, "about": about},
            auto_submitted="auto-generated",
        )
        for owner, numbers in owners.values()
    ]


def act(
    message: Inbound,
    owner: Owner,
    about: str,
    action: FollowupAction | None,
    items: Sequence[dict[str, Any]],
) -> Decision:
    """An owner's reply through the token of a follow-up mail (`about`: the meeting it was
    about). Only the address the token was sent to, and only for the items it owns; a forged or
    unreadable reply changes nothing and is shown to the coordinator. The owner is told what
    changed, or asked which item was meant."""
    sender = message.sender
    if sender != owner.email:
        return Decision(
            (Attention(f"follow-up token of {owner.email} used by {sender}"),),
            f"refused a follow-up status from {sender}",
        )
    if action is None:
        return Decision(
            (Attention("reply to a follow-up mail without #tehty/#klart/#done or #kesken"),),
            f"kept {sender}'s follow-up reply for the coordinator",
        )
    own = [item for item in items if item["owner_email"] == owner.email]
    if action.number is not None:
        chosen = [item for item in own if item["id"] == action.number]
    else:
        chosen = [item for item in own if item["status"] != "done"]
    if len(chosen) != 1:
        ask = _answer(message, owner, about, [i["id"] for i in own if i["status"] != "done"], 0)
        return Decision(
            (ask, Attention(f"follow-up reply from {sender} does not say which of their items")),
            f"asked {sender} which follow-up item was meant",
        )
    number = int(chosen[0]["id"])
    return Decision(
        (
            SetFollowup(number, action.status, action.note, sender),
            _answer(message, owner, about, [number], number),
        ),
        f"follow-up {number} → {action.status} by {sender}",
    )


def _answer(message: Inbound, owner: Owner, about: str, numbers: list[int], changed: int) -> SendMail:
    """`followup_status`: what changed (`followup_changed` is its number, else 0: which of the
    owner's open items did they mean?)."""
    return SendMail(
        template="followup_status",
        recipient=owner.email,
        name=owner.name,
        language=owner.language,
        purpose="followup-status",
        meeting=SCOPE + about,
        revision=message.key,
        in_reply_to=message.message_id,
        context={"followup_ids": numbers, "about": about, "followup_changed": changed},
    )
