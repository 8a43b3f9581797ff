"""Administration commands: initiatives, rules, attendance, the outbox and the participation report."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from automation.app import App
from automation.cli.common import Context
from automation.errors import AutomationError
from automation.i18n import _


@click.group()
def initiatives() -> None:
    """Initiatives: list them, show one, set a status (the submitter is told)."""


@initiatives.command("list")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.pass_obj
def initiatives_list(obj: Context, fmt: str) -> None:
    """Every initiative with its reference, title, status, submitter and meeting."""
    settings = obj.settings()
    app = App.open(settings)
    try:
        rows = [
            {
                "reference": i.reference,
                "title": i.title,
                "status": i.status,
                "submitter": i.submitter_email,
                "submitter_name": i.submitter_name,
                "meeting": i.meeting or None,
                "created_at": i.created_at,
            }
            for i in app.store.initiatives()
        ]
    finally:
        app.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['reference']:<17} {row['status']:<12} {row['meeting'] or '-':<9} {row['title']}")


@initiatives.command("show")
@click.argument("reference")
@click.pass_obj
def initiatives_show(obj: Context, reference: str) -> None:
    """One initiative: text, attachments and history."""
    settings = obj.settings()
    app = App.open(settings)
    try:
        item = app.store.initiative(reference)
        if item is None:
            raise AutomationError(f"no initiative {reference!r}; see: automation initiatives list")
        history = app.store.initiative_history(reference)
        attachments = app.store.attachments(reference)
    finally:
        app.close()
    on = f" ({item.meeting})" if item.meeting else ""
    click.echo(f"{item.reference}: {item.title}\nstatus: {item.status}{on}")
    click.echo(f"from: {item.submitter_name} <{item.submitter_email}>, {item.created_at}")
    if attachments:
        click.echo("attachments: " + ", ".join(attachments))
    click.echo("\n" + item.text + "\n")
    for event in history:
        where = event["meeting"] or ""
        click.echo(f"  {event['at']}  {event['status']:<12} {where:<9} {event['actor']}  {event['note']}")


@initiatives.command("set")
@click.argument("reference")
@click.argument("status", type=click.Choice(["received", "preparation", "agenda", "rejected", "resolved"]))
@click.option("--meeting", "code", help="The meeting whose agenda it goes on (with status agenda).")
@click.option("--note", default="", help="The reason or outcome, told to the submitter.")
@click.pass_obj
def initiatives_set(obj: Context, reference: str, status: str, code: str | None, note: str) -> None:
    """Set the STATUS of initiative REFERENCE; the submitter gets an email."""
    from automation.model import Decision, SetInitiativeStatus
    from automation.workflows.initiatives import status_mails

    settings = obj.settings()
    if status == "agenda" and (not code or settings.meeting(code) is None):
        raise AutomationError("status agenda needs --meeting CODE of a meeting in the config")
    app = App.open(settings)
    try:
        item = app.store.initiative(reference)
        if item is None:
            raise AutomationError(f"no initiative {reference!r}; see: automation initiatives list")
        now = obj.clock(settings)()
        change = SetInitiativeStatus(reference, status, code or "", note, "coordinator (command line)")
        decision = Decision((*status_mails(item, change, now.isoformat()), change), "set")
        with app.store.transaction():
            app.store.apply(decision, now, app.domain)
    finally:
        app.close()
    click.echo(
        _("{reference}: {status}; the submitter will be told on the next pass").format(
            reference=reference, status=status
        )
    )


@click.command()
@click.option("--year", type=int, help="Calendar year (default: this year).")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Where the CSV and the HTML page with the chart are written.",
)
@click.pass_obj
def report(obj: Context, year: int | None, output: Path) -> None:
    """The picture of participation: per meeting invited, registered, attended; by organisation
    kind and organisation; feedback; initiatives; whether the two-meetings rule held."""
    from automation.participation import as_text, picture, write

    settings = obj.settings()
    app = App.open(settings)
    try:
        now = obj.clock(settings)()
        result = picture(app, year or now.year, now)
        click.echo(as_text(result))
        for path in write(app, result, output):
            click.echo(_("wrote {path}").format(path=path))
    finally:
        app.close()


@click.command()
@click.argument("code")
@click.option("--no-show", "absent", multiple=True, metavar="EMAIL", help="Registered but did not come.")
@click.option("--came", "present", multiple=True, metavar="EMAIL", help="Undo a no-show.")
@click.pass_obj
def attendance(obj: Context, code: str, absent: tuple[str, ...], present: tuple[str, ...]) -> None:
    """Mark who did not come to meeting CODE (for the participation report)."""
    settings = obj.settings()
    if settings.meeting(code) is None:
        raise AutomationError(f"no meeting {code!r} in {settings.source}")
    app = App.open(settings)
    try:
        with app.store.transaction():
            unknown = [e for e in absent if not app.store.set_no_show(code, e.lower(), True)]
            unknown += [e for e in present if not app.store.set_no_show(code, e.lower(), False)]
    finally:
        app.close()
    if unknown:
        raise AutomationError(f"not registered for {code}: {', '.join(unknown)}")
    click.echo(
        _("{code}: {absent} marked as not come, {present} as come").format(
            code=code, absent=len(absent), present=len(present)
        )
    )


@click.group()
def rules() -> None:
    """The network's goals and rules that members accept."""


@rules.command("ask")
@click.pass_obj
def rules_ask(obj: Context) -> None:
    """Ask every contact who has not accepted the current version to accept it (by reply)."""
    from automation.jobs import ask_rules

    settings = obj.settings()
    app = App.open(settings)
    try:
        count = ask_rules(app, obj.clock(settings)())
    finally:
        app.close()
    click.echo(
        _("queued {count} request(s) to accept rules version {version}").format(
            count=count, version=settings.rules.version
        )
    )


@click.group()
def outbox() -> None:
    """Outgoing mail: requeue what failed (e.g. after a refused sender was allowed again)."""


@outbox.command("retry")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]),
    help="Only mail queued at or after this local date/time.",
)
@click.pass_obj
def outbox_retry(obj: Context, since: datetime | None) -> None:
    """Queue failed outgoing mail again; the next pass sends it (and lifts a sending pause)."""
    from automation.outbox import SENDING
    from automation.store import pauses
    from automation.store.time import iso

    settings = obj.settings()
    now = obj.clock(settings)()
    app = App.open(settings)
    try:
        threshold = since.replace(tzinfo=now.tzinfo) if since else None
        rows = app.store.db.execute("SELECT id, created_at FROM outbox WHERE status = 'failed'").fetchall()
        ids = [int(r[0]) for r in rows if threshold is None or _at_or_after(str(r[1]), threshold)]
        with app.store.transaction():
            for row_id in ids:
                # A fresh created_at: max_retry_hours counts from the requeue, not the first try.
                app.store.db.execute(
                    "UPDATE outbox SET status = 'pending', next_attempt_at = ?, created_at = ?,"
                    " error = '' WHERE id = ? AND status = 'failed'",
                    [iso(now), iso(now), row_id],
                )
            lifted = pauses.resumed(app.store, SENDING)
    finally:
        app.close()
    click.echo(_("{count} failed message(s) queued again; the next pass sends them").format(count=len(ids)))
    if lifted:
        click.echo(_("Sending pause lifted: the next pass tries the SMTP server at once"))


def _at_or_after(stamp: str, threshold: datetime) -> bool:
    try:
        return datetime.fromisoformat(stamp) >= threshold
    except ValueError:
        return True  # an unreadable time: requeue rather than leave it failed
