"""`automation plan`: every mail the daemon would send until a date, without sending anything.

It asks the same pure functions the daemon uses (lifecycle stages, calendar sync, network
rules) what they would queue, with today's register, and adds what already waits in the outbox.
Nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from automation.app import App, read_contacts
from automation.jobs import audience, calendar_inputs, chairs, offsets
from automation.model import Contact, Meeting, SendMail
from automation.store.db import iso, outgoing_message_id
from automation.workflows import digest as digest_flow
from automation.workflows.calendar import Person, sync_event
from automation.workflows.lifecycle import INVITE, STAGE_TEMPLATES, rule_mails, stage_mails, upcoming
from automation.workflows.meetings import invitations


@dataclass(frozen=True)
class Planned:
    when: datetime
    what: str
    meeting: str
    recipients: int
    languages: str


def plan(app: App, now: datetime, until: datetime) -> list[Planned]:
    rows = _queued(app, now, until)
    contacts = _contacts(app)
    for meeting in app.settings.meeting_objects():
        people = replace(audience(app, meeting), contacts=tuple(contacts))
        for stage in upcoming(meeting, offsets(app), now, until, app.store.stages_done(meeting.code)):
            when = max(stage.due, now)
            if stage.name == INVITE:
                mails = _new_invitations(app, meeting.code, contacts)
            else:
                mails = stage_mails(stage, meeting, people)
            # A stage with nobody to tell yet is still shown: the coordinator sees it is coming.
            rows += _grouped(app, when, mails) or [
                Planned(when, STAGE_TEMPLATES[stage.name], meeting.code, 0, "")
            ]
        rows += _grouped(app, now, _calendar(app, meeting, now))
    rows += _rules(app, now, until)
    rows += _digests(app, now, until)
    return sorted(rows, key=lambda r: (r.when, r.meeting, r.what))


def _queued(app: App, now: datetime, until: datetime) -> list[Planned]:
    result = app.store.db.execute(
        "SELECT template, meeting, MIN(next_attempt_at), COUNT(*), GROUP_CONCAT(language)"
        " FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?"
        " GROUP BY template, meeting",
        [iso(until)],
    ).fetchall()
    return [
        Planned(
            max(datetime.fromisoformat(r[2]), now),
            f"{r[0]} (queued)",
            r[1] or "-",
            int(r[3]),
            _mix(str(r[4]).split(",")),
        )
        for r in result
    ]


def _contacts(app: App) -> list[Contact]:
    """The contact list as the next pass will see it: the CSV, less those who unsubscribed."""
    listed = read_contacts(app.contacts_file(), list(app.settings.network.languages))
    gone = {
        str(r[0])
        for r in app.store.db.execute(
            "SELECT email FROM contacts WHERE unsubscribed_at != '' OR removed_at != ''"
        ).fetchall()
    }
    return [c for c in listed if c.email not in gone]


def _new_invitations(app: App, code: str, contacts: list[Contact]) -> list[SendMail]:
    meeting = app.settings.meeting(code)
    assert meeting is not None
    already = {
        str(r[0])
        for r in app.store.db.execute(
            "SELECT recipient FROM outbox WHERE meeting = ? AND purpose = 'invite'", [code]
        ).fetchall()
    }
    network = app.settings.network
    return invitations(meeting, contacts, already, network.default_language, network.languages)


def _calendar(app: App, meeting: Meeting, now: datetime) -> list[SendMail]:
    stored, holders, ever, others = calendar_inputs(app, meeting)
    return sync_event(meeting, stored, holders, chairs(app), ever, others, now)[1]


def _rules(app: App, now: datetime, until: datetime) -> list[Planned]:
    settings = app.settings
    rows: list[Planned] = []
    moment = now
    people = (
        [Person(settings.network.coordinator, "", settings.network.default_language)]
        if settings.network.coordinator
        else []
    )
    while moment <= until:
        mails = rule_mails(
            settings.meeting_objects(),
            moment,
            people,
            tuple(settings.network.languages),
            settings.network.default_language,
        )
        rows += _grouped(app, moment, mails)
        # The rule is looked at again at the start of every month.
        moment = (
            moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)
        ).replace(day=1)
    return rows


def _digests(app: App, now: datetime, until: datetime) -> list[Planned]:
    """The coordinator's digests: daily while something waits for them, weekly otherwise. What
    waits is judged from today's register: an attention item waits until it is resolved, a failed
    or undeliverable mail is told once; what will come to need them later cannot be known."""
    settings, store = app.settings, app.store
    if not settings.network.coordinator:
        return []
    last = store.last_digest()
    last_day = date.fromisoformat(str(last["day"])) if last else None
    since = str(last["sent_at"]) if last else ""
    items_wait = bool(store.attention_items())
    news = bool(store.failed_since(since) or store.undeliverable_since(since))
    language, zone = settings.network.default_language, settings.network.zone
    hour = time(settings.digest.hour)
    rows: list[Planned] = []
    day = now.date()
    while (moment := datetime.combine(day, hour, tzinfo=zone)) <= until:
        if store.digest(day.isoformat()) is None:
            kind = digest_flow.kind_due(day, last_day, items_wait or news)
            if kind and kind != digest_flow.START:
                rows.append(Planned(max(moment, now), f"digest ({kind})", "-", 1, f"{language}:1"))
            if kind:
                last_day, news = day, False
        day += timedelta(days=1)
    return rows


def _grouped(app: App, when: datetime, mails: list[SendMail]) -> list[Planned]:
    fresh = [m for m in mails if not _exists(app, m)]
    by_kind: dict[tuple[str, str], list[SendMail]] = {}
    for mail in fresh:
        by_kind.setdefault((mail.template, mail.meeting or "-"), []).append(mail)
    return [
        Planned(when, template, meeting, len(group), _mix([m.language for m in group]))
        for (template, meeting), group in by_kind.items()
    ]


def _exists(app: App, mail: SendMail) -> bool:
    message_id = outgoing_message_id(mail, app.domain)
    return (
        app.store.db.execute("SELECT 1 FROM outbox WHERE message_id = ?", [message_id]).fetchone() is not None
    )


def _mix(languages: list[str]) -> str:
    counts = Counter(languages)
    return " ".join(f"{lang}:{n}" for lang, n in sorted(counts.items()))
