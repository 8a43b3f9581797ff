"""`automation inspect`: how one message would be read (kind, meeting, reading), with no side effects."""

# Works without a config (classification only); with one, it also names the meeting, reading the
# register without writing to it.

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from automation import config as config_module
from automation.cli.common import Context
from automation.errors import ConfigError
from automation.model import Kind
from automation.parse.classify import classify
from automation.parse.message import parse_message


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def inspect(obj: Context, file: Path, as_json: bool) -> None:
    """Classify one message (FILE.eml) with no side effects."""
    result = describe(file.read_bytes(), obj)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            click.echo(f"{key:>10}: {value}")


def describe(raw: bytes, obj: Context) -> dict[str, Any]:
    message = parse_message(raw)
    try:
        settings = config_module.load(obj.config_path)
    except ConfigError:
        settings = None
    if settings is None:
        seen = classify(message, "")
        meeting, matched_by, answered = None, "no config: meeting not looked up", seen.answerable
    else:
        from automation.app import App
        from automation.facts import understand

        app = App.open(settings)
        try:
            now: datetime = obj.clock(settings)()
            seen, match, _ = understand(app, message, now)
        finally:
            app.close()
        meeting, matched_by, answered = match.meeting, match.by, seen.answerable
    result: dict[str, Any] = {
        "kind": str(seen.kind),
        "meeting": meeting,
        "sender": message.sender,
        "language": seen.language,
        "reason": seen.reason,
        "matched_by": matched_by,
        "answered": bool(answered and not seen.kind.is_machine),
        "subject": message.subject,
        "reply_text": message.reply_text[:500],
    }
    if seen.intent is not None:
        intent = seen.intent
        result["evidence"] = intent.evidence
        result["reading"] = {
            "lemma": intent.lemma,
            "negated": intent.negated,
            "mood": intent.mood,
            "hedge": intent.hedge,
            "questions": list(intent.questions),
        }
        # Why it was not taken as an answer (it is asked about instead); the questions passed on
        # to the coordinator; the people it brings, or (in a no) names to come instead.
        result["abstention"] = intent.abstained
        result["questions"] = list(intent.questions)
        result["other_meetings"] = list(intent.elsewhere)
        # A clear answer to another meeting the reply names: acted on when that meeting is open.
        result["other_answers"] = [
            {"meeting": when, "answer": str(kind), "evidence": said}
            for when, kind, said in intent.other_answers
        ]
        named = [{"name": name, "email": email} for name, email in intent.companions]
        standing_in = seen.kind == Kind.CANCELLATION
        result["companions"] = [] if standing_in else named
        result["standins"] = named if standing_in else []
        details = intent.details
        result["details"] = {
            "name": details.name,
            "organisation": details.organisation,
            "diet": details.diet,
            "attendance": details.attendance,
        }
    if message.calendar is not None:
        result["partstat"] = message.calendar.partstat
        result["attendee"] = message.calendar.attendee
        result["uid"] = message.calendar.uid
    if message.defects:
        result["defects"] = list(message.defects)
    return result
