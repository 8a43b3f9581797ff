"""Outgoing mail from templates: one Markdown file per message and language,
`templates/<lang>/<name>.md`, with the subject in its front matter (render/templatefile.py).

The HTML part is rendered from it with every variable HTML-escaped first (text from email can
never become markup), then Markdown, then nh3 as a last guard; the plain-text part is made from
that same HTML (render/plaintext.py), so the two parts cannot say different things. Variables
are values, never template source: nothing a person writes is evaluated.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from jinja2 import Environment, StrictUndefined, Template, TemplateNotFound, UndefinedError
from markupsafe import Markup

from automation.model import Meeting
from automation.parse.classify import LOOP_HEADER
from automation.render import markdown_html, mime, personal, templatefile
from automation.render.invites import Attendee, calendar_bytes
from automation.render.plaintext import html_to_text
from automation.render.template_errors import placeholder_error
from automation.render.translations import with_article

TEMPLATE_NAMES = (
    "invitation", "confirmation", "waitlisted", "promoted", "cancelled", "declined",
    "tentative", "onsite_only",
    "cancel_confirm", "registration_closed", "unclear", "open_meetings", "unsubscribed",
    "organiser_invitation", "meeting_updated", "meeting_cancelled",
    "deadline_reminder", "participant_list", "meeting_reminder", "waitlist_final", "thanks",
    "rule_two_meetings", "rotation",
    "initiative_received", "initiative_new", "initiative_status", "initiatives_reminder",
    "initiatives_digest", "summary", "summary_confirm", "data_confirm", "data_export", "data_erased",
    "undeliverable", "service_alert",
    "join_rules", "join_welcome", "rules_update", "feedback_request", "post_meeting_pack",
    "digest", "digest_answer",
    "followup_assigned", "followup_reminder", "followup_status",
)  # fmt: skip
# The calendar event's own texts, one file each: event.summary.txt, event.description.txt.
EVENT_PARTS = ("event.summary.txt", "event.description.txt")
# The end of every message we send (a link to the privacy notice): one Markdown source per
# language, added here so that no message template has to repeat it.
FOOTER = "_footer"


@dataclass(frozen=True)
class Outgoing:
    """Everything needed to build one message; produced from an outbox row."""

    message_id: str
    template: str
    language: str
    recipient: str
    name: str
    sender: str
    sender_name: str
    reply_to: str
    in_reply_to: str
    auto_submitted: str
    unsubscribe: str
    date: datetime
    context: dict[str, Any]
    meeting: Meeting | None = None
    calendar_method: str = ""
    calendar_sequence: int = 0
    calendar_role: str = "REQ-PARTICIPANT"
    attachments: tuple[dict[str, str], ...] = ()
    # Equal for mails of one batch whose contexts are equal but for the person (render_parts).
    batch_key: Hashable | None = None


@lru_cache(maxsize=8)
def environments(directory: str) -> tuple[Environment, Environment]:
    """(text, markdown) environments; compiled templates are cached by Jinja per environment."""
    loader = templatefile.GlancingLoader(directory)
    text = Environment(loader=loader, undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    md = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        finalize=markdown_html.finalize,
    )
    for environment in (text, md):
        environment.globals["mailto"] = mailto
        environment.filters["the"] = with_article  # "from the Association of Finnish Municipalities"
    return text, md


def mailto(address: str, subject: str, body: str) -> Markup:
    """A one-click answer: opens the person's mail client with a ready reply to their own reply
    address (the token), subject and body filled in. Every character outside an address is
    percent-encoded, so the link is the same text in Markdown, HTML and the plain-text part."""
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return Markup(f"mailto:{quote(address, safe='@+')}?{query}")


def render_parts(
    directory: Path,
    name: str,
    language: str,
    context: dict[str, Any],
    memo: dict[Any, Any] | None = None,
    key: Hashable | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) of one template in one language. Raises jinja2 errors.

    Mails of one batch with equal `key` have equal contexts but for the person: their parts
    are rendered once and kept in `memo` when the templates allow it (render/personal.py)."""
    try:
        return _render_parts(directory, name, language, context, memo, key)
    except UndefinedError as exc:
        # A mistyped placeholder: the file, the line and the placeholder meant.
        raise placeholder_error(exc, directory, context) from exc


def _render_parts(
    directory: Path,
    name: str,
    language: str,
    context: dict[str, Any],
    memo: dict[Any, Any] | None,
    key: Hashable | None,
) -> tuple[str, str, str]:
    text_env, md_env = environments(str(directory))
    subject_t = text_env.get_template(templatefile.subject_name(name, language))
    md_t = md_env.get_template(templatefile.body_name(name, language))
    parts = _once_per_batch(
        memo,
        key,
        context,
        [(text_env, subject_t), (md_env, md_t)],
        lambda masked: _render(language, subject_t, md_env, md_t, masked),
    )
    if parts is None:
        return _render(language, subject_t, md_env, md_t, context)
    person, address = _person(context), str(context.get("reply_address") or "")
    subject, text, page = parts
    return (
        personal.fill(subject, person, address),
        personal.fill(text, person, address),
        personal.fill_html(page, person, address),
    )


Rendered = TypeVar("Rendered")


def _once_per_batch(
    memo: dict[Any, Any] | None,
    key: Hashable | None,
    context: dict[str, Any],
    templates: list[tuple[Environment, Template]],
    render: Callable[[dict[str, Any]], Rendered],
) -> Rendered | None:
    """What `render` makes of the batch's context with the name placeholder, once per batch
    (kept in `memo`); None when the mail must be rendered for its person (render/personal.py)."""
    person = _person(context)
    if (
        memo is None
        or key is None
        or person != " ".join(person.split())  # as a subject's whitespace is collapsed
        or not personal.PLAIN_ADDRESS.fullmatch(str(context.get("reply_address") or "x@y"))
        or not all(personal.name_only(env, template) for env, template in templates)
    ):
        return None
    slot = (key, bool(person), tuple(template.name for _, template in templates))
    if slot not in memo:
        masked = {**context, "recipient": {"name": personal.NAME if person else "", "email": ""}}
        memo[slot] = render({**masked, "reply_address": personal.ADDRESS})
    found: Rendered = memo[slot]
    return found


def _person(context: dict[str, Any]) -> str:
    return str((context.get("recipient") or {}).get("name") or "")


def _render(
    language: str,
    subject_t: Template,
    md_env: Environment,
    md_t: Template,
    context: dict[str, Any],
) -> tuple[str, str, str]:
    subject = " ".join(subject_t.render(context).split())
    body, safe = _bodies(md_env, md_t, context)
    footer = _footer(md_env, language, context)
    if footer:
        # After the message's own signature block ("-- " …), in both parts.
        body = body.rstrip("\n") + "\n" + html_to_text(footer).strip() + "\n"
        safe = f"{safe}\n{footer}"
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{safe}\n</body></html>\n"
    )
    return subject, body, page


def _footer(md_env: Environment, language: str, context: dict[str, Any]) -> str:
    """The shared footer (`<lang>/_footer.md`) as HTML, or "" without one: a template directory
    without it sends without it (`automation check` names a language that lacks it)."""
    try:
        template = md_env.get_template(templatefile.body_name(FOOTER, language))
    except TemplateNotFound:
        return ""
    values = {"network": context.get("network") or {}, "privacy_url": context.get("privacy_url") or ""}
    return markdown_html.to_html(template, values).strip()


def _bodies(environment: Environment, template: Template, context: dict[str, Any]) -> tuple[str, str]:
    """(plain text, sanitised HTML) of the Markdown body. Mails differ between recipients mostly
    by the name in the greeting, so (where the template allows) the name is rendered as a
    placeholder, the conversions are cached, and the name is put in afterwards: Markdown runs
    once per message kind, not per person."""
    recipient = context.get("recipient") or {}
    name = str(recipient.get("name") or "")
    if name and personal.name_only(environment, template):
        masked = markdown_html.to_html(
            template, {**context, "recipient": {**recipient, "name": personal.NAME}}
        )
        return personal.fill(html_to_text(masked), name), personal.fill_html(masked, name)
    page = markdown_html.to_html(template, context)
    return html_to_text(page), page


def build_message(out: Outgoing, directory: Path, memo: dict[Any, Any] | None = None) -> bytes:
    """The message as it goes on the wire (see render/mime.py for why it is joined there).
    `memo`: one per batch, for what mails of the batch share (see render_parts)."""
    context = {
        **out.context,
        "language": out.language,
        "recipient": {"name": _one_line(out.name), "email": out.recipient},
        "reply_address": out.reply_to or out.sender,
    }
    subject, text, page = render_parts(directory, out.template, out.language, context, memo, out.batch_key)
    sender_name = _one_line(out.sender_name)
    headers = [
        mime.address_header("From", mime.address(sender_name, out.sender)),
        mime.address_header("To", mime.address(_one_line(out.name), out.recipient)),
    ]
    if out.reply_to:
        headers.append(mime.address_header("Reply-To", mime.address(sender_name, out.reply_to)))
    headers += [
        mime.header("Subject", subject),
        mime.header("Date", format_datetime(out.date)),
        mime.header("Message-ID", f"<{out.message_id}>"),
    ]
    if out.in_reply_to:
        headers.append(mime.header("In-Reply-To", f"<{out.in_reply_to}>"))
        headers.append(mime.header("References", f"<{out.in_reply_to}>"))
    # RFC 3834: mark ourselves as automatic so other robots do not answer, and ask Exchange
    # not to send out-of-office replies (not "All": that would suppress bounces we need).
    headers.append(mime.header("Auto-Submitted", out.auto_submitted))
    headers.append("X-Auto-Response-Suppress: OOF, AutoReply")
    headers.append(mime.header(LOOP_HEADER.title(), out.sender))  # X-Automation-Loop
    if out.unsubscribe:
        headers.append(mime.header("List-Unsubscribe", f"<mailto:{out.unsubscribe}?subject=unsubscribe>"))
    utf8 = (("charset", "utf-8"),)
    alternatives: list[mime.Leaf | mime.Multipart] = [
        mime.Leaf("text/plain", text.encode("utf-8"), params=utf8),
        mime.Leaf("text/html", page.encode("utf-8"), params=utf8),
    ]
    attached: list[mime.Leaf | mime.Multipart] = []
    if out.calendar_method and out.meeting is not None:
        ics = invitation_calendar(out, directory, context, memo)
        # The iMIP part as Thunderbird and Google send it (RFC 6047): text/calendar with method=
        # inside the alternative (what Outlook reads) plus the same bytes as an invite.ics
        # attachment (what some other clients read).
        params = (("charset", "UTF-8"), ("method", out.calendar_method))
        alternatives.append(mime.Leaf("text/calendar", ics, "base64", params))
        attached.append(mime.Leaf("application/ics", ics, "base64", filename="invite.ics"))
    for attachment in out.attachments:
        if "base64" in attachment:  # a binary file, e.g. the participant list as .xlsx
            content = base64.b64decode(attachment["base64"])
            attached.append(mime.Leaf(attachment["mime"], content, "base64", filename=attachment["filename"]))
            continue
        attached.append(
            mime.Leaf(
                f"text/{attachment.get('subtype', 'plain')}",
                attachment["content"].encode("utf-8"),
                "base64",
                utf8,
                filename=attachment["filename"],
            )
        )
    body: mime.Leaf | mime.Multipart = mime.Multipart("alternative", tuple(alternatives))
    if attached:
        body = mime.Multipart("mixed", (body, *attached))
    return mime.message_bytes(headers, body, out.message_id, [f"Content-Language: {out.language}"])


def invitation_calendar(
    out: Outgoing, directory: Path, context: dict[str, Any], memo: dict[Any, Any] | None = None
) -> bytes:
    """The VCALENDAR of one recipient's copy of the meeting."""
    assert out.meeting is not None
    text_env, _ = environments(str(directory))
    summary_t = text_env.get_template(f"{out.language}/event.summary.txt")
    description_t = text_env.get_template(f"{out.language}/event.description.txt")
    texts = _once_per_batch(
        memo,
        out.batch_key,
        context,
        [(text_env, summary_t), (text_env, description_t)],
        lambda masked: (summary_t.render(masked), description_t.render(masked)),
    )
    if texts is None:
        summary, description = summary_t.render(context), description_t.render(context)
    else:
        summary, description = (personal.fill(text, _person(context)) for text in texts)
    place = out.meeting.text("place", out.language)
    location = ", ".join(part for part in (place, out.meeting.text("address", out.language)) if part)
    return calendar_bytes(
        out.meeting,
        method=out.calendar_method,
        sequence=out.calendar_sequence,
        attendee=Attendee(out.recipient, _one_line(out.name), out.calendar_role, out.language),
        organizer=out.sender,
        organizer_name=_one_line(out.sender_name),
        summary=" ".join(summary.split()),
        description=description.strip(),
        location=location,
        stamp=out.date,
        domain=out.sender.partition("@")[2],
        memo=memo,
    )


def _one_line(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())[:200]
