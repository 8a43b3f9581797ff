"""The coordinator's desk: commands for what a person does by hand beside the daemon.

They are registered on the main command group when `automation.cli` imports this module.
"""

from __future__ import annotations

from pathlib import Path

import click

from automation.cli import Context, main


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
def backup(obj: Context, file: Path) -> None:
    """A consistent copy of the database in FILE, also while the daemon runs."""
    from automation.backup import backup_database

    settings = obj.settings()
    source = settings.path(settings.storage.database)
    report = backup_database(source, file, settings.storage.busy_timeout_seconds)
    click.echo(
        f"backup: {report.size:,} bytes written to {report.target} (schema {report.schema}, integrity ok)"
    )
