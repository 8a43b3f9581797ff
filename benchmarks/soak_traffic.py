"""The soak's world and its traffic: contacts, meetings, and every mail people (and machines)
send, drawn from a seed. Pure apart from reading the labelled reply set: the soak driver
(`soak.py`) turns the plan into real mail once the invitation it answers has arrived.

The replies are the labelled set (`tests/replies/{fi,sv,en}.jsonl`): yes, no, maybe,
companions and questions as people in municipalities write them, in their mail clients' shapes.
Timing follows what coordinators see: most answers within the first days after the invitation,
a rush before the deadline, a few after it.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

REPLIES = Path(__file__).resolve().parent.parent / "tests" / "replies"
DOMAINS = ("espoo.fi", "vantaa.fi", "tampere.fi", "oph.fi", "kuntaliitto.fi", "aalto.fi", "edu.turku.fi")
LANGUAGES = (("fi", 70), ("sv", 20), ("en", 10))
UNSUBSCRIBE = {"fi": "Eroa listalta, kiitos.", "sv": "Avsluta min prenumeration, tack.", "en": "Unsubscribe."}
ERASE = {
    "fi": ("Tietojeni poistaminen", "Poista tietoni, kiitos."),
    "sv": ("Radera mina uppgifter", "Radera mina uppgifter, tack."),
    "en": ("Delete my data", "Delete my data, please."),
}
CONFIRM = {"fi": "Kyllä", "sv": "Ja", "en": "Yes"}  # the answer data_confirm asks for
INITIATIVE = {
    "fi": ("Aloite: tekoälyn arviointi kouluissa", "Ehdotan, että seuraava tapaaminen käsittelee tekoälyä."),
    "sv": ("Initiativ: AI i bedömningen", "Jag föreslår att nästa möte behandlar AI i bedömningen."),
    "en": ("Initiative: AI in assessment", "I propose that the next meeting discusses AI in assessment."),
}  # fmt: skip


@dataclass(frozen=True)
class Size:
    days: int
    contacts: int
    invite_days_before: int
    deadline_reminder_days_before: int
    meeting_reminder_days_before: int
    # (code, start day, deadline day, capacity or 0, (moved to day, on day) or (0, 0),
    #  cancelled on day or 0)
    meetings: tuple[tuple[str, int, int, int, tuple[int, int], int], ...]
    slots: tuple[int, ...]  # hours of the day at which the daemon runs
    big_messages: int
    initiatives: int
    hostile: int
    erasures: int  # people who ask by mail to have their data erased, and confirm
    late_after_start: int  # per meeting: a yes written after the meeting began


SIZES = {
    "full": Size(
        days=90, contacts=1000, invite_days_before=28, deadline_reminder_days_before=5,
        meeting_reminder_days_before=2,
        meetings=(
            ("2024-A", 30, 22, 0, (0, 0), 0),
            ("2024-B", 50, 42, 40, (0, 0), 0),
            ("2024-C", 65, 58, 0, (68, 45), 0),
            ("2024-D", 85, 78, 0, (0, 0), 70),
        ),
        slots=(8, 13, 19), big_messages=3, initiatives=12, hostile=8, erasures=10, late_after_start=8,
    ),
    "quick": Size(
        days=14, contacts=120, invite_days_before=4, deadline_reminder_days_before=1,
        meeting_reminder_days_before=1,
        meetings=(
            ("2024-A", 5, 3, 0, (0, 0), 0),
            ("2024-B", 8, 6, 8, (0, 0), 0),
            ("2024-C", 10, 8, 0, (11, 4), 0),
            ("2024-D", 12, 10, 0, (0, 0), 9),
        ),
        slots=(8, 13, 19), big_messages=1, initiatives=3, hostile=4, erasures=3, late_after_start=3,
    ),
}  # fmt: skip

START = datetime(2024, 1, 8)  # Monday; simulated local time (Europe/Helsinki)
DURATION = timedelta(hours=3)  # every meeting's length


@dataclass(frozen=True)
class Contact:
    email: str
    name: str
    language: str
    dead: bool = False  # the SMTP server refuses it with 5xx
    bouncing: bool = False  # accepted, then a DSN comes back
    away: bool = False  # an out-of-office answers every invitation


@dataclass(frozen=True)
class Meeting:
    code: str
    start: datetime
    deadline: datetime  # end of that day
    capacity: int
    moved_start: datetime | None
    moved_on: datetime | None
    cancelled_on: datetime | None

    def start_at(self, moment: datetime) -> datetime:
        return (
            self.moved_start if self.moved_start and self.moved_on and moment >= self.moved_on else self.start
        )

    def invite_at(self, days_before: int) -> datetime:
        return self.start - timedelta(days=days_before)


@dataclass(frozen=True)
class Answer:
    """One planned mail from a person about a meeting, sent `delay` after the invitation arrived
    (or at `at`, whichever is later)."""

    person: str
    meeting: str
    at: datetime
    label: str  # yes, no, maybe, companions, other, cal-yes, cal-no, unsubscribe, ooo, bounce
    text: str = ""
    client: str = "plain"
    reply_id: str = ""  # the labelled reply's id
    duplicate: bool = False  # delivered twice
    attachment: int = 0  # bytes of an attached presentation
    language: str = "fi"


@dataclass
class World:
    size: Size
    seed: int
    contacts: list[Contact]
    meetings: list[Meeting]
    answers: list[Answer]
    initiatives: list[tuple[str, datetime, str]]  # (sender, when, language)
    hostile: list[datetime]
    labelled: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    erasures: list[tuple[str, datetime, str]] = field(default_factory=list)  # (person, when, language)


def load_labelled() -> dict[str, list[dict[str, object]]]:
    by_language: dict[str, list[dict[str, object]]] = {}
    for language in ("fi", "sv", "en"):
        lines = (REPLIES / f"{language}.jsonl").read_text(encoding="utf-8").splitlines()
        by_language[language] = [json.loads(line) for line in lines if line.strip()]
    return by_language


def build(size: Size, seed: int) -> World:
    rng = random.Random(seed)
    labelled = load_labelled()
    contacts = _contacts(size, rng)
    meetings = [
        Meeting(
            code,
            START + timedelta(days=start, hours=9),
            START + timedelta(days=deadline, hours=23, minutes=59, seconds=59),
            capacity,
            START + timedelta(days=moved[0], hours=9) if moved[0] else None,
            START + timedelta(days=moved[1], hours=10) if moved[0] else None,
            START + timedelta(days=cancelled, hours=10) if cancelled else None,
        )
        for code, start, deadline, capacity, moved, cancelled in size.meetings
    ]
    answers: list[Answer] = []
    for meeting in meetings:
        invited = meeting.invite_at(size.invite_days_before)
        for contact in contacts:
            answers.extend(_answers(rng, contact, meeting, invited, labelled, size))
    bigs = [a for a in answers if a.label == "yes" and a.client == "outlook"][: size.big_messages]
    for answer in bigs:
        answers[answers.index(answer)] = _with(answer, attachment=25 * 1024 * 1024)
    live = [c for c in contacts if not (c.dead or c.bouncing)]
    initiatives = [
        (c.email, START + timedelta(days=rng.uniform(1, size.days - 1)), c.language)
        for c in rng.sample(live, size.initiatives)
    ]
    hostile = [START + timedelta(days=rng.uniform(1, size.days - 1)) for _ in range(size.hostile)]
    # What follows draws from its own generator: the season above stays that of earlier runs.
    extra = random.Random(seed * 15485863)
    for meeting in meetings:
        answers.extend(_late_after_start(extra, meeting, live, labelled, size))
    initiators = {sender for sender, _, _ in initiatives}
    erasers = extra.sample([c for c in live if c.email not in initiators], size.erasures)
    erasures = [
        (c.email, START + timedelta(days=extra.uniform(2, size.days - 3)), c.language) for c in erasers
    ]
    answers.sort(key=lambda a: (a.at, a.person, a.meeting))
    return World(size, seed, contacts, meetings, answers, initiatives, hostile, labelled, erasures)


def _late_after_start(
    rng: random.Random,
    meeting: Meeting,
    live: list[Contact],
    labelled: dict[str, list[dict[str, object]]],
    size: Size,
) -> list[Answer]:
    """A yes written after the meeting began (its final start): it registers nobody and is
    answered that registration has closed."""
    start = meeting.moved_start or meeting.start
    found = []
    for contact in rng.sample(live, size.late_after_start):
        chosen = rng.choice([r for r in labelled[contact.language] if r["answer"] == "yes"])
        at = start + timedelta(hours=rng.uniform(1, 20))
        found.append(
            Answer(
                contact.email,
                meeting.code,
                at,
                "yes",
                str(chosen["text"]),
                str(chosen["client"]),
                str(chosen["id"]),
                language=contact.language,
            )
        )
    return found


def _with(answer: Answer, **changes: object) -> Answer:
    from dataclasses import replace

    return replace(answer, **changes)  # type: ignore[arg-type]


def _contacts(size: Size, rng: random.Random) -> list[Contact]:
    languages = [code for code, weight in LANGUAGES for _ in range(weight)]
    found = []
    for i in range(size.contacts):
        roll = rng.random()
        found.append(
            Contact(
                email=f"c{i:04d}@{DOMAINS[i % len(DOMAINS)]}",
                name=f"Henkilö {i:04d}",
                language=rng.choice(languages),
                dead=roll < 0.015,
                bouncing=0.015 <= roll < 0.03,
                away=0.03 <= roll < 0.06,
            )
        )
    return found


def _answers(
    rng: random.Random,
    contact: Contact,
    meeting: Meeting,
    invited: datetime,
    labelled: dict[str, list[dict[str, object]]],
    size: Size,
) -> list[Answer]:
    """What one person sends about one meeting (often nothing)."""
    if contact.dead:
        return []
    if contact.bouncing:
        return [Answer(contact.email, meeting.code, invited + timedelta(minutes=30), "bounce")]
    planned: list[Answer] = []
    if contact.away:
        planned.append(Answer(contact.email, meeting.code, invited + timedelta(minutes=5), "ooo"))
    roll = rng.random()
    if roll < 0.35:
        return planned
    if roll < 0.37:
        at = _when(rng, invited, meeting)
        return [
            *planned,
            Answer(contact.email, meeting.code, at, "unsubscribe", UNSUBSCRIBE[contact.language]),
        ]
    labels = ["yes"] * 45 + ["no"] * 25 + ["maybe"] * 12 + ["other"] * 10
    labels += ["companions"] * 8 if not meeting.capacity else ["yes"] * 8
    sequence = [rng.choice(labels)]
    if rng.random() < 0.2:  # a change of mind
        sequence.append(rng.choice(["yes", "no"] if sequence[0] in ("maybe", "other") else ["no", "yes"]))
    at = _when(rng, invited, meeting)
    for label in sequence:
        chosen = rng.choice([r for r in labelled[contact.language] if r["answer"] == label])
        planned.append(
            Answer(
                contact.email,
                meeting.code,
                at,
                label,
                str(chosen["text"]),
                str(chosen["client"]),
                str(chosen["id"]),
                duplicate=rng.random() < 0.03,
                language=contact.language,
            )
        )
        at = at + timedelta(hours=rng.uniform(2, 30))
    if sequence[-1] == "yes" and not meeting.capacity and rng.random() < 0.15:
        label = "cal-no" if rng.random() < 0.4 else "cal-yes"
        planned.append(
            Answer(contact.email, meeting.code, at + timedelta(hours=1), label, language=contact.language)
        )
    # Nothing after the meeting starts: what the daemon does with a late answer is not this
    # soak's question (the fault tests have it), and the meeting's start is where it ends.
    last = meeting.start - timedelta(hours=2)
    return [a if a.at < last else _with(a, at=last - timedelta(minutes=rng.uniform(1, 120))) for a in planned]


def _when(rng: random.Random, invited: datetime, meeting: Meeting) -> datetime:
    """Most in the first days, a rush before the deadline, some late."""
    window = (meeting.deadline - invited).total_seconds()
    roll = rng.random()
    if roll < 0.6:
        offset = min(rng.expovariate(1 / (0.15 * window)), 0.95 * window)
    elif roll < 0.9:
        offset = window - rng.uniform(0, 0.2 * window)
    else:
        offset = window + rng.uniform(0, (meeting.start - meeting.deadline).total_seconds() * 0.8)
    return invited + timedelta(seconds=max(offset, 600))
