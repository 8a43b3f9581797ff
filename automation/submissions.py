"""The shell around initiatives and summaries sent by email: tokens, references, files.

The routing table (workflows/routing.py) says whether a message is a submission; `decider` then
returns the function to call INSIDE the message's transaction (a reference number is allocated
there, so a crash never skips or reuses one) that returns the Decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from automation.app import App
from automation.facts import organisers, owners
from automation.inbox.base import RawMail
from automation.model import Attention, Classification, Decision, Inbound, Kind, SendMail
from automation.parse.attachments import Kept, extract
from automation.parse.intent import bare_no
from automation.parse.submission_text import read_summary
from automation.workflows import followups
from automation.workflows import initiatives as flow
from automation.workflows.dispatch import Intake, initiative
from automation.workflows.guard import authenticated, authentication_failed
from automation.workflows.matching import reply_tokens, upcoming_meetings
from automation.workflows.routing import Route, Workflow
from automation.workflows.summaries import SUMMARY_SCOPE, summary_target

Decide = Callable[[], Decision]
_REFERENCE = re.compile(r"\b([A-Z]{2,12}-\d{4}-\d{3})\b")


def decider(
    app: App, raw: RawMail, message: Inbound, seen: Classification, found: Route, now: datetime
) -> Decide:
    """The function that decides a submission the routing table sent here."""
    if found.workflow == Workflow.SUMMARY_CONFIRMED:
        return lambda: _summary_confirmed(app, message, seen, found.about, found.owner)
    if found.workflow == Workflow.FOLLOWUP_REPLY:
        return lambda: _followup_reply(app, message, found.about, found.owner)
    if found.workflow == Workflow.INITIATIVE_ACT:
        return lambda: _act(app, message, (found.scope, found.owner), now)
    if found.workflow == Workflow.INITIATIVE_INTAKE:
        return lambda: _intake(app, raw, message, seen, now)
    if found.workflow == Workflow.SUMMARY:
        return lambda: _summary(app, raw, message, seen, now)
    raise ValueError(f"not a submission: {found.workflow}")


def _followup_reply(app: App, message: Inbound, about: str, email: str) -> Decision:
    """A reply through a follow-up mail's token: its owner (as configured now) may act."""
    group = {o.email: o for o in owners(app.settings)}
    owner = group.get(email)
    if owner is None:
        reason = f"follow-up reply through the token of {email}, who is no longer in [[organisers]]"
        return Decision((Attention(reason),), f"{message.sender}: {reason}")
    action = followups.read_action(message.reply_text)
    return followups.act(message, owner, about, action, app.store.followups())


def _act(app: App, message: Inbound, scoped: tuple[str, str], now: datetime) -> Decision:
    scope, member = scoped
    reference = flow.reference_of_scope(scope)
    if reference == "digest" or reference is None:
        # A reply to a daily digest must name the initiative it acts on.
        named = _REFERENCE.search(message.reply_text)
        reference = named.group(1) if named else None
    initiative = app.store.initiative(reference) if reference else None
    if initiative is None:
        return Decision(
            (Attention("reply to an initiative notification names no known initiative"),),
            f"kept {message.sender}'s initiative reply for the coordinator",
        )
    if message.sender != member:
        # The token belongs to `member`; another From means a forwarded or forged reply.
        return Decision(
            (Attention(f"initiative token of {member} used by {message.sender}"),),
            f"refused an action on {reference} from {message.sender}",
        )
    codes = [m.code for m in app.settings.meeting_objects()]
    return flow.act(message, initiative, member, organisers(app), codes)


def _intake(app: App, raw: RawMail, message: Inbound, seen: Classification, now: datetime) -> Decision:
    return initiative(message, intake_facts(app, raw, message, seen, now), now)


def intake_facts(app: App, raw: RawMail, message: Inbound, seen: Classification, now: datetime) -> Intake:
    """Inside the message's transaction: a reference that is never reused, the attachments
    kept (saved) or refused, and who is told."""
    settings = app.settings
    reference = app.store.allocate_reference(settings.initiatives.reference_prefix, now.year)
    kept, refused = extract(raw.data, settings.initiatives.max_attachment_kb * 1024, raw.spool)
    _save(app, reference, kept)
    language = seen.language or _contact_language(app, message.sender) or settings.network.default_language
    group = organisers(app) if settings.initiatives.notify == "each" else []
    return Intake(
        reference,
        language,
        tuple(group),
        tuple(k.filename for k in kept),
        tuple(refused),
        tuple(open_meeting_codes(app, now)),
    )


def _save(app: App, reference: str, kept: list[Kept]) -> None:
    if not kept:
        return
    folder = app.settings.path(app.settings.initiatives.attachments) / reference
    folder.mkdir(parents=True, exist_ok=True)
    for item in kept:
        path = folder / item.filename
        path.write_bytes(item.data)
        app.store.add_attachment(reference, item.filename, item.content_type, len(item.data), str(path))


def _contact_language(app: App, email: str) -> str:
    row = app.store.contact(email)
    return str(row["language"]) if row and row["language"] else ""


def _summary(app: App, raw: RawMail, message: Inbound, seen: Classification, now: datetime) -> Decision:
    """A summary by email from the coordinator or a member of the preparatory group is written
    where the coordinator's own summary files live; the summary job sends it when it is due."""
    settings = app.settings
    allowed = {p.email for p in organisers(app)} | {settings.network.coordinator or ""}
    if message.sender not in allowed:
        return Decision(
            (Attention(f"summary from {message.sender}, who is not an organiser"),),
            f"kept a summary from {message.sender} for the coordinator",
        )
    unproven = _unproven(app, message)
    if unproven:
        # A summary goes to everyone and onto the public site: a From alone (the coordinator's
        # address is on every "registration closed" answer) must never be enough. The file is
        # written here, outside the decision's effects, so the forgery guard would not catch it.
        return Decision(
            (Attention(f"summary by mail not saved: {unproven}"),),
            f"kept a summary from {message.sender} for the coordinator ({unproven})",
        )
    meetings = settings.meeting_objects()
    past = [m for m in meetings if m.start <= now]
    code = summary_target(message.subject, [m.code for m in meetings], [m.code for m in past])
    if code is None:
        return Decision((Attention("summary names no meeting"),), "kept a summary naming no meeting")
    kept, _ = extract(raw.data, 1024 * 1024, raw.spool)
    markdown = next((k.data.decode() for k in kept if k.filename.lower().endswith(".md")), message.reply_text)
    language = seen.language or settings.network.default_language
    coordinator = settings.network.coordinator
    if not coordinator:
        return Decision(
            (Attention("summary by mail, but no coordinator to confirm it"),),
            f"kept a summary of {code} from {message.sender} for the coordinator",
        )
    # Being a mass mailing, it waits beside the live files until the coordinator confirms it
    # through the token of the mail below (the summary job and the site read only live files).
    pending = _pending_path(app, code, language)
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_text(f"---\nsource: email from {message.sender}\n---\n{markdown}\n", encoding="utf-8")
    ask = SendMail(
        template="summary_confirm",
        recipient=coordinator,
        name="",
        language=settings.network.default_language,
        purpose="summary-confirm",
        meeting=f"{SUMMARY_SCOPE}{code}:{language}",
        revision=message.key,
        auto_submitted="auto-generated",
        context={
            "summary_meeting": code,
            "summary_language": language,
            "summary_sender": message.sender,
            "summary_text": markdown,
        },
    )
    return Decision(
        (ask,), f"asked {coordinator} to confirm the summary of {code} ({language}) from {message.sender}"
    )


def _summary_confirmed(app: App, message: Inbound, seen: Classification, scope: str, owner: str) -> Decision:
    """The coordinator's answer to "confirm this summary": only a yes from the token's own
    address, with nothing against it from our server, makes the summary live."""
    code, _, language = scope.partition(":")
    unproven = _unproven(app, message)
    if message.sender.lower() != owner.lower() or unproven:
        why = unproven or f"summary confirmation token of {owner} used by {message.sender}"
        return Decision((Attention(why),), f"summary of {code} not confirmed: {why}")
    pending = _pending_path(app, code, language)
    if not pending.exists():
        return Decision((), f"the summary of {code} ({language}) was already handled; nothing done")
    if seen.kind == Kind.CANCELLATION or bare_no(message.reply_text):
        pending.unlink()
        return Decision((), f"{owner} did not confirm the summary of {code}; discarded")
    if seen.kind not in (Kind.REGISTRATION, Kind.COMMAND):
        return Decision(
            (Attention(f"unclear answer to the summary confirmation of {code}"),),
            f"kept {owner}'s answer about the summary of {code} for the coordinator",
        )
    settings = app.settings
    suffix = "" if language == settings.network.default_language else f".{language}"
    path: Path = settings.path(settings.summaries.directory) / f"{code}{suffix}.md"
    version = _version(path) if path.exists() else 1
    meta, markdown = read_summary(pending.read_text(encoding="utf-8"))
    source = meta.get("source", "email")
    path.write_text(
        f"---\nversion: {version}\nsource: {source}, confirmed by {owner}\n---\n{markdown}\n",
        encoding="utf-8",
    )
    pending.unlink()
    return Decision((), f"summary of {code} ({language}) confirmed by {owner}, saved to {path.name}")


def _pending_path(app: App, code: str, language: str) -> Path:
    return app.settings.path(app.settings.summaries.directory) / "pending" / f"{code}.{language}.md"


def vouched_for(app: App, message: Inbound) -> bool:
    """The sender's own address wrote: a reply token of ours for that very address (from a
    mail we sent them), or a DMARC / aligned DKIM pass from our trusted server."""
    for token in reply_tokens(message, app.settings.network.address):
        owner = app.store.token_owner(token)
        if owner and owner[1].lower() == message.sender.lower():
            return True
    trusted = app.settings.security.trusted_authserv_id
    return authenticated(message.auth_results, trusted, message.sender)


def _unproven(app: App, message: Inbound) -> str:
    """Why the mail does not prove it comes from its sender, or "" when it does."""
    trusted = app.settings.security.trusted_authserv_id
    failed = authentication_failed(message.auth_results, trusted, message.sender)
    if failed:
        return failed  # a token does not outweigh our own server saying the From is forged
    if vouched_for(app, message):
        return ""
    return "no reply token of the sender and no aligned DKIM pass from the trusted server"


def _version(path: Path) -> int:
    found = re.search(r"^version:\s*(\d+)", path.read_text(encoding="utf-8"), re.M)
    return int(found.group(1)) if found else 1


def open_meeting_codes(app: App, now: datetime) -> list[str]:
    return [m.code for m in upcoming_meetings(app.settings.meeting_objects(), now)]
