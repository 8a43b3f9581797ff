"""The meeting as a calendar event: who must get a REQUEST, an update or a CANCEL, and when.

Pure. The stored event (SEQUENCE and the facts last sent) and the current config go in; the new
event state and the mails to queue come out. A changed time or place is a significant change:
SEQUENCE+1 and an update to everyone who holds the event, with "what changed" in the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from automation.model import Inbound, Match, Meeting, SendMail

SIGNIFICANT = ("start", "end", "place", "address", "mode", "online_url")
_UID = re.compile(r"^meeting-([A-Za-z0-9_-]+)@")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    language: str
    role: str = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class EventState:
    sequence: int
    snapshot: dict[str, Any] | None
    cancelled: bool


def snapshot(meeting: Meeting) -> dict[str, Any]:
    return {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "place": meeting.place,
        # A plain address is kept as the string it always was, so upgrading sends no update.
        "address": _plain(meeting.address),
        "mode": meeting.mode,
        "online_url": meeting.online_url,
    }


def _plain(value: str | dict[str, str]) -> str | dict[str, str]:
    if isinstance(value, dict) and set(value) <= {""}:
        return value.get("", "")
    return value


def meeting_from_snapshot(meeting: Meeting, facts: dict[str, Any]) -> Meeting:
    """The meeting as it was when `facts` were sent (for "what changed")."""
    return replace(
        meeting,
        start=datetime.fromisoformat(facts["start"]),
        end=datetime.fromisoformat(facts["end"]),
        place=dict(facts["place"]),
        address=facts["address"],
        mode=facts["mode"],
        online_url=facts["online_url"],
    )


def sync_event(
    meeting: Meeting,
    stored: EventState,
    holders: Sequence[Person],
    organisers: Sequence[Person],
    ever_invited: set[str],
    others_to_tell: Sequence[Person],
    now: datetime,
) -> tuple[EventState, list[SendMail]]:
    """What the calendar side of one meeting needs now. `holders` hold the event today;
    `ever_invited` had it at some point (a declined organiser is not invited again)."""
    if now >= meeting.end:
        return stored, []  # never send invites, updates or cancellations for the past
    current = snapshot(meeting)
    if meeting.cancelled:
        if stored.cancelled or stored.snapshot is None:
            return stored, []
        sequence = stored.sequence + 1
        mails = [
            _mail(meeting, p, "meeting_cancelled", "cancel-meeting", sequence, "CANCEL") for p in holders
        ]
        holder_emails = {p.email for p in holders}
        mails += [
            _mail(meeting, p, "meeting_cancelled", "cancel-meeting", sequence, "")
            for p in others_to_tell
            if p.email not in holder_emails
        ]
        return EventState(sequence, stored.snapshot, True), mails
    if stored.snapshot is None:
        state = EventState(stored.sequence, current, False)
        return state, [_invite(meeting, p, state.sequence) for p in organisers if p.email not in ever_invited]
    mails = [_invite(meeting, p, stored.sequence) for p in organisers if p.email not in ever_invited]
    changed = [key for key in SIGNIFICANT if stored.snapshot.get(key) != current[key]]
    if not changed:
        return stored, mails
    sequence = stored.sequence + 1
    for person in holders:
        mail = _mail(meeting, person, "meeting_updated", "update", sequence, "REQUEST")
        mails.append(_with_context(mail, previous=stored.snapshot, changed=changed))
    return EventState(sequence, current, False), mails


def _invite(meeting: Meeting, person: Person, sequence: int) -> SendMail:
    return _mail(meeting, person, "organiser_invitation", "organiser-invite", sequence, "REQUEST")


def _mail(
    meeting: Meeting, person: Person, template: str, purpose: str, sequence: int, method: str
) -> SendMail:
    return SendMail(
        template=template,
        recipient=person.email,
        name=person.name,
        language=person.language,
        purpose=purpose,
        meeting=meeting.code,
        revision=f"seq{sequence}",
        auto_submitted="auto-generated",
        calendar=method,
        calendar_role=person.role,
        sequence=sequence if method else None,
    )


def _with_context(mail: SendMail, **context: Any) -> SendMail:
    return replace(mail, context={**mail.context, **context})


def meeting_of_uid(uid: str) -> str | None:
    found = _UID.match(uid)
    return found.group(1) if found else None


def match_calendar_reply(message: Inbound, meetings: Sequence[Meeting], is_known: set[str]) -> Match:
    """UID names the meeting; the ATTENDEE (not From) names the person, if we invited them.
    A delegate or alias whose attendee address we do not know is matched by From when From
    is known; otherwise nothing is changed and the coordinator sees it."""
    reply = message.calendar
    assert reply is not None
    code = meeting_of_uid(reply.uid)
    if code is None or code not in {m.code for m in meetings}:
        return Match(None, None, f"calendar UID {reply.uid!r} is not one of our meetings")
    if reply.attendee and reply.attendee in is_known:
        return Match(code, reply.attendee, "calendar UID and invited attendee", authorised=True)
    if message.sender in is_known:
        return Match(code, message.sender, "calendar UID and the sender (attendee unknown)", authorised=True)
    return Match(code, None, f"attendee {reply.attendee or '(none)'} was not invited")
