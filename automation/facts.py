"""What the store and the configuration know before anything is decided: which meeting and whose
registration a message is about, the state that matters (seats, holders, the contact), who
organises and who owns follow-ups. Read-only."""

from __future__ import annotations

from datetime import datetime

from automation.app import App
from automation.config import Settings
from automation.model import Classification, Contact, Decision, Inbound, Kind, Match, Status, localised
from automation.parse.classify import classify
from automation.workflows import followups
from automation.workflows.calendar import Person, match_calendar_reply
from automation.workflows.dispatch import Told, vouched
from automation.workflows.guard import answered
from automation.workflows.matching import match_message, open_meetings, reply_tokens
from automation.workflows.registration import Situation


def understand(
    app: App,
    message: Inbound,
    now: datetime,
    told: Told | None = None,
    seen: Classification | None = None,
) -> tuple[Classification, Match, Situation]:
    """Classification, meeting match and the state that matters: read-only, no side effects.
    With `told`, the coordinator answers for the message: their word is the authority.
    `seen`: the message's classification when it was already made (the read-ahead)."""
    settings = app.settings
    seen = seen or classify(message, settings.network.address)
    meetings = settings.meeting_objects()
    tokens = reply_tokens(message, settings.network.address)
    token_owner = next((o for t in tokens if (o := app.store.token_owner(t))), None)
    reference_owner = app.store.sent_message_owner(list(message.references))
    if seen.kind == Kind.CALENDAR_REPLY and message.calendar is not None:
        candidates = {message.calendar.attendee, message.sender} - {""}
        match = match_calendar_reply(message, meetings, {e for e in candidates if known(app, e)})
    else:
        match = match_message(message, meetings, now, token_owner, reference_owner)
    if told is not None:
        match = vouched(match, message, told.meeting)
    return seen, match, situation(app, message, match, now)


def situation(app: App, message: Inbound, match: Match, now: datetime) -> Situation:
    """What the store knows about the matched meeting and person, read once."""
    settings = app.settings
    meetings = settings.meeting_objects()
    meeting = settings.meeting(match.meeting) if match.meeting else None
    email = match.email if match.authorised and match.email else message.sender
    registration = app.store.registration(meeting.code, email) if meeting else None
    holder = app.store.holder(meeting.code, email) if meeting else None
    contact_row = app.store.contact(email)
    contact = (
        Contact(
            contact_row["email"],
            contact_row["name"],
            contact_row["organisation"],
            contact_row["language"],
        )
        if contact_row
        else None
    )
    return Situation(
        now=now,
        default_language=settings.network.default_language,
        meeting=meeting,
        open_meetings=tuple(open_meetings(meetings, now)),
        registration=registration,
        contact=contact,
        registered=app.store.count(meeting.code, Status.REGISTERED) if meeting else 0,
        waiting=app.store.count(meeting.code, Status.WAITING) if meeting else 0,
        first_waiting=app.store.first_waiting(meeting.code) if meeting else None,
        known_languages=tuple(settings.network.languages),
        holder_state=holder["state"] if holder else "",
        holder_role=holder["role"] if holder else "",
        via_registration=app.store.registration(meeting.code, match.via) if meeting and match.via else None,
    )


def answers_today(app: App, decision: Decision, now: datetime) -> dict[str, int]:
    """How many automatic answers each address the decision answers has had today (for the
    daily limit, read before the pure guard is asked)."""
    return {email: app.store.answers_since(email, now) for email in answered(decision)}


def known(app: App, email: str) -> bool:
    """Someone we invited or who is on our lists: only they may answer for themselves."""
    db = app.store.db
    return any(
        db.execute(sql, [email]).fetchone()
        for sql in (
            "SELECT 1 FROM contacts WHERE email = ?",
            "SELECT 1 FROM calendar_holders WHERE email = ?",
            "SELECT 1 FROM registrations WHERE email = ?",
        )
    )


# Who organises (the [[organisers]] of the config, else the coordinator) and who owns follow-up
# items: read from the configuration, the same for every message.
def organisers(app: App) -> list[Person]:
    settings = app.settings
    people = [
        Person(o.email.lower(), o.name, o.language or settings.network.default_language, "CHAIR")
        for o in settings.organisers
    ]
    if not people and settings.network.coordinator:
        people = [Person(settings.network.coordinator, "", settings.network.default_language, "CHAIR")]
    return people


def owners(settings: Settings) -> list[followups.Owner]:
    default = settings.network.default_language
    return [
        followups.Owner(o.email.lower(), o.name, localised(o.organisation, default), o.language or default)
        for o in settings.organisers
    ]
