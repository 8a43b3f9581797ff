"""The core commands: `check`, `run`, `invite`, `registrations`, `status`, `publish`, `plan`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import click

from automation import config as config_module
from automation import i18n
from automation.app import App, read_contacts
from automation.cli.common import Context, parse_now, reader_note
from automation.config import Settings, ordered
from automation.errors import AutomationError, ConfigError
from automation.model import Status
from automation.render.sample import sample_variants
from automation.render.template_check import check_templates


@click.command()
@click.option(
    "--connect",
    is_flag=True,
    help="Also log in to the mailbox and the SMTP server as configured (creates and sends nothing).",
)
@click.pass_obj
def check(obj: Context, connect: bool) -> None:
    """Validate the config, the contact list and every template in every language."""
    settings = obj.settings()
    problems: list[str] = []
    try:
        contacts = read_contacts(settings.path(settings.contacts.file), list(settings.network.languages))
    except ConfigError as exc:
        problems.extend(exc.problems)
        contacts = []
    except AutomationError as exc:
        problems.append(str(exc))
        contacts = []
    labels: list[tuple[Any, Literal["mailbox", "sending", "alerts"]]] = [
        (settings.mailbox, "mailbox"),
        (settings.sending, "sending"),
    ]
    if settings.alerts is not None:
        labels.append((settings.alerts, "alerts"))
    for section, label in labels:
        uses_server = section.kind in ("imap", "smtp")
        if uses_server:
            try:
                if section.oauth2 is not None:
                    from automation.app import oauth_login

                    shared = label != "mailbox" and section.oauth2 == settings.mailbox.oauth2
                    if not shared:  # `oauth2 = "mailbox"`: its problems are the mailbox's
                        oauth_login(settings, label, {})  # reads the secret; asks no server yet
                else:
                    config_module.resolve_password(section, label, settings.source.parent)
            except ConfigError as exc:
                problems.extend(f"{settings.source}: {p}" for p in exc.problems)
    problems.extend(
        check_templates(
            settings.path(settings.templates.directory),
            list(settings.network.languages),
            sample_variants(settings),
        )
    )
    problems.extend(config_module.publication_problems(settings))
    problems.extend(check_site(settings))
    problems.extend(check_report(settings))
    servers_ok: list[str] = []
    if connect:
        from automation.connect import check_connections

        found = check_connections(settings)
        servers_ok, problems = found.ok, problems + found.problems
    if problems:
        for line in servers_ok:
            click.echo(line)  # true whatever else fails: say which server is fine
        raise ConfigError(problems)
    click.echo(
        f"ok: {settings.source}: {len(settings.meetings)} meeting(s), {len(contacts)}"
        f" contact(s), templates valid in {', '.join(settings.network.languages)}"
    )
    for line in servers_ok:
        click.echo(line)
    note = reader_note(settings.network.languages)
    if note:
        click.echo(note)


def _progress(done: int, total: int) -> None:
    """Sending to hundreds of people: show how far it got, on the terminal only."""
    end = "\n" if done >= total else ""
    click.echo(f"\rsending {done}/{total}", nl=False, err=True)
    if end:
        click.echo("", err=True)


def check_report(settings: Settings) -> list[str]:
    """Render the participation report page once with sample figures."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, select_autoescape

    from automation.participation import Picture

    sample = Picture(
        2024,
        rows=[
            {
                "code": "2024-03",
                "date": "12.3.2024",
                "invited": 10,
                "registered": 5,
                "attended": 4,
                "no_show": 1,
                "feedback_average": 4.2,
                "feedback_answers": 3,
            }
        ],
        by_kind=[{"kind": "national", "registered": 5}],
        by_organisation=[{"organisation": "OPH", "kind": "national", "registered": 5}],
        unknown_organisations=["X"],
        initiatives={"received": 1, "statuses": {"agenda": 1}},
        meetings_count=1,
        rule_held=False,
    )
    env = Environment(
        loader=FileSystemLoader(str(settings.path(settings.templates.directory))),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html"]),
    )
    name = f"report/{settings.network.default_language}/report.html"
    try:
        env.get_template(name).render(
            network={"name": settings.network.name_in(settings.network.default_language)}, **vars(sample)
        )
    except TemplateError as exc:
        return [f"{settings.path(settings.templates.directory) / name}: {exc}; fix: see templates/README.md"]
    return []


def check_site(settings: Settings) -> list[str]:
    """Render the public archive's templates once with sample data, in a throwaway directory."""
    import tempfile

    from jinja2 import TemplateError

    from automation.model import HistoryEntry, PublicInitiative, PublicSummary, SiteData
    from automation.render.archive import write_site

    meetings = tuple(settings.meeting_objects())
    sample = SiteData(
        network_name=ordered(settings.network.name, settings.network.languages),
        network_address=settings.network.address,
        languages=tuple(settings.network.languages),
        meetings=meetings,
        initiatives=(
            PublicInitiative(
                "ALOITE-2024-001",
                "Otsikko",
                "Teksti",
                "agenda",
                meetings[0].code if meetings else "",
                "",
                "2024-01-01T00:00:00+02:00",
                (HistoryEntry("2024-01-01T00:00:00+02:00", "received"),),
                ("a.pdf",),
            ),
        ),
        summaries=tuple(
            PublicSummary(m.code, settings.network.default_language, "# Otsikko", "2024-01-01T00:00:00+00:00")
            for m in meetings[:1]
        ),
        now=datetime.now(settings.network.zone),
    )
    with tempfile.TemporaryDirectory() as scratch:
        try:
            write_site(sample, settings.path(settings.templates.directory), Path(scratch))
        except TemplateError as exc:
            where = getattr(exc, "filename", None) or "templates/site"
            return [f"{where}: {getattr(exc, 'message', None) or exc}; fix: see templates/README.md"]
    return []


@click.command()
@click.option("--once", is_flag=True, help="Do one full pass (poll, lifecycle jobs, outbox) and exit.")
@click.pass_obj
def run(obj: Context, once: bool) -> None:
    """Run the daemon (or one pass of it with --once)."""
    from automation.daemon import Daemon
    from automation.outbox import release_sending
    from automation.report import print_pass

    settings = obj.settings()
    app = App.open(settings)
    try:
        daemon = Daemon(app, obj.clock(settings))
        if sys.stderr.isatty():
            daemon.progress = _progress
        note = reader_note(settings.network.languages)
        if note:
            logging.getLogger("automation").warning(note)
        if once:
            report = daemon.run_once()
            print_pass(report, app, daemon)
            release_sending(app.store, daemon.holder)
            if note:
                click.echo(note)
        else:
            daemon.run_forever()
    finally:
        app.close()
    if once and (report.mailbox_unreachable or report.flushed.unreachable or report.flushed.paused):
        # The pass could not read mail, or mail was due and the SMTP server could not be reached
        # or refused our login or sender: exit 0 would be a false green for cron and monitors.
        sys.exit(1)


@click.command()
@click.argument("code")
@click.pass_obj
def invite(obj: Context, code: str) -> None:
    """Queue the invitation to CODE for every contact who has not had it."""
    from automation.jobs import queue_invitations
    from automation.service import sync_contacts

    settings = obj.settings()
    app = App.open(settings)
    try:
        now = obj.clock(settings)()
        sync_contacts(app, now)
        count = queue_invitations(app, code, now)
    finally:
        app.close()
    click.echo(
        i18n._(
            "queued {count} invitation(s) to {code}; the next pass sends them (automation run --once)"
        ).format(count=count, code=code)
    )


@click.command()
@click.argument("code")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (xlsx: default registrations-CODE.xlsx here).",
)
@click.pass_obj
def registrations(obj: Context, code: str, fmt: str, output: Path | None) -> None:
    """The registrations of meeting CODE, as JSON, CSV (as Excel in the coordinator's locale
    reads it: ; and a BOM in fi and sv, headers and statuses in their language) or .xlsx."""
    from automation.spreadsheets import csv_text, write_xlsx

    settings = obj.settings()
    if settings.meeting(code) is None:
        raise AutomationError(f"no meeting {code!r} in {settings.source}")
    app = App.open(settings)
    try:
        rows = [_registration_row(r) for r in app.store.registrations(code)]
    finally:
        app.close()
    if fmt == "json":
        _emit(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", output)
        return
    headers = [i18n.column(name) for name in _REGISTRATION_FIELDS]
    table = [[_shown_value(row, name) for name in _REGISTRATION_FIELDS] for row in rows]
    if fmt == "csv":
        language = settings.network.coordinator_language
        if language == "en":  # the contract's field names and values, as scripts read them
            headers = list(_REGISTRATION_FIELDS)
            table = [[_csv_value(row, name) for name in _REGISTRATION_FIELDS] for row in rows]
        _emit(csv_text(headers, table, language), output)
        return
    path = write_xlsx(output or Path(f"registrations-{code}.xlsx"), [(code, headers, table)])
    click.echo(i18n._("wrote {path}").format(path=path))


def _shown_value(row: dict[str, Any], name: str) -> Any:
    """A register value as the coordinator reads it: statuses and attendance in their language."""

    value = row[name]
    if name == "status":
        return i18n.status_name(value)
    if name == "attendance" and value in i18n.ATTENDANCE:
        return i18n._(i18n.ATTENDANCE[value])
    return _csv_value(row, name)


def _csv_value(row: dict[str, Any], name: str) -> Any:
    return "; ".join(row[name]) if name == "companions" else row[name]


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(i18n._("wrote {path}").format(path=output), err=True)


_REGISTRATION_FIELDS = (
    "email",
    "name",
    "organisation",
    "language",
    "status",
    "diet",
    "attendance",
    "position",
    "updated_at",
    "companions",  # named without an address: JSON a list, CSV "A; B"
)


def _registration_row(reg: Any) -> dict[str, Any]:
    row = {name: getattr(reg, name) for name in _REGISTRATION_FIELDS}
    row["status"] = str(row["status"])
    row["companions"] = list(reg.companions)
    if reg.status != Status.WAITING:
        row["position"] = None
    return row


@click.command()
@click.pass_obj
def status(obj: Context) -> None:
    """Meetings with their counts, the outbox queue and messages needing attention."""
    from automation.report import print_status

    settings = obj.settings()
    app = App.open(settings)
    try:
        healthy = print_status(app, obj.clock(settings)())
        reachable = _mailbox_reachable(app)
    finally:
        app.close()
    if not (healthy and reachable):
        sys.exit(1)


def _mailbox_reachable(app: App) -> bool:
    """Connect to the mailbox once, as the daemon would; say so when it cannot."""
    from automation.errors import TransientError

    source = app.source()
    try:
        # Connects and selects the folder as a poll does; reads nothing and marks nothing.
        next(iter(source.fetch_new(2**31, 0)), None)
        click.echo(i18n._("Mailbox: {mailbox} reachable").format(mailbox=source.describe()))
        return True
    except (TransientError, ConfigError) as exc:
        click.echo(i18n._("MAILBOX UNREACHABLE: {error}").format(error=exc))
        return False
    finally:
        source.close()


@click.command()
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write (default: [publish] directory in the config).",
)
@click.pass_obj
def publish(obj: Context, output: Path | None) -> None:
    """Write the public static files: index.html and the meetings.ics calendar feed."""
    from automation.publish import publish as write_site

    settings = obj.settings()
    target = output or settings.path(settings.publish.directory)
    app = App.open(settings)
    try:
        written = write_site(app, target, obj.clock(settings)())
    finally:
        app.close()
    for path in written:
        click.echo(i18n._("wrote {path}").format(path=path))


@click.command()
@click.option("--until", "until_text", metavar="DATE", help="Last day to include (default: 60 days ahead).")
@click.pass_obj
def plan(obj: Context, until_text: str | None) -> None:
    """Every mail the daemon would send until DATE: time, kind, meeting, recipients, languages."""
    from automation.plan import plan as make_plan

    settings = obj.settings()
    now = obj.clock(settings)()
    until = parse_now(until_text, settings.network.zone) if until_text else now + timedelta(days=60)
    if until_text and len(until_text) <= 10:
        until = until.replace(hour=23, minute=59, second=59)
    app = App.open(settings)
    try:
        rows = make_plan(app, now, until)
    finally:
        app.close()
    click.echo(
        i18n._("Mail the daemon would send from {start} until {end} (nothing is sent):").format(
            start=f"{now:%d.%m.%Y %H:%M}", end=f"{until:%d.%m.%Y}"
        )
    )
    if not rows:
        click.echo(i18n._("  nothing"))
    for row in rows:
        people = i18n.n_("{count} recipient(s)", "{count} recipient(s)", row.recipients)
        click.echo(
            f"  {row.when:%d.%m.%Y %H:%M}  {row.what:<28} {row.meeting:<10} "
            f"{people.format(count=f'{row.recipients:>4}')}  {row.languages}"
        )
