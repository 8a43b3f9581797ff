"""The thin shell around the pure core: read mail, decide, commit, file; queue due invitations.

Per message: parse and decide outside any transaction (pure), then ONE transaction holds the
registration change, the outbox rows, the "handled" record and the source position. The
message is filed (moved) only after that commit. Anything unexpected keeps the message for the
coordinator with the reason; the daemon never stops because of one message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import traceback
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time

from automation import submissions
from automation.app import App
from automation.errors import ConfigError, TransientError
from automation.facts import known, situation, understand
from automation.inbox.base import MailSource, RawMail
from automation.inbox.readahead import Read, ReadAhead
from automation.model import (
    SHOWN,
    Attention,
    Classification,
    Decision,
    Inbound,
    Kind,
    Match,
    ResolveAttention,
)
from automation.outcomes import Outcome, Outcomes
from automation.parse.bounce import read_bounce
from automation.parse.excerpt import excerpt
from automation.parse.intent import bare_no, read_details
from automation.parse.message import parse_message
from automation.store.db import iso
from automation.workflows import commands, feedback, membership, other_meetings, routing
from automation.workflows.bounces import decide_bounce
from automation.workflows.dispatch import dispatch
from automation.workflows.guard import authentication_failed, limit_answers, refuse_forged
from automation.workflows.matching import reply_tokens
from automation.workflows.registration import Situation

log = logging.getLogger(__name__)
__all__ = ["SHOWN", "Outcome", "Outcomes", "first_start", "poll", "situation", "sync_contacts", "understand"]


def handle(
    app: App, raw: RawMail, now: datetime, source: MailSource | None = None, read: Read | None = None
) -> Outcome:
    """`read`: the message already parsed and classified (by the read-ahead), else read here."""
    try:
        message = read[0] if read else parse_message(raw.data, spooled=raw.spool is not None)
        # The state that decides (seats left, who holds one) is read inside the message's
        # write transaction: a second process handling mail at the same moment (`run --once`
        # beside the daemon) waits for it, so two people can never both get the last seat.
        with app.store.transaction():
            if app.store.is_handled(message.key):
                _record_position(app, raw)
                return Outcome(raw.ref, message.sender, "duplicate", "already handled", False, True)
            seen, match, situation = understand(app, message, now, seen=read[1] if read else None)
            decide_now = _route(app, raw, message, seen, match, situation, now, source)
            return _commit(app, raw, message, seen, match.meeting or "", decide_now, now)
    except sqlite3.OperationalError as exc:
        # Database locked or disk full: the message stays unhandled (not filed) and is retried.
        raise TransientError(f"database unavailable, message left for the next pass: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the daemon
        log.exception("could not handle %s", raw.ref)
        return _keep_broken(app, raw, now, exc)


def facts(app: App, message: Inbound) -> routing.Facts:
    """What the routing table needs, read from the store before it is asked: the scope and
    owner of each of our reply tokens in the recipients, and which plus addresses it was sent to."""
    tokens = []
    for token in reply_tokens(message, app.settings.network.address):
        owner = app.store.token_owner(token)
        if owner:
            tokens.append(routing.Token(owner[0], owner[1]))
    plus = {routing.PLUS_JOIN} if _plus(app, message, "liity") else set()
    if submissions.plus_addressed(app, message):
        plus.add(routing.PLUS_INITIATIVE)
    return routing.Facts(tuple(tokens), frozenset(plus), meetings=bool(app.settings.meetings))


def _route(
    app: App,
    raw: RawMail,
    message: Inbound,
    seen: Classification,
    match: Match,
    situation: Situation,
    now: datetime,
    source: MailSource | None = None,
) -> Callable[[], Decision]:
    """Which workflow decides: the routing table's answer on the gathered facts (a reply token's
    scope wins over everything a From could claim). The decision itself is taken inside the
    message's transaction."""
    found = routing.route(facts(app, message), seen, message.reply_text)
    flow = routing.Workflow
    match found.workflow:
        case flow.BOUNCE:
            decision = _bounce(app, raw.data)
            return lambda: decision
        case flow.IGNORED:
            return lambda: _ignored(seen)
        case flow.DIGEST_ANSWER:
            from automation.desk import answer_digest  # the desk's shell builds on this one

            return lambda: answer_digest(app, source, message, found.about, found.owner, now)
        case flow.REFUSED:
            return lambda: Decision((Attention(found.reason),), f"{message.sender}: {found.reason}")
        case flow.UNSUBSCRIBE:
            # Leaving always works, also as a reply to a mail that carries some other token;
            # without proof that the address itself wrote, it is confirmed by mail first.
            proven = submissions.vouched_for(app, message)
            return lambda: commands.decide(message, seen, situation, proven)
        case flow.PRIVACY:
            return lambda: _privacy(app, message, seen, found.about, found.owner)
        case flow.JOINING:
            return lambda: _joining(app, message, seen, found.owner)
        case flow.FEEDBACK:
            return lambda: _feedback(app, message, seen, found.about, found.owner)
        case flow.JOIN_REQUEST:
            return lambda: _join_request(app, message, seen)
        case (
            flow.SUMMARY_CONFIRMED
            | flow.FOLLOWUP_REPLY
            | flow.INITIATIVE_ACT
            | flow.INITIATIVE_INTAKE
            | flow.SUMMARY
        ):
            return submissions.decider(app, raw, message, seen, found, now)
        case flow.COMMAND:
            return lambda: commands.decide(message, seen, situation)
        case _:
            return lambda: _each_meeting(app, message, seen, match, situation, now)


def _each_meeting(
    app: App, message: Inbound, seen: Classification, match: Match, first: Situation, now: datetime
) -> Decision:
    """The answer to the meeting replied to, and to each other open meeting the reply answers
    clearly ("en ehdi maaliskuussa, syksyllä kyllä"), decided as if it had come on its own."""
    others = other_meetings.other_answers(seen, match, first.open_meetings)
    decision = dispatch(message, other_meetings.without_acted(seen, others), match, first)
    more = []
    for meeting, answer in others:
        there = replace(match, meeting=meeting.code)
        more.append(dispatch(message, answer, there, situation(app, message, there, now)))
    return other_meetings.combined(decision, more)


def _commit(
    app: App,
    raw: RawMail,
    message: Inbound,
    seen: Classification,
    meeting: str,
    decide_now: Callable[[], Decision],
    now: datetime,
) -> Outcome:
    """In the message's transaction: the decision's effects, the "handled" record and the
    source position."""
    security = app.settings.security
    decision = decide_now()
    forged = authentication_failed(message.auth_results, security.trusted_authserv_id, message.sender)
    if forged and decision.effects:
        decision = refuse_forged(decision, forged)
    decision = limit_answers(
        decision, lambda email: app.store.answers_since(email, now), security.max_auto_replies_per_day
    )
    # Recorded before the effects: an erasure among them then anonymises this message too, as it
    # does every other message of the person.
    app.store.record_message(
        {
            "key": message.key,
            "source_ref": raw.ref,
            "kind": str(seen.kind),
            "meeting": meeting,
            "sender": message.sender,
            "language": seen.language or "",
            "reason": seen.reason + " → " + decision.summary,
            "attention": int(decision.needs_attention),
            "subject": message.subject[:200],
            "received_at": iso(now),
        }
    )
    app.store.apply(decision, now, app.domain)
    if decision.needs_attention:
        app.store.open_attention(message.key, decision.reasons, excerpt(message.reply_text), now)
    _record_position(app, raw)
    settled = tuple(e.key for e in decision.effects if isinstance(e, ResolveAttention))
    return Outcome(
        raw.ref, message.sender, str(seen.kind), decision.summary, decision.needs_attention, settled=settled
    )


def _plus(app: App, message: Inbound, tag: str) -> bool:
    local, _, domain = app.settings.network.address.partition("@")
    return f"{local}+{tag}@{domain}".lower() in message.recipients


def _language_of(app: App, seen: Classification, email: str) -> str:
    contact = app.store.contact(email)
    return seen.language or (contact["language"] if contact else "") or app.settings.network.default_language


def _join_request(app: App, message: Inbound, seen: Classification) -> Decision:
    member = app.store.contact(message.sender) is not None
    return membership.request(
        message, _language_of(app, seen, message.sender), app.settings.rules.version, member
    )


def _joining(app: App, message: Inbound, seen: Classification, email: str) -> Decision:
    contact = app.store.contact(email)
    details = seen.intent.details if seen.intent else read_details(message.reply_text)
    return membership.accepted(
        message,
        email,
        app.settings.rules.version,
        _language_of(app, seen, email),
        details,
        contact["name"] if contact else "",
    )


def _feedback(app: App, message: Inbound, seen: Classification, code: str, email: str) -> Decision:
    stored = feedback.store(message, code, email, _language_of(app, seen, email))
    return Decision((stored,), f"feedback on {code} stored (score {stored.score})")


def _privacy(app: App, message: Inbound, seen: Classification, command: str, email: str) -> Decision:
    """The reply to our "confirm the export/erasure" mail: its token names whose data."""
    if seen.kind == Kind.CANCELLATION or bare_no(message.reply_text):
        return Decision((), f"{email} did not confirm the {command}; nothing done")
    if seen.kind not in (Kind.REGISTRATION, Kind.COMMAND):
        return Decision(
            (Attention(f"unclear answer to the {command} confirmation"),),
            f"kept {email}'s answer about their data for the coordinator",
        )
    contact = app.store.contact(email)
    language = (
        seen.language or (contact["language"] if contact else "") or app.settings.network.default_language
    )
    if command == "unsubscribe":
        contact = app.store.contact(email)
        return commands.unsubscribed(message, email, contact["name"] if contact else "", language)
    data = app.store.export_data(email) if command == "export" else {}
    lines = [f"{name}: {len(rows)}" for name, rows in data.items()]
    return commands.confirmed(
        message, command, email, language, json.dumps(data, ensure_ascii=False, indent=2), "\n".join(lines)
    )


def _bounce(app: App, raw: bytes) -> Decision:
    """Which of our addresses failed: those our returned Message-IDs were sent to, else the
    report's recipients that we know."""
    settings = app.settings
    bounce = read_bounce(raw, app.domain)
    owners = app.store.outbox_recipients(list(bounce.message_ids))
    if not owners:
        owners = [r for r in bounce.recipients if known(app, r)]
    return decide_bounce(
        bounce,
        owners,
        app.store.bounce_scores(owners),
        settings.security.bounce_threshold,
        settings.network.coordinator or "",
        settings.network.default_language,
    )


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
        app.store.open_attention(key, reason, "", now)
        _record_position(app, raw)
    return Outcome(raw.ref, "", "unknown", reason, True)


def _record_position(app: App, raw: RawMail) -> None:
    if raw.uid:
        app.store.set_source_state("imap", raw.uidvalidity, raw.uid)


_FIRST_START = "imap-start"  # source_state row: (uidvalidity, floor UID) of the first start


def first_start(app: App, source: MailSource, now: datetime) -> int:
    """On a new installation, leave the mailbox's history in place: how many messages were left.

    Afterwards the recorded floor keeps the crash sweep away from that mail on every connection."""
    try:
        return _first_start(app, source, now)
    except sqlite3.OperationalError as exc:
        raise TransientError(f"database unavailable, mail waits for the next pass: {exc}") from exc


def _first_start(app: App, source: MailSource, now: datetime) -> int:
    validity, last_uid = app.store.source_state("imap")
    start = app.store.source_state(_FIRST_START)
    if start != (0, 0) or (validity, last_uid) != (0, 0) or _has_messages(app):
        if start[0] and start[0] == validity:
            source.keep_floor(start[1])
        return 0
    box = app.settings.mailbox
    cutoff = datetime.combine(box.since, time(0), app.settings.network.zone) if box.since else now
    validity, floor, count = source.leave_older(cutoff)
    if validity:
        with app.store.transaction():
            app.store.set_source_state(_FIRST_START, validity, floor)
            app.store.set_source_state("imap", validity, floor)
    return count


def _has_messages(app: App) -> bool:
    return app.store.db.execute("SELECT 1 FROM messages LIMIT 1").fetchone() is not None


def poll(app: App, source: MailSource, now: datetime, outcomes: Outcomes | None = None) -> Outcomes:
    """Handle every new message, then file them all (one MOVE per folder). What was done with
    each is added to `outcomes` as soon as its transaction committed."""
    validity, last_uid = app.store.source_state("imap")
    outcomes = Outcomes() if outcomes is None else outcomes
    handled: list[RawMail] = []
    attention: list[RawMail] = []
    settled: list[str] = []
    with ReadAhead(app.settings.network.address) as ahead:
        for raw, read in ahead.read(source.fetch_new(last_uid, validity)):
            try:
                outcome = handle(app, raw, now, source, read)
            finally:
                raw.discard_spool()  # a big message's attachments: saved where needed by now
            outcomes.add(outcome)
            settled += outcome.settled
            (attention if outcome.attention else handled).append(raw)
            if len(handled) + len(attention) >= 200:
                source.finish(handled, attention)
                handled, attention = [], []
    source.finish(handled, attention)
    if settled:
        source.file_resolved(settled)
    return outcomes


def sync_contacts(app: App, now: datetime) -> int:
    """Merge the configured contact list into the register (a status column saying inactive
    removes; it never restores someone removed with `contacts remove`)."""
    from automation.contactfile import read_contact_file

    found = read_contact_file(app.contacts_file(), list(app.settings.network.languages))
    if found.refused:
        raise ConfigError(
            [f"{found.path}:{r.line}: {r.reason}; fix it or delete the line" for r in found.refused]
        )
    with app.store.transaction():
        outcomes = [
            app.store.merge_contact(row.contact, found.columns, row.active, now, restore=False)
            for row in found.rows
        ]
    return sum(o not in ("unchanged", "erased") for o in outcomes)
