"""A real config never inherits the demo: its database, sample inbox and contact list are the
demo's only, and its example organisations are never published."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from automation.cli import main

REPO = Path(__file__).resolve().parent.parent


def demo_beside(tmp_path: Path) -> None:
    shutil.copy(REPO / "config.example.toml", tmp_path / "config.example.toml")
    shutil.copy(REPO / "contacts.csv", tmp_path / "contacts.csv")
    (tmp_path / "mailboxes" / "inbox" / "new").mkdir(parents=True)


def test_a_copy_of_the_example_is_refused_naming_each_shared_file(tmp_path: Path) -> None:
    demo_beside(tmp_path)
    shutil.copy(REPO / "config.example.toml", tmp_path / "config.toml")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.toml"), "run", "--once"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert any("[storage] database: automation.db is the demo's database" in line for line in lines)
    assert any("[mailbox] path" in line and "sample inbox" in line and "fix:" in line for line in lines)
    assert any("[contacts] file: contacts.csv is the demo's" in line for line in lines)
    assert not (tmp_path / "automation.db").exists()
    # The demo itself runs as before.
    demo = CliRunner().invoke(main, ["--config", str(tmp_path / "config.example.toml"), "check"])
    assert "is the demo's" not in demo.output


def test_a_minimal_config_beside_the_demo_must_name_its_own_database(tmp_path: Path) -> None:
    demo_beside(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('[network]\naddress = "verkosto@example.org"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "status"])
    assert result.exit_code == 2
    assert "[storage] database" in result.output and 'database = "verkosto.db"' in result.output
    config.write_text(
        '[network]\naddress = "verkosto@example.org"\n[storage]\ndatabase = "verkosto.db"\n'
        '[contacts]\nfile = "yhteystiedot.csv"\n[mailbox]\nkind = "maildir"\npath = "oma"\n'
        '[sending]\nkind = "maildir"\npath = "lahtevat"\n',
        encoding="utf-8",
    )
    (tmp_path / "yhteystiedot.csv").write_text("email\n", encoding="utf-8")
    (tmp_path / "oma" / "new").mkdir(parents=True)
    result = CliRunner().invoke(main, ["--config", str(config), "--now", "2024-02-14T10:00", "run", "--once"])
    assert result.exit_code == 2 and "[templates] directory" in result.output  # one line, no traceback
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    result = CliRunner().invoke(main, ["--config", str(config), "--now", "2024-02-14T10:00", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "0 new message(s)" in result.output


def test_example_organisations_are_never_published(tmp_path: Path) -> None:
    demo_beside(tmp_path)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    out = tmp_path / "public"
    args = ["--config", str(tmp_path / "config.example.toml"), "--now", "2024-02-14T10:00"]
    result = CliRunner().invoke(main, [*args, "publish", "--output", str(out)])
    assert result.exit_code == 0, result.output
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Sanoma Pro" not in home and "Edtech Finland" not in home
    # The organisers the config names are still the preparatory group.
    assert "Outi Opetusneuvos" in home
