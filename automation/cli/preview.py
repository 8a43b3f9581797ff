"""`automation preview`: one message rendered with the real config and register, samples marked."""

# The meeting, the rotation's organisations in the recipient's language, the privacy link of
# [network] public_url and the initiatives on the agenda are real; sample data fills only what
# nothing real gives yet, and the preview says which parts are samples.

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from typing import Any

import click

from automation.app import App
from automation.cli.common import Context
from automation.config import Settings
from automation.errors import AutomationError
from automation.i18n import _
from automation.render.sample import sample_context

# Facts of the config: a preview shows them as they are, empty too (no sample privacy link).
_NEVER_SAMPLED = {"privacy_url", "site_url", "network", "language", "reply_address", "recipient"}
# Filled from the config's own meetings when there are any: not samples then.
_FROM_MEETINGS = {"meeting", "previous", "open_meetings", "upcoming", "past", "followup_meeting"}
_EMPTY: tuple[Any, ...] = (None, [], {}, "")


@click.command()
@click.argument("template")
@click.option("--meeting", "code", help="Meeting code whose data fills the template.")
@click.option("--lang", "language", default=None, help="fi, sv or en (default: the network's first).")
@click.option("--html", "as_html", is_flag=True, help="Print the HTML part instead of the text part.")
@click.option("--open", "open_browser", is_flag=True, help="Open the HTML part in a browser.")
@click.pass_obj
def preview(
    obj: Context, template: str, code: str | None, language: str | None, as_html: bool, open_browser: bool
) -> None:
    """Render one message (TEMPLATE, e.g. invitation) with real data, without sending it; parts
    that nothing real fills yet are sample data, and the last line says which."""
    from automation.outbox import outgoing
    from automation.render.emails import TEMPLATE_NAMES, render_parts

    settings = obj.settings()
    if template not in TEMPLATE_NAMES:
        raise AutomationError(f"no template {template!r}; known: {', '.join(TEMPLATE_NAMES)}")
    language = language or settings.network.default_language
    if language not in settings.network.languages:
        raise AutomationError(f"--lang {language}: not one of {', '.join(settings.network.languages)}")
    if code and settings.meeting(code) is None:
        raise AutomationError(f"no meeting {code!r} in {settings.source}")
    now = obj.clock(settings)()
    row = {
        "message_id": "preview@localhost",
        "template": template,
        "language": language,
        "recipient": "maija.meikalainen@example.fi",
        "name": "Maija Meikäläinen",
        "meeting": code or "",
        "reply_token": "0" * 32,
        "in_reply_to": "",
        "auto_submitted": "",
        "purpose": "preview",
        "calendar_method": "",
        "calendar_sequence": 0,
        "calendar_role": "",
        "context": json.dumps(
            _rotation(settings, now)
            | {"open_meetings": [code] if code else [], "upcoming": [code] if code else []}
        ),
    }
    app = App.open(settings)
    try:
        out = outgoing(row, settings, now, app.store)
    finally:
        app.close()
    real = {
        **out.context,
        "language": language,
        "reply_address": out.reply_to,
        "recipient": {"name": out.name, "email": out.recipient},
    }
    context, sampled = with_samples(real, settings, code, language)
    subject, text, page = render_parts(
        settings.path(settings.templates.directory), template, language, context
    )
    if open_browser:
        with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as handle:
            handle.write(page)
        click.launch(handle.name)
    click.echo(f"Subject: {subject}\n")
    click.echo(page if as_html else text)
    used = sorted(key for key in sampled if _mentions(template, key, settings))
    if used:
        click.echo("\n" + _("[sample data, nothing real yet: {names}]").format(names=", ".join(used)))


def _rotation(settings: Settings, now: datetime) -> dict[str, Any]:
    """The real rotation: the year about to begin, who hands over and who takes over (their
    organisation per language; the outbox names it in the recipient's)."""
    from automation.workflows.lifecycle import Responsible, responsible_for

    rotation = settings.rotation
    if not rotation.order:
        return {}
    order = [Responsible(e.organisation, e.name, e.email) for e in rotation.order]
    year, current, following = responsible_for(order, rotation.first_year, rotation.turn, now)
    side = lambda r: {"organisation": r.organisation, "name": r.name, "email": r.email}  # noqa: E731
    return {"year": year + 1, "outgoing": side(current), "incoming": side(following)}


def with_samples(
    context: dict[str, Any], settings: Settings, code: str | None, language: str
) -> tuple[dict[str, Any], set[str]]:
    """The context with what the register cannot give (no initiative yet, no counts, no earlier
    version of the meeting) filled in from the sample data `check` renders with, so every
    template can be previewed in every language; and the keys so filled."""
    from automation.render.formatting import meeting_context

    sample = sample_context(settings)
    meeting = settings.meeting(code) if code else None
    if meeting is not None:
        sample["meeting"] = sample["previous"] = meeting_context(meeting, language)
    filled: dict[str, Any] = {}
    sampled: set[str] = set()
    for key in {**sample, **context}:
        value = context.get(key)
        if value in _EMPTY and key not in _NEVER_SAMPLED and sample.get(key) not in _EMPTY:
            filled[key] = sample[key]
            if not (key in _FROM_MEETINGS and settings.meetings):
                sampled.add(key)
        else:
            filled[key] = value
    return filled, sampled


def _mentions(template: str, key: str, settings: Settings) -> bool:
    """Whether the template (in any language) uses `key`: only those samples are worth naming."""
    directory = settings.path(settings.templates.directory)
    for language in settings.network.languages:
        path = directory / language / f"{template}.md"
        if path.exists() and key in path.read_text(encoding="utf-8"):
            return True
    return False
