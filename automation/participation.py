"""`automation report`: the picture of participation for a year, for the network's first goal
(an up-to-date picture) and for evaluating its own work. Printed, and written as CSV and a small
HTML page with a chart (no JavaScript)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from automation.app import App
from automation.config import OrganisationSettings, Settings, ordered
from automation.i18n import _, column
from automation.model import Status, localised
from automation.render.formatting import short_date
from automation.spreadsheets import csv_text, write_xlsx
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
    meetings_count: int = 0  # held (ended) meetings of the year
    rule_held: bool = False
    # Meetings of the year not yet held: registrations so far, never attendance.
    planned: list[dict[str, Any]] = field(default_factory=list)


def _organisation(entry: OrganisationSettings, settings: Settings) -> Organisation:
    """Named in the network's first language; its names in the other languages match too."""
    names = ordered(entry.name, settings.network.languages)
    others = tuple(v for v in names.values() if v) if isinstance(names, dict) else ()
    return Organisation(
        localised(names, settings.network.default_language), entry.kind, (*others, *entry.aliases)
    )


def picture(app: App, year: int, now: datetime | None = None) -> Picture:
    """The year's figures as of `now`: attendance only for meetings that have ended."""
    settings = app.settings
    language = settings.network.default_language
    table = matcher(_organisation(o, settings) for o in settings.organisations)
    result = Picture(year)
    kinds: Counter[str] = Counter()
    organisations: Counter[tuple[str, str]] = Counter()
    unknown: set[str] = set()
    meetings = [m for m in settings.meeting_objects() if m.start.year == year and not m.cancelled]
    if now is not None:
        later = [m for m in meetings if m.end > now]
        result.planned = [
            {
                "code": m.code,
                "date": short_date(m.start, language),
                "registered": app.store.count(m.code, Status.REGISTERED),
            }
            for m in sorted(later, key=lambda m: m.start)
        ]
        meetings = [m for m in meetings if m.end <= now]
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
    rule = _("two-meetings rule held") if p.rule_held else _("two-meetings rule NOT held")
    lines = [
        _("Participation {year}: {count} meeting(s); {rule}").format(
            year=p.year, count=p.meetings_count, rule=rule
        )
    ]
    for row in p.rows:
        average = (
            f"{row['feedback_average']:.1f} ({row['feedback_answers']})" if row["feedback_average"] else "-"
        )
        lines.append(
            f"  {row['code']:<9} {row['date']:<11} "
            + _(
                "invited {invited:>4}  registered {registered:>4}  attended {attended:>4}  feedback {average}"
            ).format(**row, average=average)
        )
    for row in p.planned:
        lines.append(
            f"  {row['code']:<9} {row['date']:<11} "
            + _(
                "not yet held: {registered} registered so far (attendance is counted once it has been held)"
            ).format(**row)
        )
    if not p.rule_held and p.planned and p.meetings_count + len(p.planned) >= 2:
        lines.append("  " + _("the rule holds once the planned meetings are held"))
    lines.append(_("By kind:") + " " + ", ".join(f"{k['kind']} {k['registered']}" for k in p.by_kind))
    for org in p.by_organisation:
        lines.append(f"  {org['organisation']} ({org['kind']}): {org['registered']}")
    if p.unknown_organisations:
        lines.append(
            _("Unknown organisations (add them to [[organisations]]):")
            + " "
            + ", ".join(p.unknown_organisations)
        )
    statuses = ", ".join(f"{s} {n}" for s, n in sorted(p.initiatives["statuses"].items()))
    lines.append(
        _("Initiatives: {count} received").format(count=p.initiatives["received"])
        + (f" ({statuses})" if statuses else "")
    )
    return "\n".join(lines)


_ROW_KEYS = (
    "code",
    "date",
    "invited",
    "registered",
    "attended",
    "no_show",
    "feedback_average",
    "feedback_answers",
)


def _table(p: Picture) -> tuple[list[str], list[list[Any]]]:
    """The meetings as rows: held ones with attendance, planned ones with registrations only."""
    rows = [[row[k] for k in _ROW_KEYS] for row in p.rows]
    rows += [[row["code"], row["date"], None, row["registered"], None, None, None, None] for row in p.planned]
    return [column(k) for k in _ROW_KEYS], rows


def as_csv(p: Picture, language: str = "en") -> str:
    headers, rows = _table(p)
    return csv_text(headers, rows, language)


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
    xlsx_path = output / f"participation-{p.year}.xlsx"
    csv_path.write_text(as_csv(p, settings.network.coordinator_language), encoding="utf-8")
    html_path.write_text(page, encoding="utf-8")
    headers, rows = _table(p)
    organisations = [[o["organisation"], o["kind"], o["registered"]] for o in p.by_organisation]
    write_xlsx(
        xlsx_path,
        [
            (str(p.year), headers, rows),
            (
                _("Organisations"),
                [column("organisation"), column("kind"), column("registered")],
                organisations,
            ),
        ],
    )
    return [xlsx_path, csv_path, html_path]
