"""`automation report`: the picture of participation for a year, for the network's first goal
(an up-to-date picture) and for evaluating its own work. Printed, and written as CSV and a small
HTML page with a chart (no JavaScript)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from automation.app import App
from automation.config import OrganisationSettings, Settings, ordered
from automation.model import Status, localised
from automation.render.formatting import short_date
from automation.workflows.feedback import summary as feedback_summary
from automation.workflows.organisations import Organisation, match, matcher


@dataclass
class Picture:
    year: int
    rows: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    by_organisation: list[dict[str, Any]] = field(default_factory=list)
    unknown_organisations: list[str] = field(default_factory=list)
    initiatives: dict[str, Any] = field(default_factory=dict)
    meetings_count: int = 0
    rule_held: bool = False


def _organisation(entry: OrganisationSettings, settings: Settings) -> Organisation:
    """Named in the network's first language; its names in the other languages match too."""
    names = ordered(entry.name, settings.network.languages)
    others = tuple(v for v in names.values() if v) if isinstance(names, dict) else ()
    return Organisation(
        localised(names, settings.network.default_language), entry.kind, (*others, *entry.aliases)
    )


def picture(app: App, year: int) -> Picture:
    settings = app.settings
    language = settings.network.default_language
    table = matcher(_organisation(o, settings) for o in settings.organisations)
    result = Picture(year)
    kinds: Counter[str] = Counter()
    organisations: Counter[tuple[str, str]] = Counter()
    unknown: set[str] = set()
    meetings = [m for m in settings.meeting_objects() if m.start.year == year and not m.cancelled]
    for meeting in sorted(meetings, key=lambda m: m.start):
        registrations = app.store.registrations(meeting.code)
        registered = [r for r in registrations if r.status == Status.REGISTERED]
        no_show = _no_shows(app, meeting.code)
        invited = app.store.db.execute(
            "SELECT COUNT(DISTINCT recipient) FROM outbox WHERE meeting = ? AND purpose = 'invite'",
            [meeting.code],
        ).fetchone()[0]
        scores = feedback_summary(app.store.feedback_rows(meeting.code))
        result.rows.append(
            {
                "code": meeting.code,
                "date": short_date(meeting.start, language),
                "invited": int(invited),
                "registered": len(registered),
                "attended": len(registered) - no_show,
                "no_show": no_show,
                "feedback_average": scores["average"],
                "feedback_answers": scores["answers"],
            }
        )
        for registration in registered:
            found = match(registration.organisation, table)
            if found is None:
                kinds["unknown"] += 1
                organisations[(registration.organisation or "?", "unknown")] += 1
                if registration.organisation:
                    unknown.add(registration.organisation)
            else:
                kinds[found.kind] += 1
                organisations[(found.name, found.kind)] += 1
    result.by_kind = [{"kind": k, "registered": n} for k, n in kinds.most_common()]
    result.by_organisation = [
        {"organisation": o, "kind": k, "registered": n} for (o, k), n in organisations.most_common()
    ]
    result.unknown_organisations = sorted(unknown)
    received = [i for i in app.store.initiatives() if i.created_at.startswith(str(year))]
    result.initiatives = {"received": len(received), "statuses": dict(Counter(i.status for i in received))}
    result.meetings_count = len(meetings)
    result.rule_held = len(meetings) >= 2
    return result


def _no_shows(app: App, code: str) -> int:
    row = app.store.db.execute(
        "SELECT COUNT(*) FROM registrations WHERE meeting = ? AND status = 'registered' AND no_show = 1",
        [code],
    ).fetchone()
    return int(row[0])


def as_text(p: Picture) -> str:
    lines = [
        f"Participation {p.year}: {p.meetings_count} meeting(s); two-meetings rule "
        f"{'held' if p.rule_held else 'NOT held'}"
    ]
    for row in p.rows:
        average = (
            f"{row['feedback_average']:.1f} ({row['feedback_answers']})" if row["feedback_average"] else "-"
        )
        lines.append(
            f"  {row['code']:<9} {row['date']:<11} invited {row['invited']:>4}  registered "
            f"{row['registered']:>4}  attended {row['attended']:>4}  feedback {average}"
        )
    lines.append("By kind: " + ", ".join(f"{k['kind']} {k['registered']}" for k in p.by_kind))
    for org in p.by_organisation:
        lines.append(f"  {org['organisation']} ({org['kind']}): {org['registered']}")
    if p.unknown_organisations:
        lines.append(
            "Unknown organisations (add them to [[organisations]]): " + ", ".join(p.unknown_organisations)
        )
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(p.initiatives["statuses"].items()))
    lines.append(
        f"Initiatives: {p.initiatives['received']} received" + (f" ({statuses})" if statuses else "")
    )
    return "\n".join(lines)


def as_csv(p: Picture) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer,
        fieldnames=[
            "code",
            "date",
            "invited",
            "registered",
            "attended",
            "no_show",
            "feedback_average",
            "feedback_answers",
        ],
    )
    writer.writeheader()
    writer.writerows(p.rows)
    return buffer.getvalue()


def write(app: App, p: Picture, output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    settings = app.settings
    language = settings.network.default_language
    env = Environment(
        loader=FileSystemLoader(str(settings.path(settings.templates.directory))),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
    )
    page = env.get_template(f"report/{language}/report.html").render(
        network={"name": settings.network.name_in(language)}, **vars(p)
    )
    csv_path = output / f"participation-{p.year}.csv"
    html_path = output / f"participation-{p.year}.html"
    csv_path.write_text(as_csv(p), encoding="utf-8")
    html_path.write_text(page, encoding="utf-8")
    return [csv_path, html_path]
