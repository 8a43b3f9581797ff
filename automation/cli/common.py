"""What every command shares: the context object, --now, the one-line error mapper, reader_note."""

from __future__ import annotations

import logging
import os
import select
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import click
from jinja2 import TemplateError, TemplateNotFound

from automation import config as config_module
from automation.config import Settings
from automation.errors import AutomationError, ConfigError
from automation.i18n import _


@dataclass
class Context:
    config_path: Path
    now_text: str | None

    def settings(self) -> Settings:
        from automation import i18n

        settings = config_module.load(self.config_path)
        i18n.use(settings.network.coordinator_language)
        return settings

    def clock(self, settings: Settings) -> Callable[[], datetime]:
        zone = settings.network.zone
        if not self.now_text:
            return lambda: datetime.now(zone)
        fixed = parse_now(self.now_text, zone)
        started = time.monotonic()
        # A given --now still advances, so a long-running daemon's backoff and schedule work.
        return lambda: fixed + timedelta(seconds=time.monotonic() - started)


def parse_now(text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise AutomationError(f"--now {text!r} is not an ISO date-time; fix: e.g. 2024-02-14T10:00") from exc
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


class ErrorMapper(click.Group):
    """Known errors become one actionable line per problem and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            for problem in exc.problems:
                click.echo(_("error: {problem}").format(problem=problem), err=True)
            sys.exit(2)
        except AutomationError as exc:
            click.echo(_("error: {problem}").format(problem=exc), err=True)
            sys.exit(2)
        except TemplateError as exc:
            from automation.render.template_errors import FIX, location, where

            located = getattr(exc, "located", None)
            if isinstance(exc, TemplateNotFound):
                located = (
                    f"template {exc.name} not found ({exc.message or exc}); fix: set [templates]"
                    " directory to a folder with fi/, sv/, en/ and site/ (a copy of the project's templates/)"
                )
            elif located is None:
                found = location(exc, Path("templates"))
                located = f"{where(*found)}: {getattr(exc, 'message', None) or exc}; {FIX}"
            click.echo(_("error: {problem}").format(problem=located), err=True)
            sys.exit(2)
        except sqlite3.OperationalError as exc:
            click.echo(
                f"error: the database is busy or unavailable ({exc}); another process may hold"
                " it locked: nothing was lost, try again in a moment",
                err=True,
            )
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError as exc:
            if not _stdout_closed():
                _unexpected(ctx, exc)  # a connection of ours, not the terminal: a defect
            # `automation … | head`: whoever read our output has all they wanted. The exit status
            # is a shell's for SIGPIPE; stdout goes nowhere, so Python's last flush stays silent.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except Exception as exc:  # noqa: BLE001 - the last resort: a line, not a traceback
            _unexpected(ctx, exc)


def _unexpected(ctx: click.Context, exc: Exception) -> NoReturn:
    # A defect of ours, not of the user's input: say what failed and how to see more; what was
    # committed before it stays committed, nothing half-done is recorded.
    logging.getLogger("automation.cli").info("unexpected failure", exc_info=True)
    command = ctx.invoked_subcommand or "automation"
    click.echo(
        f"error: {command} failed unexpectedly ({type(exc).__name__}: {exc}); nothing was"
        " lost; run again with -v to see where, and report it",
        err=True,
    )
    sys.exit(1)


def _stdout_closed() -> bool:
    """True when our standard output is a pipe whose reader has gone (poll says POLLERR)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def reader_note(languages: Sequence[str]) -> str:
    """Said by `check` and the run summary when Finnish is read without Voikko's morphology."""
    from automation.parse.reading import INSTALL_VOIKKO, available

    if "fi" not in languages or available():
        return ""
    return f"note: Finnish replies are read with reduced accuracy (Voikko is not installed): {INSTALL_VOIKKO}"
