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

from automation.model import Attention, Decision, SendMail, SetFollowup
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
    sender: str, token_owner: str, action: FollowupAction | None, items: Sequence[dict[str, Any]]
) -> Decision:
    """An owner's reply through the token of a follow-up mail. Only the address the token was
    sent to, and only for the items it owns; anything else changes nothing and is shown to
    the coordinator."""
    if sender != token_owner:
        return Decision(
            (Attention(f"follow-up token of {token_owner} used by {sender}"),),
            f"refused a follow-up status from {sender}",
        )
    if action is None:
        return Decision(
            (Attention("reply to a follow-up mail without #tehty/#klart/#done or #kesken"),),
            f"kept {sender}'s follow-up reply for the coordinator",
        )
    own = [item for item in items if item["owner_email"] == token_owner]
    if action.number is not None:
        chosen = [item for item in own if item["id"] == action.number]
    else:
        chosen = [item for item in own if item["status"] != "done"]
    if len(chosen) != 1:
        which = f"item {action.number}" if action.number is not None else "no item number"
        return Decision(
            (Attention(f"follow-up reply from {sender} names {which} that is not theirs alone"),),
            f"kept {sender}'s follow-up reply: which item?",
        )
    item = chosen[0]
    return Decision(
        (SetFollowup(item["id"], action.status, action.note, sender),),
        f"follow-up {item['id']} → {action.status} by {sender}",
    )
