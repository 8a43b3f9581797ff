"""`automation contacts import|remove`: a spreadsheet merged into the contact list, or one removed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from automation.app import App
from automation.cli.common import Context
from automation.contactfile import ContactFile, read_contact_file
from automation.errors import AutomationError
from automation.i18n import _, n_

_LISTED = 50  # addresses listed per kind of change; the rest are counted


@click.group()
def contacts() -> None:
    """The contact list: import a spreadsheet (merged by address), remove a contact."""


@contacts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
@click.pass_obj
def contacts_import(obj: Context, file: Path, dry_run: bool) -> None:
    """Merge FILE (.xlsx, or CSV as Excel saves it in any locale: ; or , UTF-8, BOM or cp1252;
    headers Sähköposti/E-post/Email, Nimi or Etunimi + Sukunimi, Organisaatio, Kieli, Tila)
    into the register by address and report what changed. A bad row is refused with its line
    number and stores nothing; a Tila/status column saying inactive removes the contact.
    Consent, unsubscriptions and history stay as they are."""
    settings = obj.settings()
    found = read_contact_file(file, list(settings.network.languages))
    now = obj.clock(settings)()
    app = App.open(settings)
    outcomes: dict[str, list[str]] = {}
    try:
        app.store.db.execute("BEGIN IMMEDIATE")
        try:
            for row in found.rows:
                outcome = app.store.merge_contact(row.contact, found.columns, row.active, now)
                outcomes.setdefault(outcome, []).append(row.contact.email)
        except BaseException:
            app.store.db.execute("ROLLBACK")
            raise
        app.store.db.execute("ROLLBACK" if dry_run else "COMMIT")
    finally:
        app.close()
    _report(found, outcomes, dry_run)
    if found.refused:
        sys.exit(1)


def _report(found: ContactFile, outcomes: dict[str, list[str]], dry_run: bool) -> None:
    count = {kind: len(outcomes.get(kind, [])) for kind in ("added", "changed", "removed", "restored")}
    same = len(outcomes.get("unchanged", []))
    if dry_run:
        click.echo(_("Dry run: nothing was stored. {file} ({form}) would give:").format(**_names(found)))
        line = _("{added} to add, {changed} to change, {removed} to remove, {restored} to restore,"
                 " {same} unchanged").format(**count, same=same)  # fmt: skip
    else:
        click.echo(_("{file} ({form}):").format(**_names(found)))
        line = _("{added} added, {changed} changed, {removed} removed, {restored} restored,"
                 " {same} unchanged").format(**count, same=same)  # fmt: skip
    click.echo(f"  {line}")
    for kind, mark in (("added", "+"), ("changed", "~"), ("removed", "-"), ("restored", "+")):
        emails = outcomes.get(kind, [])
        for email in emails[:_LISTED]:
            click.echo(f"  {mark} {email}")
        if len(emails) > _LISTED:
            click.echo("  " + _("… and {count} more").format(count=len(emails) - _LISTED))
    erased = outcomes.get("erased", [])
    if erased:
        click.echo(
            "  "
            + n_(
                "{count} row not stored: the person's data was erased at their request",
                "{count} rows not stored: the people's data was erased at their request",
                len(erased),
            ).format(count=len(erased))
        )
    if not found.refused:
        return
    click.echo(
        n_(
            "{count} row refused (nothing of it was stored):",
            "{count} rows refused (nothing of them was stored):",
            len(found.refused),
        ).format(count=len(found.refused))
    )
    for refused in found.refused:
        click.echo("  " + _("line {line}: {reason}").format(line=refused.line, reason=refused.reason))
    click.echo(
        _("Fix these rows in {file} and import it again; the other rows are kept.").format(file=found.path)
    )


def _names(found: ContactFile) -> dict[str, str]:
    return {"file": str(found.path), "form": found.form}


@contacts.command("remove")
@click.argument("email")
@click.pass_obj
def contacts_remove(obj: Context, email: str) -> None:
    """Remove EMAIL from the contact list: no more invitations or other mail to the list. Their
    registrations stay as history (anonymised after [privacy] retention_days); an import with
    the status active brings them back."""
    settings = obj.settings()
    email = email.strip().lower()
    now = obj.clock(settings)()
    app = App.open(settings)
    try:
        with app.store.transaction():
            known = app.store.contact(email) is not None
            removed = app.store.remove_contact(email, now)
        codes = [m.code for m in settings.meeting_objects() if m.end > now and not m.cancelled]
        upcoming = app.store.upcoming_registrations(email, codes)
    finally:
        app.close()
    if not known:
        raise AutomationError(
            _("{email} is not on the contact list; see: automation status").format(email=email)
        )
    if not removed:
        click.echo(_("{email} was already removed; nothing changed").format(email=email))
        return
    click.echo(_("{email} removed: gets no more mail to the list; history kept").format(email=email))
    for code in upcoming:
        click.echo(
            "  "
            + _("still registered for {code}: to cancel, automation cancel {code} {email}").format(
                code=code, email=email
            )
        )
