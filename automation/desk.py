"""The shell of the coordinator's desk: resolve what needs a human, register by hand, the digest.

Each act reads what it needs, goes through the routing table and the workflows that replies
take too (`deciders.py`: the coordinator's word is the table's first row), and commits its
effects with their outbox rows in one transaction; a resolved message is moved out of the
attention folder only after that commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from automation.app import App
from automation.deciders import decider, settle
from automation.errors import AutomationError
from automation.facts import situation
from automation.i18n import _, status_name
from automation.inbox.base import MailSource, RawMail
from automation.model import (
    AddContact,
    Decision,
    Details,
    Match,
    ResolveAttention,
    SendMail,
    Status,
)
from automation.render.formatting import clock, short_date
from automation.store.desk import AttentionItem
from automation.store.time import iso
from automation.workflows import digest as flow
from automation.workflows.dispatch import Told, by_hand, told_by_hand, vouched
from automation.workflows.matching import upcoming_meetings


@dataclass(frozen=True)
class Done:
    """What one act did, in a line for the person who asked."""

    line: str
    changed: bool


# ---- attention items -------------------------------------------------------------------------


def resolve(
    app: App, source: MailSource, number: int, answer: str, meeting: str | None, actor: str, now: datetime
) -> Done:
    item = app.store.attention_item(number)
    if item is None:
        raise AutomationError(
            _("no attention item #{number}; see: automation attention").format(number=number)
        )
    if item.resolved_at:
        return Done(_already(item), False)
    if meeting and app.settings.meeting(meeting) is None:
        raise _no_meeting(app, meeting)
    raw = source.attention_mail([item.key]).get(item.key)
    if raw is None and answer != "ignore":
        gone = _(
            "#{number}: the message is not in the attention folder of {mailbox}; nothing done"
            " (if it was moved by hand: automation attention resolve N --as ignore)"
        )
        raise AutomationError(gone.format(number=number, mailbox=source.describe()))
    with app.store.transaction():
        current = app.store.attention_item(number)
        if current is None or current.resolved_at:
            return Done(_already(current or item), False)
        told = Told(answer, actor, meeting, number, item.key)
        if raw is None:  # ignoring what is no longer in the folder needs no reading of it
            settled = ResolveAttention(
                number, item.key, answer, actor, "set aside; message not in the folder"
            )
            decision = Decision((settled,), settled.outcome)
        else:
            decision = settle(app, raw, item, told, now)
        if decision.needs_attention:
            kept = _("#{number} not resolved: {reasons}; nothing changed")
            raise AutomationError(kept.format(number=number, reasons=decision.reasons))
        app.store.apply(decision, now, app.domain)
    source.file_resolved([item.key])
    done = _("#{number} resolved as {answer}: {summary}")
    return Done(done.format(number=number, answer=answer, summary=decision.summary), True)


def _already(item: AttentionItem) -> str:
    return _("#{number} was already resolved as {answer} by {actor} ({at}): nothing done").format(
        number=item.number, answer=item.resolution, actor=item.resolved_by, at=item.resolved_at
    )


def _no_meeting(app: App, code: str) -> AutomationError:
    known = ", ".join(m.code for m in app.settings.meetings) or _("none")
    missing = _("no meeting {code} in the config; known codes: {known}")
    return AutomationError(missing.format(code=repr(code), known=known))


# ---- registrations by hand ---------------------------------------------------------------------

_ANSWER_OF_STATUS = {"yes": "yes", "no": "no", "maybe": "maybe", "waiting": "waiting"}


def register(
    app: App,
    code: str,
    email: str,
    now: datetime,
    *,
    status: str = "yes",
    details: Details | None = None,
    quiet: bool = False,
    actor: str = "coordinator",
) -> Done:
    """What a reply saying so would do for `email` (capacity, waiting list, confirmation in
    their language, the calendar copy); someone not on the contact list is added."""
    meeting = app.settings.meeting(code)
    if meeting is None:
        raise _no_meeting(app, code)
    if meeting.draft:
        raise AutomationError(app.settings.draft_problem(code))
    email = email.strip().lower()
    if "@" not in email or " " in email:
        raise AutomationError(_("{email} is not an email address").format(email=repr(email)))
    details = details or Details()
    answer = _ANSWER_OF_STATUS[status]
    message = by_hand(f"desk:{answer}:{code}:{email}:{iso(now)}", email, details.name)
    with app.store.transaction():
        match = vouched(Match(code, email, "coordinator", authorised=True), message, code)
        state = situation(app, message, match, now)
        language = state.contact.language if state.contact else None
        told, seen = Told(answer, actor, code), told_by_hand(answer, language, details)
        # Nothing was received: the coordinator's word is the whole message.
        unreceived = RawMail(message.key, b"")
        decision = decider(app, unreceived, message, seen, match, state, now, told=told)()
        if decision.needs_attention:
            unchanged = _("{email} not changed: {reasons}")
            raise AutomationError(unchanged.format(email=email, reasons=decision.reasons))
        effects = list(decision.effects)
        if state.contact is None and not app.store.is_erased(email):
            language = next(
                (e.language for e in effects if isinstance(e, SendMail) and e.recipient == email), ""
            )
            effects.append(AddContact(email, details.name, details.organisation, language, f"desk:{actor}"))
        if quiet:
            effects = [e for e in effects if not isinstance(e, SendMail)]
        app.store.apply(Decision(tuple(effects), decision.summary), now, app.domain)
    registration = app.store.registration(code, email)
    now_status = registration.status if registration else Status.DECLINED
    line = _("{summary}; status now {status}").format(
        summary=decision.summary, status=status_name(now_status)
    )
    return Done(line + (_(" (nothing sent)") if quiet else ""), True)


# ---- the digest --------------------------------------------------------------------------------


def send_digest(app: App, now: datetime) -> list[str]:
    """The coordinator's digest when it is due (see `workflows/digest.py`)."""
    settings = app.settings
    coordinator = settings.network.coordinator
    if not coordinator or now.hour < settings.digest.hour:
        return []
    day = now.date().isoformat()
    store = app.store
    if store.digest(day) is not None:
        return []
    last = store.last_digest()
    since = str(last["sent_at"]) if last else ""
    items = store.attention_items()
    failed = store.failed_since(since)
    undeliverable = store.undeliverable_since(since)
    kind = flow.kind_due(
        now.date(),
        date.fromisoformat(str(last["day"])) if last else None,
        bool(items or failed or undeliverable),
    )
    if not kind:
        return []
    counts = {
        m.code: {str(s): store.count(m.code, s) for s in Status}
        for m in upcoming_meetings(settings.meeting_objects(), now)
    }
    if kind == flow.START:
        with store.transaction():
            store.record_digest(day, kind, [], counts, now)
        return []
    before = json.loads(str(last["counts"])) if last else {}
    waiting = [
        {"reference": i.reference, "title": i.title, "created_at": i.created_at}
        for i in store.initiatives()
        if i.status == "received"
    ]
    language, zone = settings.network.default_language, settings.network.zone
    mail = flow.digest_mail(
        coordinator,
        language,
        day,
        kind,
        [{**_shown(i), "received": _local(i.received, zone, language)} for i in items],
        flow.changes(counts, before),
        [{"recipient": f["recipient"], "error": f["error"]} for f in failed],
        undeliverable,
        waiting,
    )
    # The day as the coordinator reads dates; the ISO day stays the mail's revision.
    mail = replace(mail, context={**mail.context, "digest_day": short_date(now, language)})
    with store.transaction():
        queued = store.apply(Decision((mail,), "digest"), now, app.domain)
        store.record_digest(day, kind, [i.number for i in items], counts, now)
    return [f"digest ({kind}) with {len(items)} item(s) queued for {coordinator}"] if queued else []


def _local(stamp: str, zone: ZoneInfo, language: str) -> str:
    """A stored timestamp as the reader writes dates and times ("1.2.2024 10.00")."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    moment = moment.astimezone(zone) if moment.tzinfo else moment
    return f"{short_date(moment, language)} {clock(moment, language)}"


def _shown(item: AttentionItem) -> dict[str, str | int]:
    return {
        "number": item.number,
        "received": item.received,
        "sender": item.sender,
        "subject": item.subject,
        "reason": category(item.reason),
        "why": item.reason,
        "excerpt": item.excerpt,
        "meeting": item.meeting,
    }


# ---- why an item was set aside -----------------------------------------------------------------

_CATEGORIES = (
    ("unparseable", ("could not be handled", "unparseable")),
    ("unverified-cancellation", ("answered no with the reply token", "cancellation")),
    ("forged", ("not authenticated", "used by")),
    ("unclear", ("unclear", "yes beside a no", "maybe from")),
    ("no-meeting", ("no meeting", "not matched", "naming no meeting", "names no")),
    ("attachment", ("attachment",)),
)


def category(reason: str) -> str:
    """A short name for why an item was set aside, from the workflows' own reason text."""
    text = reason.lower()
    return next((name for name, marks in _CATEGORIES if any(m in text for m in marks)), "other")
