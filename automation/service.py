"""The thin shell around the pure core: read mail, decide, commit, file; queue due invitations.

Per message: parse and decide outside any transaction (pure), then ONE transaction holds the
registration change, the outbox rows, the "handled" record and the source position. The
message is filed (moved) only after that commit. Anything unexpected keeps the message for the
coordinator with the reason; the daemon never stops because of one message.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

from automation.app import App, read_contacts
from automation.errors import AutomationError
from automation.inbox.base import MailSource, RawMail
from automation.model import (
    Classification,
    Contact,
    Decision,
    Inbound,
    Kind,
    Match,
    SendMail,
    Status,
)
from automation.parse.classify import classify
from automation.parse.message import parse_message
from automation.store.db import iso
from automation.workflows import commands
from automation.workflows.matching import match_message, open_meetings, reply_tokens
from automation.workflows.meetings import invitations, invitations_open
from automation.workflows.registration import Situation, decide

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    ref: str
    sender: str
    kind: str
    summary: str
    attention: bool
    duplicate: bool = False


def understand(app: App, message: Inbound, now: datetime) -> tuple[Classification, Match, Situation]:
    """Classification, meeting match and the state that matters: read-only, no side effects."""
    settings = app.settings
    seen = classify(message, settings.network.address)
    meetings = settings.meeting_objects()
    tokens = reply_tokens(message, settings.network.address)
    token_owner = next((o for t in tokens if (o := app.store.token_owner(t))), None)
    reference_owner = app.store.sent_message_owner(list(message.references))
    match = match_message(message, meetings, now, token_owner, reference_owner)
    meeting = settings.meeting(match.meeting) if match.meeting else None
    email = match.email if match.authorised and match.email else message.sender
    registration = app.store.registration(meeting.code, email) if meeting else None
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
    situation = Situation(
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
    )
    return seen, match, situation


def handle(app: App, raw: RawMail, now: datetime) -> Outcome:
    try:
        message = parse_message(raw.data)
        if app.store.is_handled(message.key):
            _record_position(app, raw)
            return Outcome(raw.ref, message.sender, "duplicate", "already handled", False, True)
        seen, match, situation = understand(app, message, now)
        if seen.kind == Kind.COMMAND and seen.intent is not None:
            decision = commands.decide(message, seen, situation)
        elif seen.kind.is_machine or seen.kind == Kind.CALENDAR_REPLY and not seen.answerable:
            decision = _ignored(seen)
        else:
            decision = decide(message, seen, match, situation)
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the daemon
        log.exception("could not handle %s", raw.ref)
        return _keep_broken(app, raw, now, exc)
    with app.store.transaction():
        app.store.apply(decision, now, app.domain)
        app.store.record_message(
            {
                "key": message.key,
                "source_ref": raw.ref,
                "kind": str(seen.kind),
                "meeting": match.meeting or "",
                "sender": message.sender,
                "language": seen.language or "",
                "reason": seen.reason + " → " + decision.summary,
                "attention": int(decision.needs_attention),
                "subject": message.subject[:200],
                "received_at": iso(now),
            }
        )
        _record_position(app, raw)
    return Outcome(raw.ref, message.sender, str(seen.kind), decision.summary, decision.needs_attention)


def _ignored(seen: Classification) -> Decision:
    # Machines are never answered; what they tell us (bounces) is acted on in its own workflow.
    return Decision((), f"not answered ({seen.reason})")


def _keep_broken(app: App, raw: RawMail, now: datetime, exc: Exception) -> Outcome:
    key = "broken:" + hashlib.sha256(raw.data).hexdigest()
    reason = f"could not be handled: {type(exc).__name__}: {exc}"
    with app.store.transaction():
        app.store.record_message(
            {
                "key": key,
                "source_ref": raw.ref,
                "kind": "unknown",
                "meeting": "",
                "sender": "",
                "language": "",
                "reason": reason[:500] + "\n" + traceback.format_exc()[-1500:],
                "attention": 1,
                "subject": "",
                "received_at": iso(now),
            }
        )
        _record_position(app, raw)
    return Outcome(raw.ref, "", "unknown", reason, True)


def _record_position(app: App, raw: RawMail) -> None:
    if raw.uid:
        app.store.set_source_state("imap", raw.uidvalidity, raw.uid)


def poll(app: App, source: MailSource, now: datetime) -> list[Outcome]:
    """Handle every new message, then file them all (one MOVE per folder)."""
    validity, last_uid = app.store.source_state("imap")
    outcomes: list[Outcome] = []
    handled: list[RawMail] = []
    attention: list[RawMail] = []
    for raw in source.fetch_new(last_uid, validity):
        outcome = handle(app, raw, now)
        outcomes.append(outcome)
        (attention if outcome.attention else handled).append(raw)
        if len(handled) + len(attention) >= 200:
            source.finish(handled, attention)
            handled, attention = [], []
    source.finish(handled, attention)
    return outcomes


def sync_contacts(app: App, now: datetime) -> int:
    contacts = read_contacts(app.contacts_file(), list(app.settings.network.languages))
    with app.store.transaction():
        return app.store.sync_contacts(contacts, now)


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
    done = []
    days = app.settings.schedule.invite_days_before
    for meeting in app.settings.meeting_objects():
        if invitations_open(meeting, now, days):
            count = queue_invitations(app, meeting.code, now)
            if count:
                done.append(f"queued {count} invitation(s) to {meeting.code}")
    return done
