"""The thin shell around the pure core: read mail, decide, commit, file; queue due invitations.

Per message: read → understand → route and decide (`deciders.py`) → commit, each stage once and
in that order. Parsing is done outside any transaction; ONE transaction then holds the
registration change, the outbox rows, the "handled" record and the source position. The
message is filed (moved) only after that commit. Anything unexpected keeps the message for the
coordinator with the reason; the daemon never stops because of one message.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import traceback
from collections.abc import Callable
from datetime import datetime, time

from automation.app import App
from automation.deciders import decider
from automation.errors import ConfigError, TransientError
from automation.facts import answers_today, situation, understand
from automation.inbox.base import MailSource, RawMail
from automation.inbox.readahead import Read, ReadAhead
from automation.model import SHOWN, Classification, Decision, Inbound, ResolveAttention
from automation.outcomes import Outcome, Outcomes
from automation.parse.excerpt import excerpt
from automation.parse.message import parse_message
from automation.store.db import iso
from automation.workflows.guard import authentication_failed, limit_answers, refuse_forged

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
            decide_now = decider(app, raw, message, seen, match, situation, now, source)
            return _commit(app, raw, message, seen, match.meeting or "", decide_now, now)
    except sqlite3.OperationalError as exc:
        # Database locked or disk full: the message stays unhandled (not filed) and is retried.
        raise TransientError(f"database unavailable, message left for the next pass: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop the daemon
        log.exception("could not handle %s", raw.ref)
        return _keep_broken(app, raw, now, exc)


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
    decision = limit_answers(decision, answers_today(app, decision, now), security.max_auto_replies_per_day)
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
