"""`automation followups list|set`: the follow-up items between meetings, for the coordinator."""

from __future__ import annotations

import json

import click

from automation.app import App
from automation.cli.common import Context
from automation.errors import AutomationError
from automation.i18n import _
from automation.store.followups import STATUSES


@click.group()
def followups() -> None:
    """Follow-up items agreed at meetings (from a summary's follow-up section)."""


@followups.command("list")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--meeting", "code", default="", help="Only the items of this meeting.")
@click.pass_obj
def followups_list(obj: Context, fmt: str, code: str) -> None:
    """Every item with its number, meeting, owner, status and note."""
    app = App.open(obj.settings())
    try:
        rows = [
            {
                "id": row["id"],
                "meeting": row["meeting"],
                "text": row["text"],
                "owner": row["owner"],
                "owner_email": row["owner_email"] or None,
                "initiative": row["initiative"] or None,
                "status": row["status"],
                "note": row["note"],
                "updated_at": row["updated_at"],
            }
            for row in app.store.followups(code)
        ]
    finally:
        app.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("no follow-up items yet (they come from a summary's follow-up section when it is sent)"))
    for row in rows:
        owner = row["owner"] if row["owner_email"] else f"{row['owner'] or '?'} (not in [[organisers]])"
        note = f"  – {row['note']}" if row["note"] else ""
        click.echo(f"{row['id']:>4}  {row['meeting']:<9} {row['status']:<12} {owner}: {row['text']}{note}")


@followups.command("set")
@click.argument("number", type=int)
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--note", default="", help="A short word on where it stands, shown with the item.")
@click.pass_obj
def followups_set(obj: Context, number: int, status: str, note: str) -> None:
    """Set the STATUS of follow-up item NUMBER (see `automation followups list`)."""
    settings = obj.settings()
    app = App.open(settings)
    try:
        with app.store.transaction():
            found = app.store.set_followup(number, status, note, obj.clock(settings)())
    finally:
        app.close()
    if not found:
        raise AutomationError(f"no follow-up item {number}; see: automation followups list")
    click.echo(_("follow-up {number}: {status}").format(number=number, status=status))
