"""The message of one outbox row: its template context, read from the store when it is rendered."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from markupsafe import Markup

from automation.config import Settings, ordered
from automation.model import Initiative, Meeting, localised, plus_address
from automation.render.emails import Outgoing
from automation.render.followups import CARRIED, carried, item_context
from automation.render.formatting import meeting_context, received_date
from automation.store.db import Store
from automation.workflows.calendar import meeting_from_snapshot
from automation.workflows.lifecycle import Responsible, responsible_for


def outgoing(
    row: dict[str, Any],
    settings: Settings,
    now: datetime,
    store: Store | None = None,
    memo: dict[Any, Any] | None = None,
) -> Outgoing:
    """The message of one outbox row. `memo` (one per batch) keeps what mails of the batch
    share: a mass mailing builds its context (and reads the initiatives) once, not per person."""
    network = settings.network
    # Feedback mails carry their meeting behind a scope prefix (their reply token's scope).
    meeting_code = (row["meeting"] or "").removeprefix("feedback:")
    meeting = settings.meeting(meeting_code) if meeting_code else None
    language = row["language"] or network.default_language
    # Everything the context is made of, but the person: within one batch (one moment, one
    # store) equal keys mean equal contexts.
    batch_key = (row["template"], language, row["meeting"], row["context"])
    shared = memo.get(("context", batch_key)) if memo is not None else None
    if shared is None:
        shared = _context(row, settings, now, store, memo, meeting, language)
        if memo is not None:
            memo[("context", batch_key)] = shared
    context, attachments = shared
    reply_to = plus_address(network.address, row["reply_token"]) if row["reply_token"] else ""
    return Outgoing(
        message_id=row["message_id"],
        template=row["template"],
        language=language,
        recipient=row["recipient"],
        name=row["name"] or "",
        sender=network.address,
        sender_name=network.name_in(language),
        reply_to=reply_to,
        in_reply_to=row["in_reply_to"] or "",
        auto_submitted=row["auto_submitted"] or "auto-generated",
        unsubscribe=plus_address(network.address, "unsubscribe") if row["purpose"] == "invite" else "",
        date=now,
        context=context,
        meeting=meeting,
        calendar_method=row["calendar_method"],
        calendar_sequence=int(row["calendar_sequence"]),
        calendar_role=row["calendar_role"] or "REQ-PARTICIPANT",
        attachments=attachments,
        batch_key=batch_key,
    )


def _context(
    row: dict[str, Any],
    settings: Settings,
    now: datetime,
    store: Store | None,
    memo: dict[Any, Any] | None,
    meeting: Meeting | None,
    language: str,
) -> tuple[dict[str, Any], tuple[dict[str, str], ...]]:
    """The template context of a row (without the person) and its attached files."""
    network = settings.network
    context: dict[str, Any] = {
        "network": {
            "name": network.name_in(language),
            "address": network.address,
            "coordinator": network.coordinator or "",
        },
        "meeting": meeting_context(meeting, language) if meeting else None,
        "evidence": "",
        "diet": "",
        "organisation": "",
        "attendance": "",
        "already": False,
        "position": 0,
        "open_meetings": [],
        "previous": None,
        "changed": [],
        "via_calendar": False,
        "companions": [],
        "registered_by": "",
        "counts": {},
        "diets": [],
        "upcoming": [],
        "year": 0,
        "outgoing": None,
        "incoming": None,
        "initiative": None,
        "initiatives": [],
        "fresh": [],
        "agenda": [],
        "note": "",
        "attachments": [],
        "refused": [],
        "summary_text": "",
        "summary_markdown": "",
        "summary_language_fallback": False,
        "site_url": settings.network.public_url,
        "privacy_url": privacy_url(settings, language),
        "command": "",
        "summary": "",
        "addresses": [],
        "reason": "",
        "rules_version": settings.rules.version,
        "already_member": False,
        "reminder": False,
        "feedback": {"answers": 0, "average": None, "distribution": {}, "comments": []},
        "digest_kind": "",
        "digest_day": "",
        "items": [],
        "meetings": [],
        "failed": [],
        "waiting_initiatives": [],
        "done": [],
        "followups": [],
        "followup_meeting": None,
        "followup_changed": 0,
    }
    stored = json.loads(row["context"] or "{}")
    reference = stored.pop("initiative", None)
    fresh = stored.pop("fresh", [])
    codes = stored.pop("open_meetings", [])
    coming = stored.pop("upcoming", [])
    attachments = stored.pop("attach_files", [])
    previous = stored.pop("previous", None)
    followup_ids, about = stored.pop("followup_ids", []), stored.pop("about", "")
    context.update(stored)
    for side in ("outgoing", "incoming"):  # rotation: the organisations' names in this language
        if isinstance(context.get(side), dict):
            names = ordered(context[side].get("organisation", ""), settings.network.languages)
            context[side] = {**context[side], "organisation": localised(names, language)}
    context.update(_followups(store, settings, followup_ids, about, row["template"], meeting, language))
    if previous and meeting:
        context["previous"] = meeting_context(meeting_from_snapshot(meeting, previous), language)
    context["upcoming"] = [
        meeting_context(m, language) for code in coming if (m := settings.meeting(code)) is not None
    ]
    context["network"]["coordinator"] = coordinator_at(settings, now)
    key = ("initiatives", reference, row["meeting"] or "", tuple(fresh), row["template"], language)
    found = memo.get(key) if memo is not None else None
    if found is None:
        found = initiative_context(
            store, settings, reference, row["meeting"] or "", fresh, row["template"], language
        )
        if memo is not None:
            memo[key] = found
    context.update(found)
    context["open_meetings"] = [
        meeting_context(m, language) for code in codes if (m := settings.meeting(code)) is not None
    ]
    return context, tuple(attachments)


def _followups(
    store: Store | None,
    settings: Settings,
    ids: list[int],
    about: str,
    template: str,
    meeting: Meeting | None,
    language: str,
) -> dict[str, Any]:
    """Follow-up items read when the mail is rendered, so they show the current status: the
    items a mail to an owner is about, or what an invitation carries from earlier meetings."""
    if store is None:
        return {}
    meetings = {m.code: m for m in settings.meeting_objects()}
    if ids:
        rows = [row for number in ids if (row := store.followup(number)) is not None]
    elif template in CARRIED and meeting is not None:
        rows = carried(store.followups(), meetings, meeting)
    else:
        return {}
    found = meetings.get(about)
    return {
        "followups": [item_context(row, meetings, language, settings) for row in rows],
        "followup_meeting": meeting_context(found, language) if found else None,
    }


def privacy_url(settings: Settings, language: str) -> Markup | str:
    """The privacy notice on the public site in this language ("" without a public URL). From
    the config, so it is marked safe: Markdown must not escape the characters of a URL."""
    site = settings.network.public_url.rstrip("/")
    if not site:
        return ""
    prefix = "" if language == settings.network.default_language else f"{language}/"
    return Markup(f"{site}/{prefix}privacy.html")


def coordinator_at(settings: Settings, now: datetime) -> str:
    """Who people should contact: the organisation responsible this year, when a rotation is
    configured (its contact follows the turn of the year), else the configured coordinator."""
    rotation = settings.rotation
    if rotation.order:
        order = [Responsible(e.organisation, e.name, e.email) for e in rotation.order]
        return responsible_for(order, rotation.first_year, rotation.turn, now)[1].email
    return settings.network.coordinator or ""


_LISTS_ALL = {"initiatives_reminder"}


def initiative_context(
    store: Store | None,
    settings: Settings,
    reference: str | None,
    meeting: str,
    fresh: list[str],
    template: str = "",
    language: str = "",
) -> dict[str, Any]:
    """Initiative data is read when the mail is rendered, so it shows the current status."""
    language = language or settings.network.default_language
    if store is None:
        return {}
    site = settings.network.public_url.rstrip("/")

    def as_dict(item: Initiative) -> dict[str, Any]:
        return {
            "reference": item.reference,
            "title": item.title,
            "text": item.text,
            "status": item.status,
            "meeting": item.meeting,
            "submitter_name": item.submitter_name,
            "submitter_email": item.submitter_email,
            "created_at": item.created_at,
            "received": received_date(item.created_at, settings.network.zone, language),
            "url": f"{site}/initiatives.html#{item.reference}" if site else "",
            "attachments": store.attachments(item.reference),
        }

    # One query per mail; only the mails that list initiatives pay for reading their details.
    everything = store.initiatives(meeting) if meeting and template not in _LISTS_ALL else store.initiatives()
    result: dict[str, Any] = {}
    if template in _LISTS_ALL:
        result["initiatives"] = [as_dict(i) for i in everything if i.status in ("received", "preparation")]
    result["agenda"] = [
        as_dict(i) for i in everything if meeting and i.meeting == meeting and i.status == "agenda"
    ]
    result["fresh"] = [as_dict(i) for ref in fresh if (i := store.initiative(ref)) is not None]
    current = store.initiative(reference) if reference else None
    if current is not None:
        result["initiative"] = as_dict(current)
    return result
