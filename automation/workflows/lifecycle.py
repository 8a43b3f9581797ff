"""The lifecycle of a meeting as dated stages, each with the time it becomes due and the time
after which it no longer means anything. Pure: the meeting, the offsets and `now` in.

Due times are derived from the meeting every time, never stored: a moved meeting moves its
pending stages with it. A stage that was done is not repeated (the shell remembers that), and one
whose window has passed while the daemon was down is dropped, not sent late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from automation.i18n import ATTENDANCE, column, in_language, status_in
from automation.model import Contact, Meeting, Registration, SendMail, Status
from automation.spreadsheets import xlsx_attachment
from automation.workflows.calendar import Person
from automation.workflows.feedback import requests as feedback_requests
from automation.workflows.feedback import summary as feedback_summary


@dataclass(frozen=True)
class Offsets:
    invite_days_before: int = 28
    deadline_reminder_days_before: int = 5
    meeting_reminder_days_before: int = 2
    thanks_hours_after: int = 3
    feedback_days_after: int = 1
    pack_days_after: int = 7


@dataclass(frozen=True)
class Stage:
    name: str
    due: datetime
    until: datetime


INVITE = "invite"
DEADLINE_REMINDER = "deadline-reminder"
CLOSE = "close"
MEETING_REMINDER = "meeting-reminder"
THANKS = "thanks"
FEEDBACK = "feedback"
PACK = "pack"
# The template each stage sends; `plan` names a stage by it even when nobody is due yet, so every
# stage must be here (a test plans past the last stage of a meeting).
STAGE_TEMPLATES = {
    INVITE: "invitation",
    DEADLINE_REMINDER: "deadline_reminder",
    CLOSE: "participant_list",
    MEETING_REMINDER: "meeting_reminder",
    THANKS: "thanks",
    FEEDBACK: "feedback_request",
    PACK: "post_meeting_pack",
}


def stages(meeting: Meeting, offsets: Offsets) -> list[Stage]:
    if meeting.cancelled:
        return []
    deadline = meeting.registration_deadline
    return [
        Stage(INVITE, meeting.start - timedelta(days=offsets.invite_days_before), deadline),
        Stage(
            DEADLINE_REMINDER,
            _morning(deadline - timedelta(days=offsets.deadline_reminder_days_before)),
            deadline,
        ),
        Stage(CLOSE, deadline, meeting.start),
        Stage(
            MEETING_REMINDER,
            meeting.start - timedelta(days=offsets.meeting_reminder_days_before),
            meeting.start,
        ),
        Stage(
            THANKS,
            meeting.end + timedelta(hours=offsets.thanks_hours_after),
            meeting.end + timedelta(days=14),
        ),
        Stage(
            FEEDBACK,
            _morning(meeting.end + timedelta(days=offsets.feedback_days_after)),
            meeting.end + timedelta(days=offsets.feedback_days_after + 7),
        ),
        Stage(
            PACK,
            _morning(meeting.end + timedelta(days=offsets.pack_days_after)),
            meeting.end + timedelta(days=offsets.pack_days_after + 30),
        ),
    ]


def _morning(moment: datetime) -> datetime:
    """Reminders go out at 9 in the morning of their day, not at the deadline's 23.59."""
    return moment.replace(hour=9, minute=0, second=0, microsecond=0)


def due(
    meeting: Meeting, offsets: Offsets, now: datetime, done: Iterable[str]
) -> tuple[list[Stage], list[Stage]]:
    """(stages to run now, stages whose moment passed unused and are dropped)."""
    finished = set(done)
    run: list[Stage] = []
    dropped: list[Stage] = []
    for stage in stages(meeting, offsets):
        if stage.name in finished or now < stage.due:
            continue
        (run if now <= stage.until else dropped).append(stage)
    return run, dropped


def upcoming(
    meeting: Meeting, offsets: Offsets, now: datetime, until: datetime, done: Iterable[str]
) -> list[Stage]:
    """Stages that will run between now and `until` (for `automation plan`)."""
    finished = set(done)
    return [
        s
        for s in stages(meeting, offsets)
        if s.name not in finished and s.until >= now and max(s.due, now) <= until
    ]


def meetings_in_next_year(meetings: Iterable[Meeting], now: datetime) -> list[Meeting]:
    horizon = now + timedelta(days=365)
    return [m for m in meetings if not m.cancelled and now <= m.start <= horizon]


@dataclass(frozen=True)
class Responsible:
    organisation: str | dict[str, str]  # per language as in the config; put in words at rendering
    name: str
    email: str


def responsible_for(
    order: list[Responsible], first_year: int, turn: tuple[int, int], now: datetime
) -> tuple[int, Responsible, Responsible]:
    """(operating year, responsible now, responsible next) for a yearly rotation that turns on
    the month-day `turn` (e.g. 1 August)."""
    year = now.year if (now.month, now.day) >= turn else now.year - 1
    index = (year - first_year) % len(order)
    return year, order[index], order[(index + 1) % len(order)]


# ---- who gets what when a stage runs ------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """What the store knows about the people around one meeting."""

    contacts: tuple[Contact, ...]
    registrations: tuple[Registration, ...]
    organisers: tuple[Person, ...]
    default_language: str
    languages: tuple[str, ...]
    feedback: tuple[tuple[int | None, str], ...] = ()

    def language(self, preferred: str) -> str:
        return preferred if preferred in self.languages else self.default_language


def stage_mails(stage: Stage, meeting: Meeting, people: Audience) -> list[SendMail]:
    by_status: dict[Status, list[Registration]] = {s: [] for s in Status}
    for registration in people.registrations:
        by_status[registration.status].append(registration)
    if stage.name == DEADLINE_REMINDER:
        answered = {r.email for r in people.registrations if r.status != Status.TENTATIVE}
        return [
            _to(meeting, c.email, c.name, people.language(c.language), "deadline_reminder", stage)
            for c in people.contacts
            if c.email not in answered
        ]
    if stage.name == CLOSE:
        return _to_organisers(
            meeting, people, "participant_list", stage, participant_summary(meeting, people)
        )
    if stage.name == MEETING_REMINDER:
        return [
            _to(meeting, r.email, r.name, people.language(r.language), "meeting_reminder", stage)
            for r in by_status[Status.REGISTERED]
        ] + [
            _to(meeting, r.email, r.name, people.language(r.language), "waitlist_final", stage)
            for r in by_status[Status.WAITING]
        ]
    if stage.name == FEEDBACK:
        participants = [(r.email, r.name, people.language(r.language)) for r in by_status[Status.REGISTERED]]
        return feedback_requests(meeting, participants)
    if stage.name == PACK:
        context = {**participant_summary(meeting, people), "feedback": feedback_summary(people.feedback)}
        context.pop("attach_files")  # the list went out at the deadline; the pack is figures
        return _to_organisers(meeting, people, "post_meeting_pack", stage, context)
    if stage.name == THANKS:
        return [
            _to(meeting, r.email, r.name, people.language(r.language), "thanks", stage)
            for r in by_status[Status.REGISTERED]
        ]
    return []


def _to_organisers(
    meeting: Meeting, people: Audience, template: str, stage: Stage, context: dict[str, Any]
) -> list[SendMail]:
    return [
        replace(
            _to(meeting, p.email, p.name, people.language(p.language), template, stage, reply_token=False),
            context=context,
        )
        for p in people.organisers
    ]


def _to(
    meeting: Meeting,
    email: str,
    name: str,
    language: str,
    template: str,
    stage: Stage,
    reply_token: bool = True,
) -> SendMail:
    return SendMail(
        template=template,
        recipient=email,
        name=name,
        language=language,
        purpose=stage.name,
        meeting=meeting.code,
        revision="1",
        auto_submitted="auto-generated",
        reply_token=reply_token,
    )


def participant_summary(meeting: Meeting, people: Audience) -> dict[str, Any]:
    """Counts, diets and the list (.xlsx, in the network's first language) the organisers get
    when registration closes."""
    counts = {str(s): 0 for s in Status}
    for r in people.registrations:
        counts[str(r.status)] += 1 + len(r.companions)  # each companion named is a seat
    answered = {r.email for r in people.registrations}
    counts["not_answered"] = sum(1 for c in people.contacts if c.email not in answered)
    present = [r for r in people.registrations if r.status in (Status.REGISTERED, Status.WAITING)]
    counts["remote"] = sum(1 for r in present if r.attendance == "remote" and r.status == Status.REGISTERED)
    diets: dict[str, int] = {}
    for r in present:
        if r.diet and r.status == Status.REGISTERED:
            diets[r.diet] = diets.get(r.diet, 0) + 1
    language = people.default_language
    keys = ("status", "name", "email", "organisation", "diet", "attendance", "position", "companions")
    rows = [
        [
            status_in(language, str(r.status)),
            r.name,
            r.email,
            r.organisation,
            r.diet,
            in_language(language, ATTENDANCE.get(r.attendance or "onsite", r.attendance)),
            r.position if r.status == Status.WAITING else None,
            "; ".join(r.companions),
        ]
        for r in sorted(present, key=lambda r: (r.status != Status.REGISTERED, r.position, r.name))
    ]
    sheet = (meeting.code, [column(k, language) for k in keys], rows)
    return {
        "counts": counts,
        "diets": [{"diet": d, "count": n} for d, n in sorted(diets.items())],
        "attach_files": [xlsx_attachment(f"participants-{meeting.code}.xlsx", [sheet])],
    }


def rule_mails(
    meetings: Iterable[Meeting],
    now: datetime,
    recipients: Iterable[Person],
    languages: tuple[str, ...],
    default_language: str,
) -> list[SendMail]:
    """The network meets at least twice a year: say so (once a month) when it will not."""
    coming = meetings_in_next_year(meetings, now)
    if len(coming) >= 2:
        return []
    language = lambda p: p.language if p.language in languages else default_language  # noqa: E731
    return [
        SendMail(
            template="rule_two_meetings",
            recipient=p.email,
            name=p.name,
            language=language(p),
            purpose="rule-two-meetings",
            meeting=None,
            revision=now.strftime("%Y-%m"),
            auto_submitted="auto-generated",
            reply_token=False,
            context={"upcoming": [m.code for m in coming]},
        )
        for p in recipients
    ]


def rotation_mails(
    order: list[Responsible],
    first_year: int,
    turn: tuple[int, int],
    now: datetime,
    group: Iterable[Person],
    default_language: str,
) -> list[SendMail]:
    """At the turn of the operating year (and for a month after it, to catch up), tell the
    outgoing and incoming responsible organisations and the group."""
    if len(order) < 2:
        return []
    year, current, _ = responsible_for(order, first_year, turn, now)
    turned = datetime(year, *turn, tzinfo=now.tzinfo)
    if not turned <= now <= turned + timedelta(days=30) or year == first_year:
        return []
    outgoing = order[(year - 1 - first_year) % len(order)]
    context = {"year": year, "outgoing": vars_of(outgoing), "incoming": vars_of(current)}
    people = {p.email: p for p in group}
    for responsible in (outgoing, current):
        people.setdefault(responsible.email, Person(responsible.email, responsible.name, default_language))
    return [
        SendMail(
            template="rotation",
            recipient=p.email,
            name=p.name,
            language=p.language or default_language,
            purpose="rotation",
            meeting=None,
            revision=str(year),
            auto_submitted="auto-generated",
            reply_token=False,
            context=context,
        )
        for p in people.values()
    ]


def vars_of(responsible: Responsible) -> dict[str, Any]:
    return {"organisation": responsible.organisation, "name": responsible.name, "email": responsible.email}
