"""The coordinator's desk: backup, attention, register and cancel, what a person does by hand."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from automation.app import App
from automation.cli.common import Context
from automation.desk import category, register, resolve
from automation.errors import AutomationError
from automation.i18n import _
from automation.model import Attendance, Details
from automation.parse.message import parse_message


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def backup(obj: Context, file: Path) -> None:
    """A consistent copy of the database in FILE, also while the daemon runs."""
    from automation.backup import backup_database

    settings = obj.settings()
    source = settings.path(settings.storage.database)
    report = backup_database(source, file, settings.storage.busy_timeout_seconds)
    click.echo(
        _("backup: {size} bytes written to {target} (schema {schema}, integrity ok)").format(
            size=f"{report.size:,}", target=report.target, schema=report.schema
        )
    )


# ---- what needs a human ------------------------------------------------------------------------


def _actor() -> str:
    """Who resolved an item by command: the login that ran it."""
    try:
        return f"command ({getpass.getuser()})"
    except (KeyError, OSError):  # no user name in a bare container
        return "command"


def _shown(text: str) -> str:
    """Text from email on a terminal: no control characters (escape sequences) get through."""
    return "".join(c if c in "\n\t" or c.isprintable() else "?" for c in text)


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the items as a JSON list.")
@click.pass_context
def attention(ctx: click.Context, as_json: bool) -> None:
    """What needs a human: each item with its number, when, from whom, the subject, the first
    lines and why it was set aside. `attention show N`, `attention resolve N --as …`."""
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    app = App.open(obj.settings())
    try:
        items = app.store.attention_items()
    finally:
        app.close()
    rows = [
        {
            "number": i.number,
            "received": i.received,
            "sender": i.sender,
            "subject": i.subject,
            "reason": category(i.reason),
            "why": i.reason,
            "meeting": i.meeting or None,
            "kind": i.kind,
            "excerpt": i.excerpt,
        }
        for i in items
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("Nothing needs attention."))
        return
    for item in items:
        meeting = f"  [{item.meeting}]" if item.meeting else ""
        click.echo(
            _shown(
                f"#{item.number:<4} {item.received[:16]}  {item.sender or _('(unknown sender)')}"
                f"  {item.subject or _('(no subject)')}{meeting}"
                f"\n      {category(item.reason)}: {item.reason}"
            )
        )
        for line in item.excerpt.splitlines():
            click.echo(_shown(f"      | {line}"))
    click.echo(
        _("{count} item(s). Resolve one:").format(count=len(rows))
        + " automation attention resolve N --as yes|no|maybe|initiative|ignore"
    )


@attention.command("show")
@click.argument("number", type=int)
@click.pass_obj
def attention_show(obj: Context, number: int) -> None:
    """The whole message of item N as it was read."""
    app = App.open(obj.settings())
    source = app.source()
    try:
        item = app.store.attention_item(number)
        if item is None:
            raise AutomationError(
                _("no attention item #{number}; see: automation attention").format(number=number)
            )
        raw = source.attention_mail([item.key]).get(item.key)
    finally:
        source.close()
        app.close()
    state = (
        _("resolved as {answer} by {actor} ({at})").format(
            answer=item.resolution, actor=item.resolved_by, at=item.resolved_at
        )
        if item.resolved_at
        else _("open")
    )
    click.echo(_shown(f"#{item.number} ({state}): {category(item.reason)}: {item.reason}"))
    if raw is None:
        click.echo(_("The message is no longer in the attention folder."))
        return
    message = parse_message(raw)
    click.echo(_shown(f"From: {message.sender_name} <{message.sender}>"))
    click.echo(_shown(f"Subject: {message.subject}"))
    click.echo(_shown(f"Date: {message.headers.get('date', '')}"))
    click.echo(_shown(f"To: {', '.join(message.recipients)}"))
    if message.attachments:
        click.echo(_shown(_("Attachments: ") + ", ".join(a.filename for a in message.attachments)))
    click.echo("")
    click.echo(_shown(message.text or _("(no text)")))


@attention.command("resolve")
@click.argument("number", type=int)
@click.option(
    "--as",
    "answer",
    required=True,
    type=click.Choice(["yes", "no", "maybe", "initiative", "ignore"]),
    help="What the message means: carried out as if the service had read it so.",
)
@click.option("--meeting", "code", help="The meeting it is about, when none was matched.")
@click.pass_obj
def attention_resolve(obj: Context, number: int, answer: str, code: str | None) -> None:
    """Carry out item N as a clear reply would be (capacity, waiting list, confirmation, the
    calendar copy), file the message as handled and record who resolved it."""
    settings = obj.settings()
    now = obj.clock(settings)()
    app = App.open(settings)
    source = app.source()
    try:
        done = resolve(app, source, number, answer, code, _actor(), now)
    finally:
        source.close()
        app.close()
    click.echo(_shown(done.line))


# ---- registrations by hand -----------------------------------------------------------------------


@click.command("register")
@click.argument("code")
@click.argument("email")
@click.option("--name", default="", help="The person's name (the contact list's wins when known).")
@click.option("--organisation", default="")
@click.option("--diet", default="")
@click.option("--remote", is_flag=True, help="Takes part remotely.")
@click.option(
    "--status",
    type=click.Choice(["yes", "no", "maybe", "waiting"]),
    default="yes",
    show_default=True,
    help="yes registers (or the waiting list when full), waiting puts them in the queue.",
)
@click.option("--quiet", is_flag=True, help="Send nothing (no confirmation, no calendar copy).")
@click.pass_obj
def register_command(
    obj: Context, code: str, email: str, name: str, organisation: str, diet: str, remote: bool,
    status: str, quiet: bool,
) -> None:  # fmt: skip
    """Register EMAIL for meeting CODE by hand: the same decision as a reply saying so."""
    details = Details(
        name.strip(), organisation.strip(), diet.strip(), str(Attendance.REMOTE) if remote else ""
    )
    _by_hand(obj, code, email, status, details, quiet)


@click.command("cancel")
@click.argument("code")
@click.argument("email")
@click.option("--quiet", is_flag=True, help="Send nothing (no confirmation, no calendar cancellation).")
@click.pass_obj
def cancel_command(obj: Context, code: str, email: str, quiet: bool) -> None:
    """Cancel EMAIL's registration for CODE by hand; the first on the waiting list moves up."""
    _by_hand(obj, code, email, "no", Details(), quiet)


def _by_hand(obj: Context, code: str, email: str, status: str, details: Details, quiet: bool) -> None:
    settings = obj.settings()
    now = obj.clock(settings)()
    app = App.open(settings)
    try:
        done = register(app, code, email, now, status=status, details=details, quiet=quiet, actor=_actor())
    finally:
        app.close()
    click.echo(_shown(done.line))
