"""Scheduled work, computed from state each time it runs ("who is due for what now?").

Nothing is remembered in timers: a restart, a moved meeting or a late start does the right thing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from automation.app import App
from automation.errors import AutomationError
from automation.expiry import offsets_of
from automation.facts import organisers
from automation.followup_jobs import followup_reminders, record_followups
from automation.model import Decision, Meeting, SendMail, Status
from automation.parse.submission_text import read_summary
from automation.workflows import membership
from automation.workflows.calendar import EventState, Person, sync_event
from automation.workflows.lifecycle import (
    INVITE,
    Audience,
    Offsets,
    Responsible,
    responsible_for,
    rotation_mails,
    rule_mails,
    stage_mails,
    stages,
)
from automation.workflows.lifecycle import due as lifecycle_due
from automation.workflows.meetings import invitations
from automation.workflows.summaries import summary_mails, version_of


def queue_invitations(app: App, code: str, now: datetime) -> int:
    """Queue the invitation for every active contact who has not had it and has not answered
    for this meeting yet. Returns how many."""
    settings = app.settings
    meeting = settings.meeting(code)
    if meeting is None:
        known = ", ".join(m.code for m in settings.meetings) or "none"
        raise AutomationError(f"no meeting {code!r} in {settings.source}; known codes: {known}")
    if meeting.draft:
        raise AutomationError(settings.draft_problem(code))
    already = {
        str(r[0])
        for r in app.store.db.execute(
            "SELECT recipient FROM outbox WHERE meeting = ? AND purpose = 'invite'", [code]
        ).fetchall()
    }
    # Whoever already answered for this meeting (a companion registered by a colleague, someone
    # put down by hand) has had their confirmation: the plain invitation would ask them again.
    already |= {r.email for r in app.store.registrations(code)}
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
    return (
        sync_calendar(app, now)
        + run_stages(app, now)
        + network_rules(app, now)
        + send_summaries(app, now)
        + initiative_jobs(app, now)
        + followup_reminders(app, now)
        + retention(app, now)
        + membership_jobs(app, now)
        + digest_job(app, now)
    )


def digest_job(app: App, now: datetime) -> list[str]:
    """The coordinator's digest (`automation/desk.py`, which builds on the mail shell)."""
    from automation.desk import send_digest

    return send_digest(app, now)


def offsets(app: App) -> Offsets:
    return offsets_of(app.settings)


def audience(app: App, meeting: Meeting) -> Audience:
    settings = app.settings
    return Audience(
        contacts=tuple(app.store.active_contacts()),
        registrations=tuple(app.store.registrations(meeting.code)),
        organisers=tuple(organisers(app)),
        default_language=settings.network.default_language,
        languages=tuple(settings.network.languages),
        feedback=tuple(app.store.feedback_rows(meeting.code)),
    )


def run_stages(app: App, now: datetime) -> list[str]:
    """Reminders, the participant list at the deadline, thanks: each stage once, on time or
    while it still means something; a stage missed while the daemon was down is dropped."""
    lines = []
    store = app.store
    for meeting in app.settings.meeting_objects():
        done = store.stages_done(meeting.code)
        run, dropped = lifecycle_due(meeting, offsets(app), now, done)
        with store.transaction():
            for stage in dropped:
                store.mark_stage(meeting.code, stage.name, "dropped", now)
                lines.append(f"dropped {stage.name} of {meeting.code}: its moment passed")
        for stage in run:
            if stage.name == INVITE:
                continue  # below: invitations go on to contacts added later, until the deadline
            mails = stage_mails(stage, meeting, audience(app, meeting))
            with store.transaction():
                queued = store.apply(Decision(tuple(mails), stage.name), now, app.domain)
                store.mark_stage(meeting.code, stage.name, "done", now)
            lines.append(f"{stage.name} of {meeting.code}: queued {len(queued)} message(s)")
        invite = next((s for s in stages(meeting, offsets(app)) if s.name == INVITE), None)
        if invite is not None and invite.due <= now <= invite.until:
            count = queue_invitations(app, meeting.code, now)
            with store.transaction():
                store.mark_stage(meeting.code, INVITE, "done", now)
            if count:
                lines.append(f"queued {count} invitation(s) to {meeting.code}")
    return lines


def network_rules(app: App, now: datetime) -> list[str]:
    """At least two meetings a year; the yearly rotation of the preparatory responsibility."""
    settings = app.settings
    rotation = settings.rotation
    order = [Responsible(e.organisation, e.name, e.email.lower()) for e in rotation.order]
    recipients = []
    if settings.network.coordinator:
        recipients.append(Person(settings.network.coordinator, "", settings.network.default_language))
    if order:
        _, current, _ = responsible_for(order, rotation.first_year, rotation.turn, now)
        recipients.append(Person(current.email, current.name, settings.network.default_language))
    languages = tuple(settings.network.languages)
    mails = rule_mails(
        settings.meeting_objects(),
        now,
        {p.email: p for p in recipients}.values(),
        languages,
        settings.network.default_language,
    )
    mails += rotation_mails(
        order, rotation.first_year, rotation.turn, now, organisers(app), settings.network.default_language
    )
    if not mails:
        return []
    with app.store.transaction():
        queued = app.store.apply(Decision(tuple(mails), "network rules"), now, app.domain)
    return [f"network rules: queued {len(queued)} message(s)"] if queued else []


def calendar_inputs(app: App, meeting: Meeting) -> tuple[EventState, list[Person], set[str], list[Person]]:
    """(stored event, who holds it, who ever had it, registered people to tell of a cancellation)."""
    store = app.store
    default = app.settings.network.default_language
    sequence, snapshot, cancelled = store.calendar_event(meeting.code)
    holders = [Person(h["email"], h["name"], h["language"], h["role"]) for h in store.holders(meeting.code)]
    ever = {
        str(r[0])
        for r in store.db.execute(
            "SELECT email FROM calendar_holders WHERE meeting = ?", [meeting.code]
        ).fetchall()
    }
    others = [
        Person(r.email, r.name, r.language or default)
        for r in store.registrations(meeting.code)
        if r.status in (Status.REGISTERED, Status.WAITING, Status.TENTATIVE)
    ]
    return EventState(sequence, snapshot, cancelled), holders, ever, others


def chairs(app: App) -> list[Person]:
    default = app.settings.network.default_language
    return [Person(o.email.lower(), o.name, o.language or default, "CHAIR") for o in app.settings.organisers]


def sync_calendar(app: App, now: datetime) -> list[str]:
    """Organisers' invites, updates after a change of time or place, cancellations."""
    done = []
    store = app.store
    for meeting in app.settings.meeting_objects():
        stored, holders, ever, others = calendar_inputs(app, meeting)
        state, mails = sync_event(meeting, stored, holders, chairs(app), ever, others, now)
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


def summary_versions(app: App, code: str) -> dict[str, tuple[str, int]]:
    """The summary files of one meeting: {language: (markdown, version)}."""
    settings = app.settings
    directory = settings.path(settings.summaries.directory)
    versions: dict[str, tuple[str, int]] = {}
    for language in settings.network.languages:
        suffix = "" if language == settings.network.default_language else f".{language}"
        path = directory / f"{code}{suffix}.md"
        if path.exists():
            meta, markdown = read_summary(path.read_text(encoding="utf-8"))
            if markdown:
                versions[language] = (markdown, version_of(meta))
    return versions


def send_summaries(app: App, now: datetime) -> list[str]:
    """Once a meeting is over (plus `send_days_after`) and its summary exists, everyone who
    registered and the whole contact list get it; a raised `version:` sends it again."""
    settings = app.settings
    lines = []
    delay = timedelta(days=settings.summaries.send_days_after)
    for meeting in settings.meeting_objects():
        if meeting.cancelled or now < meeting.end + delay:
            continue
        versions = summary_versions(app, meeting.code)
        if not versions:
            continue
        default = settings.network.default_language
        people = [
            Person(r.email, r.name, r.language or default)
            for r in app.store.registrations(meeting.code)
            if r.status == Status.REGISTERED
        ]
        people += [Person(c.email, c.name, c.language or default) for c in app.store.active_contacts()]
        mails = summary_mails(meeting, versions, people, default, settings.network.public_url)
        with app.store.transaction():
            queued = app.store.apply(Decision(tuple(mails), "summary"), now, app.domain)
            # What the meeting agreed to follow up is tracked from the summary's sending on.
            lines += record_followups(app, meeting, versions, now)
        if queued:
            lines.append(f"summary of {meeting.code}: queued {len(queued)} message(s)")
    return lines


def initiative_jobs(app: App, now: datetime) -> list[str]:
    """The daily digest of new initiatives (when so configured) and, a month before each
    meeting, the list of initiatives still open for the preparatory group."""
    settings = app.settings
    group = organisers(app)
    mails: list[SendMail] = []
    if settings.initiatives.notify == "daily" and now.hour >= settings.initiatives.digest_hour:
        since = (now - timedelta(days=1)).isoformat(timespec="seconds")
        fresh = [i for i in app.store.initiatives() if i.created_at > since]
        if fresh:
            mails += [
                SendMail(
                    template="initiatives_digest",
                    recipient=p.email,
                    name=p.name,
                    language=p.language,
                    purpose="initiatives-digest",
                    meeting="initiative:digest",
                    revision=now.strftime("%Y-%m-%d"),
                    auto_submitted="auto-generated",
                    context={"fresh": [i.reference for i in fresh]},
                )
                for p in group
            ]
    still_open = [i for i in app.store.initiatives() if i.status in ("received", "preparation")]
    for meeting in settings.meeting_objects():
        due = meeting.start - timedelta(days=30)
        if meeting.cancelled or not due <= now < meeting.start or not still_open:
            continue
        mails += [
            SendMail(
                template="initiatives_reminder",
                recipient=p.email,
                name=p.name,
                language=p.language,
                purpose="initiatives-reminder",
                meeting=meeting.code,
                revision="1",
                auto_submitted="auto-generated",
                reply_token=False,
            )
            for p in group
        ]
    if not mails:
        return []
    with app.store.transaction():
        queued = app.store.apply(Decision(tuple(mails), "initiatives"), now, app.domain)
    return [f"initiatives: queued {len(queued)} message(s)"] if queued else []


def retention_due(app: App, meeting: Meeting) -> datetime:
    return meeting.end + timedelta(days=app.settings.privacy.retention_days)


def retention(app: App, now: datetime) -> list[str]:
    """Registrations are anonymised `retention_days` after their meeting (only counts remain);
    records of received messages lose sender and subject after the same time."""
    lines = []
    with app.store.transaction():
        for meeting in app.settings.meeting_objects():
            if now >= retention_due(app, meeting):
                count = app.store.anonymise_meeting(meeting.code)
                if count:
                    lines.append(f"privacy: anonymised {count} registration(s) of {meeting.code}")
        thinned = app.store.thin_messages(now - timedelta(days=app.settings.privacy.retention_days))
    if thinned:
        lines.append(f"privacy: removed sender and subject of {thinned} old message record(s)")
    return lines


def membership_jobs(app: App, now: datetime) -> list[str]:
    """One reminder, at most, to those who asked to join but have not accepted the rules."""
    settings = app.settings
    due = app.store.join_reminders_due(now, settings.rules.reminder_days)
    if not due:
        return []
    with app.store.transaction():
        mails = [
            membership.reminder(
                r["email"],
                r["name"],
                r["language"] or settings.network.default_language,
                settings.rules.version,
            )
            for r in due
        ]
        queued = app.store.apply(Decision(tuple(mails), "join reminders"), now, app.domain)
        for row in due:
            app.store.mark_reminded(row["email"], now)
    return [f"joining: reminded {len(queued)} person(s) to accept the rules"]


def ask_rules(app: App, now: datetime) -> int:
    """Ask every contact who has not accepted the current rules to accept them (by reply)."""
    version = app.settings.rules.version
    rows = app.store.db.execute(
        "SELECT email, name, language FROM contacts WHERE unsubscribed_at = '' AND removed_at = ''"
        " AND rules_version != ?",
        [version],
    ).fetchall()
    default = app.settings.network.default_language
    mails = [membership.ask_to_accept(r[0], r[1], r[2] or default, version) for r in rows]
    with app.store.transaction():
        return len(app.store.apply(Decision(tuple(mails), "rules"), now, app.domain))
