"""The `automation` command group: its global options, and every area's commands added to it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from automation.cli import admin, contacts, desk, followups, inspect, preview, run
from automation.cli.common import Context, ErrorMapper


@click.group(cls=ErrorMapper)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=lambda: os.environ.get("AUTOMATION_CONFIG", "config.toml"),
    show_default="./config.toml or $AUTOMATION_CONFIG",
    help="The configuration file.",
)
@click.option(
    "--now",
    "now_text",
    metavar="ISO-DATETIME",
    help="Pretend it is this local time (network time zone): for trying things out.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what the daemon does.")
@click.pass_context
def main(ctx: click.Context, config_path: Path, now_text: str | None, verbose: bool) -> None:
    """Secretariat automation for the network: shared mailbox in, register in SQLite,
    templated mail out."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = Context(config_path, now_text)


# Each area's module knows only automation.cli.common; the group is put together here.
for command in (
    run.check,
    run.run,
    run.invite,
    inspect.inspect,
    run.registrations,
    run.status,
    run.publish,
    run.plan,
    admin.initiatives,
    admin.report,
    admin.attendance,
    admin.rules,
    admin.outbox,
    contacts.contacts,
    desk.backup,
    desk.attention,
    desk.register_command,
    desk.cancel_command,
    followups.followups,
    preview.preview,
):
    main.add_command(command)
