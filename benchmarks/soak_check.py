"""The soak's checker: from what went in (every message appended), what came out (every message
the SMTP server accepted) and the end state (the CLI's registrations, status, initiatives, the
published calendar, the database read-only, the folders), which invariants hold.

Expectations come from the labelled intent of each reply, replayed in the order the daemon handled
them, against each meeting's capacity, deadline and start as they were at that moment. The same
replay with the reader's reading (the kind the daemon recorded) separates the reader's mistakes
(an accuracy figure) from the service's (an invariant that fails).
"""

from __future__ import annotations

import email
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from soak_traffic import DURATION, Meeting, World

ZONE = ZoneInfo("Europe/Helsinki")
HUMAN = ("yes", "no", "maybe", "companions", "other", "cal-yes", "cal-no")
MACHINE = ("ooo", "bounce", "hostile")
ACTIVE = ("registered", "waiting", "tentative")
READING = {"registration": "yes", "cancellation": "no", "tentative": "maybe"}
LIFECYCLE = ("invite", "deadline-reminder", "meeting-reminder", "thanks", "feedback")


@dataclass(frozen=True)
class Record:
    """One message appended to the INBOX (twice when `duplicate`)."""

    message_id: str
    person: str
    meeting: str
    label: str
    slot: datetime
    duplicate: bool = False

    @property
    def key(self) -> str:
        return self.message_id.strip("<>")


@dataclass(frozen=True)
class Outgoing:
    recipient: str
    message_id: str
    purpose: str
    meeting: str
    in_reply_to: str
    date: datetime
    digest: str

    @classmethod
    def parse(cls, envelope_to: list[str], data: bytes) -> Outgoing:
        msg = email.message_from_bytes(data, policy=policy.default)
        message_id = str(msg["Message-ID"] or "").strip("<>")
        purpose, _, rest = message_id.partition(".")
        meeting = rest.partition(".")[0]
        body = msg.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        return cls(
            recipient=envelope_to[0].lower(),
            message_id=message_id,
            purpose=purpose,
            meeting=meeting,
            in_reply_to=str(msg["In-Reply-To"] or "").strip("<>"),
            date=parsedate_to_datetime(str(msg["Date"])).astimezone(ZONE).replace(tzinfo=None),
            digest=hashlib.sha256((str(msg["Subject"]) + text).encode()).hexdigest(),
        )


def _end(meeting: Meeting, moment: datetime) -> datetime:
    """The meeting's end as configured at `moment`."""
    return meeting.start_at(moment) + DURATION


def _local(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(ZONE).replace(tzinfo=None) if moment.tzinfo else moment


def replay(
    events: list[tuple[str, str, str, datetime]], meetings: dict[str, Meeting]
) -> dict[tuple[str, str], str]:
    """Each person's status after their answers, in the order handled (registration.py's rules:
    a yes takes a seat or a place in the queue until the deadline; a no frees the seat for the
    first in the queue until the start; a maybe holds no seat and does not replace a seat)."""
    state: dict[tuple[str, str], str] = {}
    queue: dict[str, list[str]] = defaultdict(list)
    seats: Counter[str] = Counter()
    for person, code, answer, moment in events:
        meeting = meetings[code]
        key = (person, code)
        current = state.get(key)
        cancelled = meeting.cancelled_on is not None and moment >= meeting.cancelled_on
        closed = cancelled or moment > meeting.deadline
        if answer in ("yes", "cal-yes", "companions"):
            if closed or current in ("registered", "waiting"):
                continue
            if meeting.capacity and seats[code] >= meeting.capacity:
                state[key] = "waiting"
                queue[code].append(person)
            else:
                state[key] = "registered"
                seats[code] += 1
        elif answer == "maybe":
            if not closed and current not in ("registered", "waiting"):
                state[key] = "tentative"
        elif answer in ("no", "cal-no"):
            if answer == "cal-no" and current not in ACTIVE:
                state[key] = "declined"
                continue
            if moment >= meeting.start_at(moment):
                continue
            if current not in ACTIVE:
                state[key] = current or "declined"
                continue
            state[key] = "cancelled"
            if current == "waiting":
                queue[code].remove(person)
            if current == "registered":
                seats[code] -= 1
                if queue[code]:
                    state[(queue[code].pop(0), code)] = "registered"
                    seats[code] += 1
    return state


def check(
    world: World,
    records: list[Record],
    outgoing: list[Outgoing],
    state: dict[str, Any],
    kills: int,
    peaks_kb: list[int],
) -> tuple[dict[str, bool], dict[str, str], dict[str, Any], dict[str, int]]:
    meetings = {m.code: m for m in world.meetings}
    rows = {row["key"]: row for row in state["messages"]}
    order = {row["key"]: i for i, row in enumerate(state["messages"])}
    unique = list({r.key: r for r in records if r.label != "hostile"}.values())
    failures: dict[str, str] = {}
    results: dict[str, bool] = {}

    def verdict(name: str, problems: list[str]) -> None:
        results[name] = not problems
        if problems:
            failures[name] = f"{len(problems)}: " + "; ".join(problems[:8])

    # 1. nothing lost, nothing doubled in the store and the mailbox
    missing = [r.message_id for r in unique if r.key not in rows]
    verdict("every message appended is handled exactly once or in the attention list", missing)
    folders = state["folders"]
    appended = len(records)
    filed = folders["Handled"] + folders["Attention"]
    verdict(
        "the mailbox holds every message, filed: INBOX empty, Handled + Attention = appended",
        [] if (folders["INBOX"], filed) == (0, appended) else [f"{folders} for {appended} appended"],
    )

    # 2. each person's status is the replay of their answers
    human = sorted((r for r in unique if r.label in HUMAN and r.key in rows), key=lambda r: order[r.key])
    loose = {(r.person, r.meeting) for r in human if r.label == "companions"}
    as_labelled, as_read = [], []
    correct = 0
    for r in human:
        row = rows[r.key]
        moment = _local(row["received_at"])
        reading = r.label if r.label.startswith("cal-") else READING.get(row["kind"], "other")
        if r.label == "companions":
            correct += reading == "yes"
        elif not r.label.startswith("cal-"):  # a calendar reply is certain, not read
            correct += reading == r.label
        as_labelled.append((r.person, r.meeting, r.label, moment))
        as_read.append((r.person, r.meeting, reading, moment))
    expected, read = replay(as_labelled, meetings), replay(as_read, meetings)
    actual = {
        (row["email"].lower(), code): row["status"]
        for code, regs in state["registrations"].items()
        for row in regs
    }
    # The erased are gone from the register (their rows kept for counts under another name);
    # their own invariant below says so. Their answers still count in the replay: a seat they
    # held stays taken (nobody is promoted by an erasure).
    erasers = {person for person, _, _ in world.erasures}
    pairs = {(r.person, r.meeting) for r in human if r.person not in erasers} - loose
    wrong = [
        f"{p} {m}: {actual.get((p, m))} but answers replay to {read.get((p, m))}"
        for p, m in sorted(pairs)
        if actual.get((p, m)) != read.get((p, m))
    ]
    verdict("every person's final status equals the replay of their own answers", wrong)
    by_reader = sorted(pair for pair in pairs if expected.get(pair) != read.get(pair))

    # 3. sent once: by Message-ID, by content, and every answer that should go out
    copies = Counter((o.recipient, o.message_id) for o in outgoing)
    resent = {k: n for k, n in copies.items() if n > 1}
    verdict(
        "no person is sent the same message twice (by Message-ID; at most one resend per kill)",
        [f"{k} x{n}" for k, n in resent.items()] if sum(n - 1 for n in resent.values()) > kills else [],
    )
    contents: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for o in outgoing:
        if not o.in_reply_to:
            contents[(o.recipient, o.purpose, o.meeting, o.digest)].add(o.message_id)
    verdict(
        "no person is sent the same content twice under different Message-IDs",
        [f"{k[0]} {k[1]} {k[2]}: {sorted(v)}" for k, v in contents.items() if len(v) > 1],
    )
    answers: dict[str, set[str]] = defaultdict(set)
    for o in outgoing:
        if o.in_reply_to:
            answers[o.in_reply_to].add(o.message_id)
    dead = {c.email for c in world.contacts if c.dead}
    unanswered, doubled = [], []
    for r in human:
        row = rows[r.key]
        got = answers.get(r.key, set())
        if len(got) > 1:
            doubled.append(f"{r.person} {r.key}: {sorted(got)}")
        # An erasure cancels what was still queued for the person, answers included; and an
        # answer about a meeting that is over is dropped by the outbox (expiry.py), not sent.
        over = _local(row["received_at"]) >= _end(meetings[r.meeting], _local(row["received_at"]))
        should = row["kind"] in READING and not row["attention"] and r.person not in dead | erasers
        should = should and not over
        if should and not got:
            unanswered.append(f"{r.person} {r.meeting} {r.label} ({row['reason'][:80]})")
    verdict("every answer that should go out went out, once", unanswered + doubled)

    # 4. seats and the waiting list
    over = []
    for code, meeting in meetings.items():
        seated = sum(1 for row in state["registrations"][code] if row["status"] == "registered")
        if meeting.capacity and seated > meeting.capacity:
            over.append(f"{code}: {seated} > {meeting.capacity}")
    verdict("registered seats never exceed capacity", over)
    queue_problems = []
    for code, meeting in meetings.items():
        if not meeting.capacity:
            continue
        for status in ("registered", "waiting"):
            want = {p for (p, m), s in read.items() if m == code and s == status and p not in erasers}
            have = {p for (p, m), s in actual.items() if m == code and s == status and (p, m) in pairs}
            if want != have:
                queue_problems.append(
                    f"{code} {status}: missing {sorted(want - have)[:3]}, extra {sorted(have - want)[:3]}"
                )
    verdict("the waiting list is promoted in order", queue_problems)

    # 5. nothing after its moment, nothing to those who left, nothing answering a machine
    late = []
    for o in outgoing:
        meeting = meetings.get(o.meeting)
        if meeting is None:
            continue
        cancelled = meeting.cancelled_on is not None and o.date > meeting.cancelled_on
        if o.purpose in ("invite", "deadline-reminder") and (o.date > meeting.deadline or cancelled):
            late.append(f"{o.purpose} {o.meeting} to {o.recipient} at {o.date}")
        if o.purpose == "meeting-reminder" and (o.date > meeting.start_at(o.date) or cancelled):
            late.append(f"{o.purpose} {o.meeting} to {o.recipient} at {o.date}")
    verdict(
        "no mail is sent after its moment (no invitation after the deadline, no reminder after the meeting)",
        late,
    )
    left: dict[str, datetime] = {}
    for r in unique:
        if r.label == "unsubscribe" and r.key in rows:
            left.setdefault(r.person, _local(rows[r.key]["received_at"]))
    to_left = [
        f"{o.purpose} {o.meeting} to {o.recipient} at {o.date}"
        for o in outgoing
        if o.recipient in left and o.purpose in ("invite", "deadline-reminder") and o.date > left[o.recipient]
    ]
    verdict("no invitation or reminder to an unsubscribed person", to_left)
    machines = {r.key for r in records if r.label in MACHINE}
    answering = [f"{o.purpose} to {o.recipient}" for o in outgoing if o.in_reply_to in machines]
    answering += [f"{o.purpose} to {o.recipient}" for o in outgoing if "mailer-daemon" in o.recipient]
    verdict("no mail answers a machine (out-of-office, bounce, hostile mail)", answering)
    bounced: dict[str, list[datetime]] = defaultdict(list)
    for r in unique:
        if r.label == "bounce" and r.key in rows:
            bounced[r.person].append(_local(rows[r.key]["received_at"]))
    after = [
        f"{o.purpose} {o.meeting} to {o.recipient} at {o.date}"
        for o in outgoing
        if len(bounced.get(o.recipient, [])) >= 2 and o.date > sorted(bounced[o.recipient])[1]
    ]
    verdict("no mail to an address after its second bounce", after)

    # 5b. a yes read after its meeting began: no seat (the replay above); while the meeting is
    # on, the answer that registration has closed; once it is over, no answer at all (the
    # outbox drops mail about a meeting that is over as pointless, expiry.py)
    after_start = []
    for r in human:
        row = rows[r.key]
        moment = _local(row["received_at"])
        meeting = meetings[r.meeting]
        if row["kind"] == "registration" and moment >= meeting.start_at(moment):
            purposes = sorted({o.purpose for o in outgoing if o.in_reply_to == r.key})
            want = [] if moment >= _end(meeting, moment) else ["closed"]
            if r.person not in dead | erasers and purposes != want:
                after_start.append(f"{r.person} {r.meeting} at {moment}: answered {purposes}, not {want}")
    verdict(
        "a yes after its meeting began takes no seat; answered 'closed' while it is on, not at all once over",
        after_start,
    )
    late_yes = sum(
        1
        for r in human
        if rows[r.key]["kind"] == "registration"
        and _local(rows[r.key]["received_at"])
        >= meetings[r.meeting].start_at(_local(rows[r.key]["received_at"]))
    )

    # 5c. erasure by mail: after the confirmation, nothing more to them and nothing about them
    erase_problems = []
    confirmations = {r.person: r for r in unique if r.label == "erase-confirm"}
    for person, _, _ in world.erasures:
        confirmation = confirmations.get(person)
        if confirmation is None:
            erase_problems.append(f"{person}: never asked to confirm the erasure")
            continue
        if confirmation.key not in rows:
            erase_problems.append(f"{person}: the confirmation was not handled")
            continue
        moment = _local(rows[confirmation.key]["received_at"])
        done = [o for o in outgoing if o.recipient == person and o.purpose == "privacy-erased"]
        if len(done) != 1:
            erase_problems.append(f"{person}: told of the erasure {len(done)} times")
        erase_problems += [
            f"{person}: {o.purpose} {o.meeting} at {o.date} after the erasure at {moment}"
            for o in outgoing
            if o.recipient == person and o.date > moment and o.purpose != "privacy-erased"
        ]
        left = {where: n for where, n in state["left_of_the_erased"].get(person, {}).items() if n}
        if left:
            erase_problems.append(f"{person}: still stored in {left}")
        registered = [
            code
            for code, regs in state["registrations"].items()
            for row in regs
            if row["email"].lower() == person
        ]
        if registered:
            erase_problems.append(f"{person}: still in the registrations of {registered}")
    verdict(
        "an erased person is sent nothing after the erasure and nothing about them is stored",
        erase_problems,
    )

    # 6. initiatives
    sent_initiatives = [r for r in unique if r.label == "initiative"]
    acks = Counter(o.recipient for o in outgoing if o.purpose == "initiative-ack")
    problems = (
        []
        if len(state["initiatives"]) == len(sent_initiatives)
        else [f"{len(state['initiatives'])} listed for {len(sent_initiatives)} sent"]
    )
    problems += [
        f"{r.person}: {acks[r.person]} acknowledgements" for r in sent_initiatives if acks[r.person] != 1
    ]
    verdict("every initiative is listed and acknowledged once", problems)

    # 7. the public calendar and `automation status` agree with the database
    end = max((_local(row["received_at"]) for row in state["messages"]), default=datetime.min)
    disagree = []
    for code, meeting in meetings.items():
        cancelled = meeting.cancelled_on is not None and end >= meeting.cancelled_on
        uid = f"UID:meeting-{code}@example.org"
        start = f"{meeting.start_at(end):%Y%m%dT%H%M%S}"
        events = state["ics"].replace("\r\n ", "").split("BEGIN:VEVENT")
        event = next((e.split("END:VEVENT")[0] for e in events if uid in e), "")
        if not cancelled and start not in event:
            disagree.append(f"meetings.ics: {code} not at {start}")
        if cancelled and event and "CANCELLED" not in event:
            disagree.append(f"meetings.ics: {code} is cancelled but listed as on")
        counts = Counter(row["status"] for row in state["registrations"][code])
        # Companions named without an address take a seat each under the one who brought them.
        counts["registered"] += sum(
            len(row.get("companions") or [])
            for row in state["registrations"][code]
            if row["status"] == "registered"
        )
        line = re.search(
            rf"Meeting {re.escape(code)} \(.*?\): registered (\d+)(?:/\d+)?, waiting (\d+), tentative (\d+)",
            state["status"],
        )
        shown = tuple(int(g) for g in line.groups()) if line else None
        if shown != (counts["registered"], counts["waiting"], counts["tentative"]):
            disagree.append(f"status shows {shown} for {code}, registrations {dict(counts)}")
    verdict("the public calendar feed and `automation status` agree with the database", disagree)

    # 8. memory
    peak = max(peaks_kb, default=0) / 1024
    verdict("the daemon's peak resident memory stayed under 150 MB", [] if peak < 150 else [f"{peak:.0f} MB"])

    replies = sum(1 for r in human if not r.label.startswith("cal-"))
    calendar = sum(1 for r in human if r.label.startswith("cal-"))
    accuracy = {
        "replies": replies,
        "calendar_replies": calendar,
        "correct": correct,
        "accuracy": correct / replies if replies else 1.0,
        "people_whose_status_differs_from_their_labels_because_of_the_reader": len(by_reader),
        "examples": [
            f"{p} {m}: labels say {expected.get((p, m))}, read as {read.get((p, m))}"
            for p, m in by_reader[:5]
        ],
        "companion_answers_checked_loosely": len(loose),
    }
    counts = {"yes_after_the_meeting_began": late_yes, "erasures_confirmed": len(confirmations)}
    return results, failures, accuracy, counts
