"""Scheduled work, computed from state each time it runs ("who is due for what now?").

Nothing is remembered in timers: a restart, a moved meeting or a late start does the right thing.
"""

from __future__ import annotations

from datetime import datetime

from automation.app import App
from automation.errors import AutomationError
from automation.model import Decision, SendMail, Status
from automation.workflows.calendar import EventState, Person, sync_event
from automation.workflows.meetings import invitations, invitations_open


def queue_invitations(app: App, code: str, now: datetime) -> int:
    """Queue the invitation for every active contact who has not had it. Returns how many."""
    settings = app.settings
    meeting = settings.meeting(code)
    if meeting is None:
        known = ", ".join(m.code for m in settings.meetings) or "none"
        raise AutomationError(f"no meeting {code!r} in {settings.source}; known codes: {known}")
    already = {
        str(r[0])
        for r in app.store.db.execute(
            "SELECT recipient FROM outbox WHERE meeting = ? AND purpose = 'invite'", [code]
        ).fetchall()
    }
    mails: list[SendMail] = invitations(
        meeting,
        app.store.active_contacts(),
        already,
        settings.network.default_language,
        settings.network.languages,
    )
    with app.store.transaction():
        queued = app.store.apply(Decision(tuple(mails), "invitations"), now, app.domain)
    return len(queued)


def lifecycle(app: App, now: datetime) -> list[str]:
    """Scheduled work that is due now, derived from state (never from timers)."""
    done = sync_calendar(app, now)
    days = app.settings.schedule.invite_days_before
    for meeting in app.settings.meeting_objects():
        if invitations_open(meeting, now, days):
            count = queue_invitations(app, meeting.code, now)
            if count:
                done.append(f"queued {count} invitation(s) to {meeting.code}")
    return done


def sync_calendar(app: App, now: datetime) -> list[str]:
    """Organisers' invites, updates after a change of time or place, cancellations."""
    done = []
    settings = app.settings
    organisers = [
        Person(o.email.lower(), o.name, o.language or settings.network.default_language, "CHAIR")
        for o in settings.organisers
    ]
    for meeting in settings.meeting_objects():
        store = app.store
        sequence, snapshot, cancelled = store.calendar_event(meeting.code)
        holders = [
            Person(h["email"], h["name"], h["language"], h["role"]) for h in store.holders(meeting.code)
        ]
        ever = {
            str(r[0])
            for r in store.db.execute(
                "SELECT email FROM calendar_holders WHERE meeting = ?", [meeting.code]
            ).fetchall()
        }
        others = [
            Person(r.email, r.name, r.language or settings.network.default_language)
            for r in store.registrations(meeting.code)
            if r.status in (Status.REGISTERED, Status.WAITING, Status.TENTATIVE)
        ]
        stored = EventState(sequence, snapshot, cancelled)
        state, mails = sync_event(meeting, stored, holders, organisers, ever, others, now)
        if state == stored and not mails:
            continue
        with store.transaction():
            store.set_event(meeting.code, state.sequence, state.snapshot, now, state.cancelled)
            queued = store.apply(Decision(tuple(mails), "calendar"), now, app.domain)
        if queued:
            done.append(
                f"queued {len(queued)} calendar message(s) for {meeting.code} (sequence {state.sequence})"
            )
    return done
