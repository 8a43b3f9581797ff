"""The shell around follow-up items: items recorded when a meeting's summary goes out, their
owners told, owners of open items reminded before the next meeting (computed from state, like
every scheduled job)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from automation.app import App
from automation.config import Settings
from automation.facts import owners
from automation.model import Decision, Meeting, localised
from automation.parse.followups import fold, followup_lines
from automation.workflows import followups as flow
from automation.workflows.matching import upcoming_meetings


def aliases(settings: Settings) -> dict[str, str]:
    """Every name and alias of a configured organisation → the folded name."""
    found: dict[str, str] = {}
    default = settings.network.default_language
    for organisation in settings.organisations:
        # A summary in Swedish names "Utbildningsstyrelsen": every language's form is an alias.
        forms = organisation.name.values() if isinstance(organisation.name, dict) else [organisation.name]
        for name in (*forms, *organisation.aliases):
            found[fold(name)] = fold(localised(organisation.name, default))
    return found


def record_followups(
    app: App, meeting: Meeting, versions: dict[str, tuple[str, int]], now: datetime
) -> list[str]:
    """The summary's follow-up section (the default language's version, else the first there is)
    as tracked items, each owner told once; inside the caller's transaction. Re-reading the
    summary adds nothing; an owner outside the preparatory group is kept and listed."""
    settings = app.settings
    default = settings.network.default_language
    language = default if default in versions else next(iter(versions), "")
    if not language:
        return []
    group, known = owners(settings), aliases(settings)
    created: list[tuple[int, flow.Owner]] = []
    strays = 0
    for position, line in enumerate(followup_lines(versions[language][0]), start=1):
        owner = flow.owner_of(line.owner, group, known)
        number = app.store.add_followup(
            meeting.code,
            position,
            line.text,
            language,
            line.owner,
            owner.email if owner else "",
            line.initiative,
            now,
        )
        if number is None:
            continue
        if owner is None:
            strays += 1
        else:
            created.append((number, owner))
    if created:
        app.store.apply(
            Decision(tuple(flow.assigned_mails(meeting.code, created)), "follow-up"), now, app.domain
        )
    lines = (
        [f"follow-up of {meeting.code}: {len(created) + strays} item(s) recorded"]
        if created or strays
        else []
    )
    if strays:
        lines.append(
            f"follow-up of {meeting.code}: {strays} item(s) name no member of the preparatory group"
            " ([[organisers]]); see `automation followups list`"
        )
    return lines


def next_meeting(settings: Settings, now: datetime) -> Meeting | None:
    return min(upcoming_meetings(settings.meeting_objects(), now), key=lambda m: m.start, default=None)


def followup_reminders(app: App, now: datetime) -> list[str]:
    """`[followups] reminder_days_before` days before the next meeting (from 9.00), each owner of
    items not yet done gets them; the Message-ID per meeting and owner makes it once."""
    settings = app.settings
    meeting = next_meeting(settings, now)
    if meeting is None:
        return []
    day = meeting.start.date() - timedelta(days=settings.followups.reminder_days_before)
    if now < datetime.combine(day, time(9, 0), tzinfo=meeting.start.tzinfo):
        return []
    group = {o.email: o for o in owners(settings)}
    items = [
        (item["id"], group[item["owner_email"]])
        for item in app.store.followups()
        if item["status"] != "done" and item["owner_email"] in group and item["meeting"] != meeting.code
    ]
    if not items:
        return []
    with app.store.transaction():
        queued = app.store.apply(
            Decision(tuple(flow.reminder_mails(meeting.code, items)), "follow-up reminder"), now, app.domain
        )
    return [f"follow-up reminder before {meeting.code}: queued {len(queued)} message(s)"] if queued else []
