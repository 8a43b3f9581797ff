"""Outgoing mail from templates: `templates/<lang>/<name>.subject.txt`, `.txt` and `.md`.

The text part is rendered from `.txt`; the HTML part from `.md` with every variable
HTML-escaped first (text from email can never become markup), then Markdown, then nh3 as a
last guard. Variables are values, never template source: nothing a person writes is evaluated.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import markdown
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateError
from markupsafe import Markup

from automation.model import Meeting
from automation.parse.classify import LOOP_HEADER
from automation.render.invites import Attendee, calendar_bytes

TEMPLATE_NAMES = (
    "invitation", "confirmation", "waitlisted", "promoted", "cancelled", "declined",
    "cancel_confirm", "registration_closed", "unclear", "open_meetings", "unsubscribed",
    "organiser_invitation", "meeting_updated", "meeting_cancelled",
    "deadline_reminder", "participant_list", "meeting_reminder", "waitlist_final", "thanks",
    "rule_two_meetings", "rotation",
    "initiative_received", "initiative_new", "initiative_status", "initiatives_reminder",
    "initiatives_digest", "summary", "data_confirm", "data_export", "data_erased", "undeliverable",
    "join_rules", "join_welcome", "rules_update", "feedback_request", "post_meeting_pack",
)  # fmt: skip
# The calendar event's own texts, one file each: event.summary.txt, event.description.txt.
EVENT_PARTS = ("event.summary.txt", "event.description.txt")
PARTS = ("subject.txt", "txt", "md")
# Building a Markdown converter costs more than converting one mail: build it once, reset it
# between mails (the daemon renders in one thread).
_MARKDOWN = markdown.Markdown(extensions=["sane_lists"])


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


@lru_cache(maxsize=8)
def environments(directory: str) -> tuple[Environment, Environment]:
    """(text, markdown) environments; compiled templates are cached by Jinja per environment."""
    loader = FileSystemLoader(directory)
    text = Environment(loader=loader, undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    md = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        finalize=_markdown_literal,
    )
    return text, md


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!#])")


def _markdown_literal(value: Any) -> Any:
    """A value put into a Markdown template is text, never Markdown: a reply's "[x](url)" must
    not become a link in our mail. Values marked safe (the coordinator's summary) pass."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    return value


def template_path(name: str, language: str, part: str) -> str:
    return f"{language}/{name}.{part}"


def render_parts(directory: Path, name: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of one template in one language. Raises jinja2 errors."""
    text_env, md_env = environments(str(directory))
    subject = text_env.get_template(template_path(name, language, "subject.txt")).render(context)
    subject = " ".join(subject.split())
    body = text_env.get_template(template_path(name, language, "txt")).render(context)
    safe = _html_body(md_env.get_template(template_path(name, language, "md")), context)
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{safe}\n</body></html>\n"
    )
    return subject, body, page


_NAME = "QQRECIPIENTNAMEQQ"  # letters only: survives escaping and Markdown unchanged


def _html_body(template: Template, context: dict[str, Any]) -> str:
    """Markdown → sanitised HTML. A mass mailing differs between recipients mostly by the name in
    the greeting, so the name is rendered as a placeholder, the conversion is cached, and the
    escaped name is put in afterwards: Markdown runs once per message kind, not per person."""
    recipient = context.get("recipient") or {}
    name = str(recipient.get("name") or "")
    if name:
        masked = template.render({**context, "recipient": {**recipient, "name": _NAME}})
        converted = _convert(str(masked))
        if _NAME in converted:
            return converted.replace(_NAME, html.escape(name))
    return _convert(str(template.render(context)))


@lru_cache(maxsize=512)
def _convert(source: str) -> str:
    rendered = _MARKDOWN.reset().convert(source)
    return str(nh3.clean(rendered, link_rel="noopener noreferrer"))


def build_message(out: Outgoing, directory: Path) -> EmailMessage:
    context = {
        **out.context,
        "language": out.language,
        "recipient": {"name": out.name, "email": out.recipient},
        "reply_address": out.reply_to or out.sender,
    }
    subject, text, page = render_parts(directory, out.template, out.language, context)
    msg = EmailMessage()
    msg["From"] = Address(display_name=_one_line(out.sender_name), addr_spec=out.sender)
    msg["To"] = Address(display_name=_one_line(out.name), addr_spec=out.recipient)
    if out.reply_to:
        msg["Reply-To"] = Address(display_name=_one_line(out.sender_name), addr_spec=out.reply_to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(out.date)
    msg["Message-ID"] = f"<{out.message_id}>"
    if out.in_reply_to:
        msg["In-Reply-To"] = f"<{out.in_reply_to}>"
        msg["References"] = f"<{out.in_reply_to}>"
    # RFC 3834: mark ourselves as automatic so other robots do not answer, and ask Exchange
    # not to send out-of-office replies (not "All": that would suppress bounces we need).
    msg["Auto-Submitted"] = out.auto_submitted
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    msg[LOOP_HEADER] = out.sender
    if out.unsubscribe:
        msg["List-Unsubscribe"] = f"<mailto:{out.unsubscribe}?subject=unsubscribe>"
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(page, subtype="html", cte="quoted-printable")
    if out.calendar_method and out.meeting is not None:
        attach_calendar(msg, out, directory, context)
    for attachment in out.attachments:
        msg.add_attachment(
            attachment["content"], subtype=attachment.get("subtype", "plain"), filename=attachment["filename"]
        )
    # After the body: set_content() drops every Content-* header set before it.
    msg["Content-Language"] = out.language
    return msg


def attach_calendar(msg: EmailMessage, out: Outgoing, directory: Path, context: dict[str, Any]) -> None:
    """The iMIP part as Thunderbird and Google send it (RFC 6047): text/calendar with method=
    inside the alternative (what Outlook reads) plus the same bytes as an invite.ics attachment
    (what some other clients read)."""
    assert out.meeting is not None
    text_env, _ = environments(str(directory))
    summary = text_env.get_template(f"{out.language}/event.summary.txt").render(context)
    description = text_env.get_template(f"{out.language}/event.description.txt").render(context)
    place = out.meeting.text("place", out.language)
    location = ", ".join(part for part in (place, out.meeting.address) if part)
    ics = calendar_bytes(
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
    )
    params = {"method": out.calendar_method, "charset": "UTF-8"}
    msg.add_alternative(ics, maintype="text", subtype="calendar", params=params, cte="base64")
    msg.add_attachment(ics, maintype="application", subtype="ics", filename="invite.ics")


def _one_line(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())[:200]


def check_templates(directory: Path, languages: list[str], sample: dict[str, Any]) -> list[str]:
    """Render every part of every template in every language with strict variables.

    One line per problem, naming the file (and line for syntax errors) and the fix.
    """
    problems = []
    text_env, md_env = environments(str(directory))
    context = {
        **sample,
        "recipient": {"name": "Maija", "email": "m@example.fi"},
        "reply_address": "verkosto+token@example.org",
    }
    files = [(name, part) for name in TEMPLATE_NAMES for part in PARTS]
    files += [("event", part.removeprefix("event.")) for part in EVENT_PARTS]
    for language in languages:
        for name, part in files:
            relative = template_path(name, language, part)
            if not (directory / relative).exists():
                problems.append(
                    f"{directory / relative}: missing; fix: create it (copy the fi version and translate)"
                )
                continue
            env = md_env if part == "md" else text_env
            try:
                env.get_template(relative).render({**context, "language": language})
            except TemplateError as exc:
                line = getattr(exc, "lineno", None)
                at = f"{directory / relative}:{line}" if line else str(directory / relative)
                detail = getattr(exc, "message", None) or str(exc)
                problems.append(f"{at}: {detail}; fix: use only the variables listed in templates/README.md")
    return problems
