"""A network on the embedded default (Maildirs, no mail server) for command-line tests: its
config, contact list and templates written into a temporary folder, a command run as the
coordinator types it, and the mail it sent read back from the sending Maildir."""

from __future__ import annotations

import email
import shutil
from collections.abc import Collection
from email import policy
from email.message import EmailMessage
from pathlib import Path

from click.testing import CliRunner, Result

from automation.cli import main

REPO = Path(__file__).resolve().parent.parent
CONTACTS_HEADER = "email,name,organisation,language\n"
# The network's mailbox and its sending, both Maildirs beside the config: the start of most
# test configs, followed by their meetings.
MAILDIRS = """
[network]
address = "verkosto@example.org"
[mailbox]
kind = "maildir"
path = "inbox"
[sending]
kind = "maildir"
path = "sent"
"""
# The spring meeting most tests register for.
MARCH_MEETING = """
[[meetings]]
code = "2030-03"
start = 2030-03-12T09:00:00
end = 2030-03-12T12:00:00
registration_deadline = 2030-02-22
"""


def network(tmp_path: Path, config: str, contacts: str = "", *, templates: bool = True) -> Path:
    """The folder of a network whose config is `config` and whose contact list (contacts.csv)
    has the `contacts` rows; with `templates`, a copy of the project's templates beside it.
    Returns the config's path."""
    if templates:
        shutil.copytree(REPO / "templates", tmp_path / "templates")
    (tmp_path / "contacts.csv").write_text(CONTACTS_HEADER + contacts, encoding="utf-8")
    (tmp_path / "inbox" / "new").mkdir(parents=True)
    path = tmp_path / "config.toml"
    path.write_text(config, encoding="utf-8")
    return path


def cli(config: Path, now: str, *args: str, exits: Collection[int] | None = None) -> Result:
    """`automation --config CONFIG --now NOW ARGS…`; with `exits`, its exit code must be one of them."""
    result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
    if exits is not None:
        assert result.exit_code in exits, result.output
    return result


def sent(tmp_path: Path) -> list[EmailMessage]:
    """What the network sent, oldest first (the sending Maildir's new/ folder)."""
    folder = tmp_path / "sent" / "new"
    files = sorted(folder.iterdir()) if folder.exists() else []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]
