"""One path from what a person said to a decision. Pure.

A reply read by the service, an attention item the coordinator resolves (`attention resolve`, a
"#3 kyllä" line in a reply to the digest) and a registration entered by hand (`register`,
`cancel`) all end here with the message, how it was read (or what the coordinator says it
means), the meeting match and the state that matters; the Decision that comes out is what the
shell commits. So resolving an item reaches exactly the decision a clear reply would have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from automation.model import (
    Attention,
    Classification,
    Decision,
    Details,
    Inbound,
    Intent,
    Kind,
    Match,
    ResolveAttention,
)
from automation.workflows import initiatives
from automation.workflows.calendar import Person
from automation.workflows.registration import Situation, decide

# What the coordinator can say a message means; `waiting` only by hand (`register --status`).
ANSWERS = ("yes", "no", "maybe", "waiting", "initiative", "ignore")
_KINDS = {
    "yes": Kind.REGISTRATION,
    "waiting": Kind.REGISTRATION,
    "no": Kind.CANCELLATION,
    "maybe": Kind.TENTATIVE,
}


@dataclass(frozen=True)
class Told:
    """What the coordinator said a message means, and which attention item it settles (0: an
    act by hand that settles none)."""

    answer: str
    actor: str
    meeting: str | None = None
    item: int = 0
    key: str = ""


@dataclass(frozen=True)
class Intake:
    """What the shell prepared for a new initiative (its reference is allocated in the
    transaction, its attachments saved): the facts `initiatives.intake` needs."""

    reference: str
    language: str
    group: tuple[Person, ...]
    kept: tuple[str, ...]
    refused: tuple[dict[str, str], ...]
    open_meetings: tuple[str, ...]


def dispatch(
    message: Inbound,
    seen: Classification,
    match: Match,
    s: Situation,
    told: Told | None = None,
    intake: Intake | None = None,
) -> Decision:
    """The decision about a person's answer. With `told`, the coordinator's reading replaces
    the reader's; a decision that still needs a human (no meeting, a maybe from someone with a
    seat) settles nothing, so the shell leaves the item open and says why."""
    if told is None:
        return decide(message, seen, match, s)
    decision = _as_told(message, seen, match, s, told, intake)
    if not told.item or decision.needs_attention:
        return decision
    settled = ResolveAttention(told.item, told.key, told.answer, told.actor, decision.summary)
    return Decision((*decision.effects, settled), decision.summary)


def _as_told(
    message: Inbound, seen: Classification, match: Match, s: Situation, told: Told, intake: Intake | None
) -> Decision:
    if told.answer == "ignore":
        return Decision((), f"set aside by {told.actor}: nothing sent")
    if told.answer == "initiative":
        if intake is None:
            return Decision((Attention("no initiative could be made of it"),), "not an initiative")
        return initiative(message, intake, s.now)
    if told.answer not in _KINDS:
        return Decision((Attention(f"unknown answer {told.answer!r}"),), "nothing done")
    if s.meeting is None:
        codes = ", ".join(m.code for m in s.open_meetings) or "none open"
        return Decision(
            (Attention(f"no meeting matched; name one with --meeting CODE ({codes})"),),
            "nothing done: no meeting",
        )
    kind = _KINDS[told.answer]
    intent = replace(seen.intent, kind=kind) if seen.intent else Intent(kind, seen.language)
    reading = replace(seen, kind=kind, intent=intent, reason=f"{told.answer}, said {told.actor}")
    if told.answer == "waiting":
        # Straight to the waiting list: the meeting counts as full for this decision only.
        s = replace(s, meeting=replace(s.meeting, capacity=s.registered))
    return decide(message, reading, match, s)


def initiative(message: Inbound, intake: Intake, now: datetime) -> Decision:
    """A new initiative, whether the reader saw one or the coordinator says it is one."""
    return initiatives.intake(
        message,
        intake.reference,
        intake.language,
        now,
        intake.group,
        intake.kept,
        intake.refused,
        intake.open_meetings,
    )


def vouched(match: Match, message: Inbound, meeting: str | None) -> Match:
    """The match of a message the coordinator answers for: their word authorises the change
    (as a reply token would), for the person the message was about. A no written with someone
    else's forwarded token is about that token's owner, whose seat it concerns."""
    email = match.via or (match.email if match.authorised and match.email else message.sender)
    return Match(meeting or match.meeting, email, "coordinator", authorised=True)


def by_hand(key: str, email: str, name: str) -> Inbound:
    """A registration the coordinator enters by hand ("put me down" on the phone): a message
    with nothing in it but who it is about, so it takes the same workflow as a reply."""
    return Inbound(
        key=key,
        message_id="",
        sender=email,
        sender_name=name,
        recipients=(),
        subject="",
        headers={},
        text="",
        reply_text="",
    )


def told_by_hand(answer: str, language: str | None, details: Details) -> Classification:
    kind = _KINDS.get(answer, Kind.UNKNOWN)
    return Classification(
        kind, "entered by the coordinator", language, Intent(kind, language, details=details)
    )
