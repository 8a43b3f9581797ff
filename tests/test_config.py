"""The coordinator's side: a bad config or template names file, key and fix; the demo config works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import config
from automation.cli import main
from automation.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
GOOD = """
[network]
address = "verkosto@example.org"

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
"""


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(path)
    return caught.value.problems


def test_good_config_loads_with_deadline_at_end_of_day(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")
    settings = config.load(path)
    meeting = settings.meeting_objects()[0]
    assert meeting.registration_deadline.isoformat() == "2024-02-22T23:59:59+02:00"
    assert meeting.start.utcoffset() is not None


def test_every_problem_is_reported_at_once_with_file_key_and_fix(tmp_path: Path) -> None:
    text = GOOD.replace('address = "verkosto@example.org"', 'address = "not-an-address"\ncolour = "red"')
    text = text.replace("end = 2024-03-12T12:00:00", "end = 2024-03-12T08:00:00")
    text += '\n[mailbox]\nkind = "imap"\nhost = "mail.example.org"\nsecurity = "none"\n'
    found = problems(tmp_path, text)
    assert len(found) == 4, found
    assert all(str(tmp_path / "config.toml") in p and "fix:" in p for p in found)
    joined = "\n".join(found)
    assert "[network] address" in joined
    assert "[network] colour" in joined and "remove it" in joined
    assert "[[meetings]] #1 (code 2024-03)" in joined and "must be after start" in joined
    assert "[mailbox]" in joined and "clear text" in joined


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, "[network\naddress=")
    assert "not valid TOML" in problem and "config.toml" in problem


def test_missing_password_variable_is_named_by_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_PASSWORD_VAR", raising=False)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\na@example.fi,A,,fi\n")
    (tmp_path / "config.toml").write_text(
        GOOD + '\n[mailbox]\nkind = "imap"\nusername = "v"\npassword_env = "NO_SUCH_PASSWORD_VAR"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.toml"), "check"])
    assert result.exit_code == 2
    assert "NO_SUCH_PASSWORD_VAR" in result.output and "fix:" in result.output


def test_check_catches_a_template_typo_in_one_language(tmp_path: Path) -> None:
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\na@example.fi,A,,fi\n")
    (tmp_path / "config.toml").write_text(GOOD, encoding="utf-8")
    typo = tmp_path / "templates" / "sv" / "confirmation.md"
    typo.write_text(typo.read_text(encoding="utf-8") + "{{ meeting.plase }}\n", encoding="utf-8")
    bad_row = "email,name,organisation,language\nnot an address,A,,fi\nb@example.fi,B,,de\n"
    (tmp_path / "contacts.csv").write_text(bad_row, encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.toml"), "check"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert any("sv/confirmation.md" in line and "plase" in line for line in lines)
    assert any("contacts.csv:2" in line for line in lines)
    assert any("contacts.csv:3" in line and "'de'" in line for line in lines)


def test_shipped_example_config_templates_and_contacts_pass_check() -> None:
    result = CliRunner().invoke(main, ["--config", str(REPO / "config.example.toml"), "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok:")


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help, name
        assert re.search(rf"`automation {name}\b", readme), f"{name} missing from README"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    """`automation … | head -1`: the reader closing the pipe is not a defect to report."""
    import os
    import subprocess
    import sys

    shutil.copy(REPO / "config.example.toml", tmp_path / "config.toml")
    shutil.copy(REPO / "contacts.csv", tmp_path / "contacts.csv")
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        text.replace('directory = "templates"', f'directory = "{REPO / "templates"}"'), encoding="utf-8"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write fails
    done = subprocess.run(
        [sys.executable, "-m", "automation", "--config", "config.toml", "check"],
        cwd=tmp_path,
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    os.close(write_end)
    assert done.stderr == "" and done.returncode == 141, done
