"""Registration decisions: a person's yes or no, read against capacity, deadline and waiting list.

Pure: the message, how it was read, what we know about the meeting and the person, and `now`
go in; a Decision (state changes + mails to queue + attention) comes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from automation.model import (
    AddContact,
    AnyEffect,
    Attention,
    CalendarResponse,
    Classification,
    Contact,
    Decision,
    Details,
    Inbound,
    Kind,
    Match,
    Meeting,
    Registration,
    SendMail,
    SetRegistration,
    Status,
)
from automation.workflows.passed_on import (
    _instead,
    _passed_on,
    _questions,
    _standins,
    _via,
    _with,
)

ACTIVE = (Status.REGISTERED, Status.WAITING, Status.TENTATIVE)


@dataclass(frozen=True)
class Situation:
    """What the store knows that matters for one message."""

    now: datetime
    default_language: str
    meeting: Meeting | None
    open_meetings: tuple[Meeting, ...]
    registration: Registration | None = None
    contact: Contact | None = None
    registered: int = 0
    waiting: int = 0
    first_waiting: Registration | None = None
    known_languages: tuple[str, ...] = field(default=("fi", "sv", "en"))
    # This person's copy of the meeting's calendar event: "holding", "cancelled", "declined", "".
    holder_state: str = ""
    holder_role: str = ""
    # When a forwarded reply token was used: its owner's registration (never changed here).
    via_registration: Registration | None = None


def _name(message: Inbound, s: Situation) -> str:
    """The coordinator's list wins over a display name: Outlook shows address-book names
    surname first ("Järvinen Aino"), and a greeting must not follow that. A name is taken
    from the mail only when none is known."""
    if s.contact and s.contact.name:
        return s.contact.name
    if s.registration and s.registration.name:
        return s.registration.name
    return message.sender_name


def decide(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    if seen.kind == Kind.CALENDAR_REPLY:
        return decide_calendar(message, seen, match, s)
    if seen.kind == Kind.REGISTRATION:
        return _register(message, seen, match, s)
    if seen.kind == Kind.CANCELLATION:
        return _cancel(message, seen, match, s)
    if seen.kind == Kind.TENTATIVE:
        return _tentative(message, seen, match, s)
    already_in = s.registration is not None and s.registration.status in ACTIVE
    if seen.kind == Kind.UNKNOWN and seen.answerable and s.meeting is not None and not already_in:
        reply = _reply(message, seen, match, s, "unclear", "unclear")
        return Decision(
            (reply, Attention(f"unclear reply about {s.meeting.code}")),
            f"asked {_email(match, message)} whether they meant to register",
        )
    return Decision((Attention(f"{seen.kind}: {seen.reason}"),), f"kept for the coordinator ({seen.reason})")


def _tentative(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    """A maybe is recorded as tentative, answered, reminded with those who have not answered
    and holds no seat; a later clear yes or no replaces it. From someone who already holds a
    seat (or a place in the queue) it changes nothing by itself: the coordinator is shown it."""
    meeting = s.meeting
    who = _email(match, message)
    if meeting is None:
        return Decision((Attention("a maybe naming no meeting"),), f"kept {who}'s maybe for the coordinator")
    if meeting.cancelled or s.now > meeting.registration_deadline:
        return Decision(
            (_reply(message, seen, match, s, "registration_closed", "closed"),),
            f"told {who} that registration for {meeting.code} has closed",
        )
    current = s.registration
    if current is not None and current.status in (Status.REGISTERED, Status.WAITING):
        return Decision(
            (Attention(f"a maybe from {who}, who is {current.status} for {meeting.code}"),),
            f"{who} is {current.status} for {meeting.code} and wrote a maybe: kept for the coordinator",
        )
    details = seen.intent.details if seen.intent else Details()
    change = SetRegistration(
        meeting.code,
        who,
        Status.TENTATIVE,
        name=details.name or _name(message, s),
        language=_language(seen, s),
        details=details,
    )
    reply = _reply(message, seen, match, s, "tentative", "tentative")
    return Decision((change, reply, *_passed_on(seen, who)), f"{who} is a maybe for {meeting.code}")


def _register(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    meeting = s.meeting
    who = _email(match, message)
    if meeting is None:
        return _which_meeting(message, seen, match, s)
    late = s.now > meeting.registration_deadline
    waiting_allowed = meeting.late_to_waiting_list and s.now < meeting.start
    if meeting.cancelled or (late and not waiting_allowed):
        return Decision(
            (_reply(message, seen, match, s, "registration_closed", "closed"),),
            f"told {who} that registration for {meeting.code} has closed",
        )
    details = seen.intent.details if seen.intent else Details()
    if details.attendance == "remote" and meeting.mode == "onsite" and match.by != "coordinator":
        # "Osallistun etänä" to a meeting held on site only: no seat and no "remotely" in a
        # confirmation; the person is told it is on site only and asked to answer again.
        reply = _reply(message, seen, match, s, "onsite_only", "onsite-only")
        return Decision(
            (reply, *_passed_on(seen, who)),
            f"told {who} that {meeting.code} is on site only (they answered remotely); nothing registered",
        )
    current = s.registration
    language = _language(seen, s)
    if current is not None and current.status in (Status.REGISTERED, Status.WAITING):
        keep = SetRegistration(
            meeting.code, current.email, current.status, language=language, details=details
        )
        template = "confirmation" if current.status == Status.REGISTERED else "waitlisted"
        reply = _reply(
            message,
            seen,
            match,
            s,
            template,
            "confirm",
            already=True,
            position=_position(current, s),
        )
        return Decision(
            (keep, reply, *_passed_on(seen, who)),
            f"{who} was already {current.status} for {meeting.code}; details updated",
        )
    name = details.name or _name(message, s)
    organisation = details.organisation or (s.contact.organisation if s.contact else "")
    # After the deadline (when the meeting allows it) a yes can only join the waiting list.
    full = late or (meeting.capacity is not None and s.registered >= meeting.capacity)
    status = Status.WAITING if full else Status.REGISTERED
    change = SetRegistration(
        meeting.code,
        _email(match, message),
        status,
        name=name,
        organisation=organisation,
        language=language,
        details=details,
    )
    brought, names, named_only = _companions(message, seen, match, s, change, late)
    if named_only:
        change = replace(change, companions=named_only)
    if full:
        reply = _reply(
            message,
            seen,
            match,
            s,
            "waitlisted",
            "confirm",
            already=False,
            position=s.waiting + 1,
            companions=names,
        )
        return Decision(
            (change, reply, *_newcomer(match, s, change), *brought, *_passed_on(seen, who)),
            f"{who} is on the waiting list for {meeting.code} (#{s.waiting + 1}){_via(match)}{_with(names)}",
        )
    reply = _reply(
        message, seen, match, s, "confirmation", "confirm", already=False, position=0, companions=names
    )
    if s.holder_state != "holding":
        reply = replace(reply, calendar="REQUEST")  # their own copy of the event, to accept
    return Decision(
        (change, reply, *_newcomer(match, s, change), *brought, *_passed_on(seen, who)),
        f"{who} registered for {meeting.code}{_via(match)}{_with(names)}",
    )


def _companions(
    message: Inbound, seen: Classification, match: Match, s: Situation, sender: SetRegistration, late: bool
) -> tuple[list[AnyEffect], list[str], tuple[str, ...]]:
    """People the sender registers with them ("I also register my colleague Liisa Korhonen
    (liisa.korhonen@…)"): each with an address gets a seat (or a place in the queue) of their
    own, their own confirmation with the undo hint and the calendar copy, and joins the contact
    list. Names without an address are listed under the sender (a seat each) when the sender
    has a seat and there is room for them all; otherwise the coordinator is told. The sender's
    confirmation lists whom it registered."""
    assert s.meeting is not None
    meeting = s.meeting
    effects: list[AnyEffect] = []
    names: list[str] = []
    unaddressed: list[str] = []
    seats = s.registered + (1 if sender.status == Status.REGISTERED else 0)
    queue = s.waiting + (1 if sender.status == Status.WAITING else 0)
    for name, email in seen.intent.companions if seen.intent else ():
        if not email:
            unaddressed.append(name)
            continue
        if email.lower() == sender.email.lower():
            continue
        full = late or (meeting.capacity is not None and seats >= meeting.capacity)
        status = Status.WAITING if full else Status.REGISTERED
        seats, queue = (seats, queue + 1) if full else (seats + 1, queue)
        effects.append(SetRegistration(meeting.code, email, status, name=name, language=sender.language))
        effects.append(AddContact(email, name, "", sender.language, f"via:{sender.email}"))
        mail = _reply(
            message,
            seen,
            match,
            s,
            "waitlisted" if full else "confirmation",
            "confirm",
            recipient=email,
            name=name,
            already=False,
            position=queue if full else 0,
            evidence="",
            diet="",
            attendance="",
            registered_by=sender.name or sender.email,
        )
        mail = replace(mail, in_reply_to="", auto_submitted="auto-generated")
        effects.append(mail if full else replace(mail, calendar="REQUEST"))
        names.append(name)
    room = meeting.capacity is None or seats + len(unaddressed) <= meeting.capacity
    if unaddressed and sender.status == Status.REGISTERED and room and not late:
        return effects, names + unaddressed, tuple(unaddressed)
    if unaddressed:
        effects.append(
            Attention(f"companions without an address (no room or no seat): {', '.join(unaddressed)}")
        )
    return effects, names, ()


def _newcomer(match: Match, s: Situation, change: SetRegistration) -> tuple[AddContact, ...]:
    """Someone who registered with a forwarded invitation joins the contact list, noted as
    coming through its owner's invitation."""
    if not match.via or s.contact is not None:
        return ()
    return (AddContact(change.email, change.name, change.organisation, change.language, f"via:{match.via}"),)


def _cancel(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    meeting = s.meeting
    who = _email(match, message)
    if meeting is None:
        return _which_meeting(message, seen, match, s)
    if s.now >= meeting.start:
        return Decision(
            (Attention(f"cancellation for {meeting.code} after it started"),),
            f"kept {who}'s late cancellation for the coordinator",
        )
    current = s.registration
    language = _language(seen, s)
    if match.via and (current is None or current.status not in ACTIVE):
        return _forwarded_cancel(message, seen, match, s)
    if current is None or current.status not in ACTIVE:
        status = current.status if current else Status.DECLINED
        change = SetRegistration(
            meeting.code,
            _email(match, message),
            status,
            language=language,
            name=_name(message, s),
        )
        standins = _standins(seen)
        reply = _reply(message, seen, match, s, "declined", "decline", standins=standins)
        return Decision(
            (change, reply, *_passed_on(seen, who, standins)),
            f"{who} will not attend {meeting.code}{_instead(standins)}",
        )
    if not match.authorised:
        # A From address can be forged: only a reply carrying the person's token may cancel.
        ask = _reply(
            message,
            seen,
            match,
            s,
            "cancel_confirm",
            "cancel-confirm",
            recipient=current.email,
            name=current.name,
        )
        return Decision((ask,), f"asked {current.email} to confirm cancelling {meeting.code}")
    cancel = SetRegistration(meeting.code, current.email, Status.CANCELLED, language=language)
    # Someone named to come in one's place ("kollegani tulee tilalleni") is never registered on
    # the sender's word: the seat is given back, and the sender is told how the colleague
    # registers (forward the invitation, or the one-click link); the coordinator sees the name.
    freed = current.status == Status.REGISTERED
    after = replace(s, registered=s.registered - 1) if freed else s
    standins = _standins(seen)
    reply = _reply(message, seen, match, s, "cancelled", "cancel", standins=standins)
    if s.holder_state == "holding" and seen.kind != Kind.CALENDAR_REPLY:
        reply = replace(reply, calendar="CANCEL")  # take the event out of their calendar
    effects: list[AnyEffect] = [cancel, reply, *_passed_on(seen, who, standins)]
    summary = f"{who} cancelled {meeting.code}{_instead(standins)}"
    room = meeting.capacity is None or after.registered < meeting.capacity
    promoted = s.first_waiting
    if freed and room and promoted is not None:
        effects.append(SetRegistration(meeting.code, promoted.email, Status.REGISTERED))
        effects.append(
            SendMail(
                template="promoted",
                recipient=promoted.email,
                name=promoted.name,
                language=promoted.language or s.default_language,
                purpose="promote",
                meeting=meeting.code,
                revision="1",
                auto_submitted="auto-generated",
                calendar="REQUEST",
            )
        )
        summary += f"; {promoted.email} promoted from the waiting list"
    return Decision(tuple(effects), summary)


def _forwarded_cancel(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    """A no written with someone else's reply token. It may be the colleague's own no or a
    message on the owner's behalf; either way the owner's seat is theirs to give up: they are
    asked to confirm (their reply carries their own token), and the coordinator sees it."""
    assert s.meeting is not None
    owner = s.via_registration
    note = Attention(f"{message.sender} answered no with the reply token of {match.via}")
    if owner is None or owner.status not in ACTIVE:
        return Decision(
            (note,), f"{message.sender} answered no via {match.via}'s invitation; nothing changed"
        )
    ask = _reply(
        message,
        seen,
        match,
        s,
        "cancel_confirm",
        "cancel-confirm",
        recipient=owner.email,
        name=owner.name,
    )
    return Decision(
        (ask, note),
        f"{message.sender} answered no via {match.via}'s invitation; asked {owner.email} to confirm",
    )


def _which_meeting(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    reply = _reply(
        message,
        seen,
        match,
        s,
        "open_meetings",
        "which",
        open_meetings=[m.code for m in s.open_meetings],
    )
    return Decision((reply,), f"sent {_email(match, message)} the list of open meetings")


def _reply(
    message: Inbound,
    seen: Classification,
    match: Match,
    s: Situation,
    template: str,
    purpose: str,
    recipient: str = "",
    name: str = "",
    **context: object,
) -> SendMail:
    intent = seen.intent
    details = intent.details if intent else Details()
    return SendMail(
        template=template,
        recipient=recipient or _email(match, message),
        name=name or _name(message, s),
        language=_language(seen, s),
        purpose=purpose,
        meeting=s.meeting.code if s.meeting else None,
        revision=message.key,
        in_reply_to=message.message_id,
        context={
            "evidence": intent.evidence if intent else "",
            "diet": details.diet,
            "attendance": details.attendance,
            "organisation": details.organisation,
            "questions": _questions(seen),
            **context,
        },
    )


def _language(seen: Classification, s: Situation) -> str:
    for candidate in (
        seen.language,
        s.contact.language if s.contact else "",
        s.registration.language if s.registration else "",
    ):
        if candidate and candidate in s.known_languages:
            return candidate
    return s.default_language


def _email(match: Match, message: Inbound) -> str:
    return match.email if match.authorised and match.email else message.sender


def _position(current: Registration, s: Situation) -> int:
    return current.position if current.status == Status.WAITING else 0


def decide_calendar(message: Inbound, seen: Classification, match: Match, s: Situation) -> Decision:
    """Accept / Decline / Tentative pressed in a calendar counts like a written reply.

    A reply that changes nothing (accepting what one already has) gets no answer: calendar
    robots (Google's REPLY is Auto-Submitted) receive at most one confirmation.
    """
    reply = message.calendar
    assert reply is not None
    meeting = s.meeting
    if meeting is None or match.email is None:
        return Decision(
            (Attention(f"calendar reply not matched: {match.by}"),),
            f"calendar reply kept for the coordinator ({match.by})",
        )
    partstat = reply.partstat
    noted = CalendarResponse(meeting.code, match.email, partstat)
    who = match.email
    if s.holder_role == "CHAIR":
        return Decision((noted,), f"organiser {who} answered {partstat} for {meeting.code}")
    active = s.registration is not None and s.registration.status in ACTIVE
    registered = s.registration is not None and s.registration.status in (Status.REGISTERED, Status.WAITING)
    if partstat == "ACCEPTED":
        if registered:
            return Decision((noted,), f"{who} accepted the calendar invite (already registered)")
        decision = _register(message, seen, match, s)
        return Decision((noted, *_via_calendar(decision.effects)), decision.summary + " (calendar)")
    if partstat == "DECLINED":
        if not active:
            change = SetRegistration(meeting.code, who, Status.DECLINED, name=_name(message, s))
            return Decision((noted, change), f"{who} declined {meeting.code} in their calendar")
        decision = _cancel(message, seen, match, s)
        return Decision((noted, *_via_calendar(decision.effects)), decision.summary + " (calendar)")
    if partstat == "TENTATIVE":
        if registered:
            return Decision((noted,), f"{who} marked {meeting.code} tentative; kept registered")
        change = SetRegistration(
            meeting.code, who, Status.TENTATIVE, name=_name(message, s), language=_language(seen, s)
        )
        return Decision((noted, change), f"{who} is tentative for {meeting.code}")
    return Decision(
        (noted, Attention(f"calendar reply with PARTSTAT={partstat}")),
        f"calendar reply {partstat} from {who} kept for the coordinator",
    )


def _via_calendar(effects: tuple[AnyEffect, ...]) -> tuple[AnyEffect, ...]:
    return tuple(
        replace(e, context={**e.context, "via_calendar": True}) if isinstance(e, SendMail) else e
        for e in effects
    )
