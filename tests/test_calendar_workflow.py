"""Calendar side of a meeting and calendar replies: pure decisions, no servers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from mails import calendar_reply
from meetings import (
    HKI,
    MEETING,
)

from automation.model import CalendarResponse, Match, Meeting, Registration, SendMail, SetRegistration, Status
from automation.parse.classify import classify
from automation.parse.message import parse_message
from automation.workflows.calendar import EventState, Person, match_calendar_reply, snapshot, sync_event
from automation.workflows.registration import Situation, decide

NOW = datetime(2024, 2, 14, 10, tzinfo=HKI)
UID = "meeting-2024-03@example.org"


def meeting() -> Meeting:
    return MEETING


ORGANISERS = [Person("chair@example.fi", "Outi", "fi", "CHAIR")]


def test_new_meeting_invites_every_organiser_as_chair_once() -> None:
    state, mails = sync_event(meeting(), EventState(0, None, False), [], ORGANISERS, set(), [], NOW)
    assert state.snapshot == snapshot(meeting()) and state.sequence == 0
    [mail] = mails
    assert (mail.calendar, mail.calendar_role, mail.sequence) == ("REQUEST", "CHAIR", 0)
    # Run again with the stored state: nothing new.
    holders = [ORGANISERS[0]]
    again = sync_event(meeting(), state, holders, ORGANISERS, {"chair@example.fi"}, [], NOW)
    assert again == (state, [])


def test_moved_meeting_updates_every_holder_with_sequence_plus_one_and_what_changed() -> None:
    stored = EventState(0, snapshot(meeting()), False)
    moved = replace(meeting(), start=meeting().start.replace(day=19), end=meeting().end.replace(day=19))
    holders = [ORGANISERS[0], Person("maija@example.fi", "Maija", "fi")]
    state, mails = sync_event(moved, stored, holders, ORGANISERS, {p.email for p in holders}, [], NOW)
    assert state.sequence == 1
    assert {m.recipient for m in mails} == {"chair@example.fi", "maija@example.fi"}
    assert all(m.calendar == "REQUEST" and m.sequence == 1 and m.template == "meeting_updated" for m in mails)
    assert mails[0].context["changed"] == ["start", "end"]
    assert mails[0].context["previous"]["start"].startswith("2024-03-12")


def test_cancelled_meeting_sends_cancel_to_holders_and_email_to_waiting_list() -> None:
    stored = EventState(2, snapshot(meeting()), False)
    holders = [Person("maija@example.fi", "Maija", "fi")]
    waiting = [Person("maija@example.fi", "Maija", "fi"), Person("odottaa@example.fi", "", "sv")]
    state, mails = sync_event(replace(meeting(), cancelled=True), stored, holders, [], set(), waiting, NOW)
    assert state.cancelled and state.sequence == 3
    by_recipient = {m.recipient: m for m in mails}
    assert by_recipient["maija@example.fi"].calendar == "CANCEL"
    assert by_recipient["odottaa@example.fi"].calendar == ""
    assert len(mails) == 2


def test_past_meeting_gets_no_calendar_mail() -> None:
    later = datetime(2024, 3, 13, tzinfo=HKI)
    stored = EventState(0, snapshot(meeting()), False)
    moved = replace(meeting(), address="Elsewhere 1")
    assert sync_event(moved, stored, ORGANISERS, ORGANISERS, set(), [], later) == (stored, [])


def read(raw: bytes):  # type: ignore[no-untyped-def]
    message = parse_message(raw)
    return message, classify(message, "verkosto@example.org")


def situation(**changes: object) -> Situation:
    base = Situation(now=NOW, default_language="fi", meeting=meeting(), open_meetings=(meeting(),))
    return replace(base, **changes)  # type: ignore[arg-type]


def test_reply_is_matched_by_uid_and_attendee_even_from_another_address() -> None:
    message, _ = read(calendar_reply("alias@gmail.example", "maija@example.fi", "ACCEPTED", UID))
    match = match_calendar_reply(message, [meeting()], {"maija@example.fi"})
    assert (match.meeting, match.email, match.authorised) == ("2024-03", "maija@example.fi", True)
    unknown = match_calendar_reply(message, [meeting()], set())
    assert unknown.email is None
    foreign, _ = read(calendar_reply("x@example.fi", "x@example.fi", "ACCEPTED", "other@example.com"))
    assert match_calendar_reply(foreign, [meeting()], {"x@example.fi"}).meeting is None


def test_accept_registers_like_a_written_yes_and_is_confirmed_once() -> None:
    message, seen = read(calendar_reply("maija@example.fi", "maija@example.fi", "ACCEPTED", UID))
    match = Match("2024-03", "maija@example.fi", "calendar", authorised=True)
    decision = decide(message, seen, match, situation(holder_state="holding"))
    [change] = [e for e in decision.effects if isinstance(e, SetRegistration)]
    assert change.status == Status.REGISTERED
    [mail] = [e for e in decision.effects if isinstance(e, SendMail)]
    assert mail.template == "confirmation" and mail.context["via_calendar"] is True
    # Accepting again (already registered) changes nothing and sends nothing.
    registered = Registration("2024-03", "maija@example.fi", "", "", "fi", Status.REGISTERED, "", "", 0, "")
    again = decide(message, seen, match, situation(registration=registered, holder_state="holding"))
    assert [type(e) for e in again.effects] == [CalendarResponse]


def test_accept_when_full_goes_to_the_waiting_list() -> None:
    message, seen = read(calendar_reply("maija@example.fi", "maija@example.fi", "ACCEPTED", UID))
    match = Match("2024-03", "maija@example.fi", "calendar", authorised=True)
    decision = decide(message, seen, match, situation(registered=2))
    [change] = [e for e in decision.effects if isinstance(e, SetRegistration)]
    assert change.status == Status.WAITING


def test_decline_cancels_and_promotes_tentative_is_recorded() -> None:
    registered = Registration("2024-03", "maija@example.fi", "", "", "fi", Status.REGISTERED, "", "", 0, "")
    first = Registration("2024-03", "eka@example.fi", "", "", "sv", Status.WAITING, "", "", 3, "")
    message, seen = read(calendar_reply("maija@example.fi", "maija@example.fi", "DECLINED", UID))
    match = Match("2024-03", "maija@example.fi", "calendar", authorised=True)
    decision = decide(
        message,
        seen,
        match,
        situation(registration=registered, registered=2, first_waiting=first, holder_state="holding"),
    )
    changes = {(c.email, c.status) for c in decision.effects if isinstance(c, SetRegistration)}
    assert changes == {("maija@example.fi", Status.CANCELLED), ("eka@example.fi", Status.REGISTERED)}
    mails = [e for e in decision.effects if isinstance(e, SendMail)]
    cancelled = next(m for m in mails if m.recipient == "maija@example.fi")
    assert cancelled.calendar == ""  # they declined in their calendar: no CANCEL needed
    promoted = next(m for m in mails if m.recipient == "eka@example.fi")
    assert promoted.calendar == "REQUEST"

    message, seen = read(calendar_reply("uusi@example.fi", "uusi@example.fi", "TENTATIVE", UID))
    match = Match("2024-03", "uusi@example.fi", "calendar", authorised=True)
    decision = decide(message, seen, match, situation())
    [change] = [e for e in decision.effects if isinstance(e, SetRegistration)]
    assert change.status == Status.TENTATIVE
    assert not [e for e in decision.effects if isinstance(e, SendMail)]


def test_organiser_answer_is_noted_without_registering() -> None:
    message, seen = read(calendar_reply("chair@example.fi", "chair@example.fi", "ACCEPTED", UID))
    match = Match("2024-03", "chair@example.fi", "calendar", authorised=True)
    decision = decide(message, seen, match, situation(holder_role="CHAIR", holder_state="holding"))
    assert decision.effects == (CalendarResponse("2024-03", "chair@example.fi", "ACCEPTED"),)


def test_unmatched_reply_is_kept_for_the_coordinator() -> None:
    message, seen = read(calendar_reply("who@example.com", "who@example.com", "ACCEPTED", UID))
    decision = decide(message, seen, Match("2024-03", None, "attendee not invited"), situation())
    assert decision.needs_attention and not [e for e in decision.effects if isinstance(e, SendMail)]
