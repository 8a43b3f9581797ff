"""Initiatives by email: intake with a reference number, actions by the preparatory group.

Pure. Anyone may submit ("Aloite: …"). Only a member of the preparatory group may move an
initiative, and only by replying to the notification that carries their token for it: a forged
From address alone changes nothing (the shell checks the token; this module checks the member).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from automation.model import (
    Attention,
    CreateInitiative,
    Decision,
    Inbound,
    Initiative,
    SendMail,
    SetInitiativeStatus,
)
from automation.parse.submission_text import PUBLISH_NAME
from automation.workflows.calendar import Person

_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|vs|sv|fw|fwd)\s*:\s*)*(?:aloite|initiativ|initiative)\s*:\s*", re.I
)
_ACTIONS = [
    (re.compile(r"#(?:valmisteluun|beredning|preparation)\b(.*)", re.I), "preparation"),
    (re.compile(r"#(?:asialistalle|föredragningslistan|agenda)\b\s*(\S*)(.*)", re.I), "agenda"),
    (re.compile(r"#(?:hylätty|hylkää|avslagen|avslag|rejected|reject)\b(.*)", re.I), "rejected"),
    (re.compile(r"#(?:ratkaistu|löst|resolved)\b(.*)", re.I), "resolved"),
]


@dataclass(frozen=True)
class Action:
    status: str
    meeting: str
    note: str


def initiative_title(subject: str) -> str:
    return _SUBJECT_PREFIX.sub("", subject).strip()[:200] or "(ei otsikkoa)"


def read_action(text: str) -> Action | None:
    """The first hashtag command in a group member's reply ("#asialistalle 2024-09")."""
    for pattern, status in _ACTIONS:
        found = pattern.search(text)
        if not found:
            continue
        if status == "agenda":
            return Action(status, found.group(1).strip(), found.group(2).strip()[:500])
        return Action(status, "", found.group(1).strip()[:500])
    return None


def has_action(text: str) -> bool:
    return read_action(text) is not None


def intake(
    message: Inbound,
    reference: str,
    language: str,
    now: datetime,
    group: Sequence[Person],
    kept: Sequence[str],
    refused: Sequence[dict[str, str]],
    open_codes: Sequence[str] = (),
) -> Decision:
    """A new initiative: stored, acknowledged to the submitter, sent to the preparatory group."""
    initiative = Initiative(
        reference=reference,
        title=initiative_title(message.subject),
        text=message.reply_text[:20000],
        submitter_email=message.sender,
        submitter_name=message.sender_name,
        language=language,
        status="received",
        meeting="",
        created_at=now.isoformat(timespec="seconds"),
        publish_name=bool(PUBLISH_NAME.search(message.reply_text)),
    )
    context = {
        "initiative": reference,
        "attachments": list(kept),
        "refused": list(refused),
        "open_meetings": list(open_codes),
    }
    effects: list[object] = [
        CreateInitiative(initiative),
        SendMail(
            template="initiative_received",
            recipient=message.sender,
            name=message.sender_name,
            language=language,
            purpose="initiative-ack",
            meeting=None,
            revision=reference,
            in_reply_to=message.message_id,
            reply_token=False,
            context=context,
        ),
    ]
    for member in group:
        effects.append(
            SendMail(
                template="initiative_new",
                recipient=member.email,
                name=member.name,
                language=member.language,
                purpose="initiative-new",
                meeting=_token_scope(reference),
                revision="1",
                auto_submitted="auto-generated",
                context=context,
            )
        )
    return Decision(tuple(effects), f"initiative {reference} received from {message.sender}")  # type: ignore[arg-type]


def act(
    message: Inbound,
    initiative: Initiative,
    actor: str,
    group: Sequence[Person],
    meeting_codes: Sequence[str],
) -> Decision:
    """A group member's reply to a notification: move the initiative, tell the submitter."""
    if actor not in {p.email for p in group}:
        return Decision(
            (Attention(f"{actor} is not in the preparatory group; {initiative.reference} unchanged"),),
            f"refused an action on {initiative.reference}",
        )
    action = read_action(message.reply_text)
    if action is None:
        return Decision(
            (Attention(f"reply about {initiative.reference} without a #command"),),
            f"kept {actor}'s reply about {initiative.reference} for the coordinator",
        )
    if action.status == "agenda" and action.meeting not in meeting_codes:
        return Decision(
            (Attention(f"#agenda names no known meeting ({action.meeting or 'none'})"),),
            f"kept {actor}'s action on {initiative.reference}: unknown meeting",
        )
    change = SetInitiativeStatus(initiative.reference, action.status, action.meeting, action.note, actor)
    return Decision(
        status_mails(initiative, change, message.key) + (change,),
        f"{initiative.reference} → {action.status} by {actor}",
    )


def status_mails(initiative: Initiative, change: SetInitiativeStatus, revision: str) -> tuple[SendMail, ...]:
    context = {"initiative": initiative.reference, "note": change.note}
    to_submitter = SendMail(
        template="initiative_status",
        recipient=initiative.submitter_email,
        name=initiative.submitter_name,
        language=initiative.language,
        purpose="initiative-status",
        meeting=change.meeting or None,
        revision=f"{initiative.reference}-{revision}",
        auto_submitted="auto-generated",
        reply_token=False,
        context=context,
    )
    return (to_submitter,)


def _token_scope(reference: str) -> str:
    """The token table's "meeting" column for an initiative's notification tokens."""
    return f"initiative:{reference}"


def reference_of_scope(scope: str) -> str | None:
    return scope.removeprefix("initiative:") if scope.startswith("initiative:") else None
