"""`automation backup FILE`: the coordinator's copy of the register, taken while another process
is in the middle of writing, holds exactly what was committed and is a working database."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from automation.cli import main
from automation.model import SetRegistration, Status
from automation.store.db import Store

CONFIG = """
[network]
address = "verkosto@example.org"

[storage]
database = "automation.db"

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
"""
NOW = datetime(2024, 2, 14, 10, tzinfo=ZoneInfo("Europe/Helsinki"))


def cli(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(root / "config.toml"), *args])
    return result.exit_code, result.output


def test_backup_while_a_writer_is_mid_transaction_copies_what_was_committed(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    store = Store(tmp_path / "automation.db")
    store.set_registration(SetRegistration("2024-03", "aino@example.fi", Status.REGISTERED), NOW)
    writer = sqlite3.connect(tmp_path / "automation.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE registrations SET status = 'cancelled'")  # not committed

    code, output = cli(tmp_path, "backup", str(tmp_path / "copy.db"))

    assert code == 0, output
    assert output.startswith("backup: ") and "integrity ok" in output
    writer.execute("COMMIT")  # the writer was never blocked out of its transaction
    copy = Store(tmp_path / "copy.db")
    [row] = copy.db.execute("SELECT email, status FROM registrations").fetchall()
    assert tuple(row) == ("aino@example.fi", "registered")
    assert not (tmp_path / ".copy.db.partial").exists()
    store.close(), copy.close(), writer.close()


def test_backup_refuses_to_overwrite_the_database_itself_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    Store(tmp_path / "automation.db").close()
    code, output = cli(tmp_path, "backup", str(tmp_path / "automation.db"))
    assert code == 2 and output.strip().count("\n") == 0 and "the database itself" in output
