"""The embedded demo (`config.example.toml`: its database, sample inbox, sent folder and contact
list) belongs to the demo only. A real config beside it that would use the same files (a copy
of the example, or a config leaving [storage] database at its default) is refused, naming the
key and what to write: it would inherit the demo's register, and after deleting the database it
would answer the demo's sample mail again."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automation.config import Settings

DEMO_CONFIG = "config.example.toml"


def is_demo(settings: Settings) -> bool:
    return settings.source.name == DEMO_CONFIG


def demo_problems(settings: Settings) -> list[str]:
    """One line per file this (real) config would share with the demo beside it."""
    example = settings.source.parent / DEMO_CONFIG
    if is_demo(settings) or not example.exists():
        return []
    from automation.config import Settings

    try:
        raw = tomllib.loads(example.read_text(encoding="utf-8"))
        demo = Settings.model_validate({**raw, "source": example})
    except (OSError, ValueError):
        return []  # a broken example is the example's problem (`check` of it says so)
    where = f"{settings.source}: "
    shared = []
    if _same(settings, demo, settings.storage.database, demo.storage.database):
        shared.append(
            f"{where}[storage] database: {settings.storage.database} is the demo's database ({DEMO_CONFIG});"
            ' fix: add [storage] database = "verkosto.db" (a register of your own, it starts empty)'
        )
    if settings.mailbox.kind == demo.mailbox.kind == "maildir" and _same(
        settings, demo, settings.mailbox.path, demo.mailbox.path
    ):
        shared.append(
            f"{where}[mailbox] path: {settings.mailbox.path} is the demo's sample inbox; fix: set"
            ' [mailbox] kind = "imap" with the shared mailbox (see the README\'s setup), or a Maildir'
            " of your own"
        )
    if settings.sending.kind == demo.sending.kind == "maildir" and _same(
        settings, demo, settings.sending.path, demo.sending.path
    ):
        shared.append(
            f"{where}[sending] path: {settings.sending.path} is where the demo's mail goes; fix: set"
            ' [sending] kind = "smtp" (see the README\'s setup), or path = "mailboxes/outgoing"'
        )
    if _same(settings, demo, settings.contacts.file, demo.contacts.file):
        shared.append(
            f"{where}[contacts] file: {settings.contacts.file} is the demo's invented contact list;"
            ' fix: file = "yhteystiedot.xlsx" (your list as Excel saves it, or a CSV)'
        )
    return shared


def _same(settings: Settings, demo: Settings, mine: Path, theirs: Path) -> bool:
    return settings.path(mine).resolve() == demo.path(theirs).resolve()
