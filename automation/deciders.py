"""The route and decide stages of the intake, for mail and for the coordinator's word alike.

`decider` gathers the facts the routing table needs, asks the table which workflow decides, and
returns that workflow's decision as a function to call inside the message's transaction. A
message the coordinator answers for (an attention item resolved, a digest line, a registration
by hand) takes the same road: its facts say `told`, and the table's first row sends it to the
workflow that does what the coordinator said.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from automation import submissions
from automation.app import App
from automation.facts import answers_today, known, situation, understand
from automation.inbox.base import MailSource, RawMail
from automation.model import (
    Attention,
    Classification,
    Decision,
    Inbound,
    Kind,
    Match,
    ResolveAttention,
    plus_address,
)
from automation.parse.bounce import read_bounce
from automation.parse.intent import bare_no, read_details
from automation.parse.message import parse_message
from automation.store.desk import AttentionItem
from automation.workflows import commands, feedback, membership, other_meetings, routing
from automation.workflows import digest as digest_flow
from automation.workflows.bounces import decide_bounce
from automation.workflows.dispatch import Told, dispatch
from automation.workflows.guard import authentication_failed, limit_answers
from automation.workflows.matching import reply_tokens
from automation.workflows.membership import JOIN_TAG
from automation.workflows.registration import Situation

Decide = Callable[[], Decision]


def route_facts(app: App, message: Inbound, *, told: bool = False) -> routing.Facts:
    """What the routing table needs, read from the store before it is asked: the scope and
    owner of each of our reply tokens in the recipients, which plus addresses it was sent to,
    and whether the coordinator answers for it."""
    tokens = []
    for token in reply_tokens(message, app.settings.network.address):
        owner = app.store.token_owner(token)
        if owner:
            tokens.append(routing.Token(owner[0], owner[1]))
    address = app.settings.network.address
    tags = {routing.PLUS_JOIN: JOIN_TAG, routing.PLUS_INITIATIVE: app.settings.initiatives.plus_address}
    plus = {mark for mark, tag in tags.items() if plus_address(address, tag).lower() in message.recipients}
    return routing.Facts(tuple(tokens), frozenset(plus), meetings=bool(app.settings.meetings), told=told)


def decider(
    app: App,
    raw: RawMail,
    message: Inbound,
    seen: Classification,
    match: Match,
    state: Situation,
    now: datetime,
    source: MailSource | None = None,
    told: Told | None = None,
) -> Decide:
    """Which workflow decides: the routing table's answer on the gathered facts (the
    coordinator's word first, then a reply token's scope over everything a From could claim).
    The decision itself is taken inside the message's transaction."""
    found = routing.route(route_facts(app, message, told=told is not None), seen, message.reply_text)
    flow = routing.Workflow
    match found.workflow:
        case flow.AS_TOLD:
            assert told is not None  # the table's TOLD row holds only when the facts say so
            return lambda: _as_told(app, raw, message, seen, match, state, told, now)
        case flow.BOUNCE:
            decision = _bounce(app, raw.data)
            return lambda: decision
        case flow.IGNORED:
            return lambda: _ignored(seen)
        case flow.DIGEST_ANSWER:
            return lambda: answer_digest(app, source, message, found.about, found.owner, now)
        case flow.REFUSED:
            return lambda: Decision((Attention(found.reason),), f"{message.sender}: {found.reason}")
        case flow.UNSUBSCRIBE:
            # Leaving always works, also as a reply to a mail that carries some other token;
            # without proof that the address itself wrote, it is confirmed by mail first.
            proven = submissions.vouched_for(app, message)
            return lambda: commands.decide(message, seen, state, proven)
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
            return lambda: commands.decide(message, seen, state)
        case _:
            return lambda: _each_meeting(app, message, seen, match, state, now)


def _as_told(
    app: App,
    raw: RawMail,
    message: Inbound,
    seen: Classification,
    match: Match,
    state: Situation,
    told: Told,
    now: datetime,
) -> Decision:
    """What the coordinator said the message means, done by the workflow a reply saying so takes;
    an initiative gets its reference and attachments here, inside the transaction."""
    intake = submissions.intake_facts(app, raw, message, seen, now) if told.answer == "initiative" else None
    return dispatch(message, seen, match, state, told, intake)


# ---- the coordinator's word on a kept message ---------------------------------------------------


def settle(app: App, raw: bytes, item: AttentionItem, told: Told, now: datetime) -> Decision:
    """Inside the caller's transaction: the decision the coordinator's answer leads to, read
    exactly as a reply would be (same match, same state, same road through the table)."""
    message = parse_message(raw)
    seen, match, state = understand(app, message, now, told)
    whole = RawMail(f"attention:{item.number}", raw)  # as kept in the folder: nothing spooled
    decision = decider(app, whole, message, seen, match, state, now, told=told)()
    limit = app.settings.security.max_auto_replies_per_day
    return limit_answers(decision, answers_today(app, decision, now), limit)


def answer_digest(
    app: App, source: MailSource | None, message: Inbound, day: str, owner: str, now: datetime
) -> Decision:
    """Inside the message's transaction: a reply to the digest. Obeyed only from the
    coordinator's own address, carrying that digest's token, with nothing against the From
    from our trusted server; every item it settles is committed with its outbox rows here."""
    settings = app.settings
    coordinator = (settings.network.coordinator or "").lower()
    failed = authentication_failed(
        message.auth_results, settings.security.trusted_authserv_id, message.sender
    )
    sender = message.sender.lower()
    if failed or sender != owner.lower() or sender != coordinator:
        why = failed or f"digest token of {owner} used by {message.sender}"
        return Decision((Attention(why),), f"a reply to the digest refused: {why}")
    row = app.store.digest(day)
    listed = set(json.loads(str(row["items"]))) if row else set()
    lines = digest_flow.read_answers(message.reply_text)
    if not lines:
        return Decision(
            (Attention("a reply to the digest without #N lines"),), "kept the coordinator's reply"
        )
    items = {n: app.store.attention_item(n) for n in (line.number for line in lines)}
    wanted = [i.key for i in items.values() if i is not None and not i.resolved_at]
    raws = source.attention_mail(wanted) if source is not None and wanted else {}
    done: list[dict[str, object]] = []
    settled: list[ResolveAttention] = []
    for line in lines:
        item = items[line.number]
        result = _answer_line(app, line, item, listed, raws, owner, now)
        if isinstance(result, Decision):
            mine = [e for e in result.effects if isinstance(e, ResolveAttention)]
            app.store.apply(Decision(tuple(e for e in result.effects if e not in mine), ""), now, app.domain)
            settled += mine
            done.append(
                {"number": line.number, "word": line.word, "result": "done", "detail": result.summary}
            )
        else:
            done.append({"number": line.number, "word": line.word, **result})
    answer = digest_flow.answer_mail(
        owner, settings.network.default_language, message.key, message.message_id, done
    )
    summary = ", ".join(f"#{d['number']} {d['result']}" for d in done)
    return Decision((*settled, answer), f"digest answer from {owner}: {summary}")


def _answer_line(
    app: App,
    line: digest_flow.Line,
    item: AttentionItem | None,
    listed: set[int],
    raws: dict[str, bytes],
    owner: str,
    now: datetime,
) -> Decision | dict[str, str]:
    if not line.answer:
        return {"result": "unknown_word", "detail": line.word}
    if item is None or line.number not in listed:
        return {"result": "not_listed", "detail": ""}
    if item.resolved_at:
        return {"result": "already", "detail": f"{item.resolution}, {item.resolved_by}, {item.resolved_at}"}
    raw = raws.get(item.key)
    if raw is None:
        return {"result": "missing", "detail": ""}
    if line.meeting and app.settings.meeting(line.meeting) is None:
        return {"result": "not_done", "detail": f"no meeting {line.meeting}"}
    decision = settle(app, raw, item, Told(line.answer, owner, line.meeting, item.number, item.key), now)
    if decision.needs_attention:
        return {"result": "not_done", "detail": decision.reasons}
    return decision


# ---- the workflows the table names, given what they read ----------------------------------------


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
    language = _language_of(app, seen, email)
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
