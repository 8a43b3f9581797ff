"""Errors a coordinator who is not a programmer can act on: a mistyped placeholder names the file,
the line and the placeholder meant, wherever it shows; a deadline after the meeting is refused."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from embedded import MAILDIRS, network

from automation.cli import main

CONFIG = (
    MAILDIRS
    + """
[[meetings]]
code = "2030-03"
start = 2030-03-12T09:00:00
end = 2030-03-12T12:00:00
registration_deadline = DEADLINE
theme = "Tekoäly"
"""
)


def setup(tmp_path: Path, deadline: str = "2030-02-22") -> Path:
    return network(tmp_path, CONFIG.replace("DEADLINE", deadline))


def test_a_placeholder_typo_names_file_line_and_the_placeholder_meant(tmp_path: Path) -> None:
    config = setup(tmp_path)
    invitation = tmp_path / "templates" / "fi" / "invitation.md"
    source = invitation.read_text(encoding="utf-8")
    assert "{{ meeting.theme }}" in source
    invitation.write_text(source.replace("{{ meeting.theme }}", "{{ meeting.theem }}"), encoding="utf-8")
    line = next(n for n, text in enumerate(source.split("\n"), 1) if "{{ meeting.theme }}" in text)
    for args in (["check"], ["preview", "invitation", "--meeting", "2030-03"]):
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 2, result.output
        assert f"fi/invitation.md:{line}: {{{{ meeting.theem }}}} is unknown" in result.output
        assert "did you mean {{ meeting.theme }}?" in result.output
        assert "unexpectedly" not in result.output and "Traceback" not in result.output


def test_a_bare_mistyped_name_is_matched_a_level_down(tmp_path: Path) -> None:
    config = setup(tmp_path)
    confirmation = tmp_path / "templates" / "sv" / "confirmation.md"
    confirmation.write_text(confirmation.read_text(encoding="utf-8") + "\n{{ theme }}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "preview", "confirmation", "--lang", "sv"])
    assert result.exit_code == 2
    assert "sv/confirmation.md:" in result.output and "did you mean {{ meeting.theme }}?" in result.output


def test_a_broken_tag_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    config = setup(tmp_path)
    invitation = tmp_path / "templates" / "en" / "invitation.md"
    invitation.write_text(invitation.read_text(encoding="utf-8") + "\n{{ meeting.place }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "preview", "invitation", "--lang", "en"])
    assert result.exit_code == 2
    assert "en/invitation.md:" in result.output and "unexpected" in result.output
    assert "failed unexpectedly" not in result.output


def test_check_refuses_a_registration_deadline_after_the_meeting(tmp_path: Path) -> None:
    config = setup(tmp_path, deadline="2030-03-20")
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 2
    assert "[[meetings]] #1 (code 2030-03)" in result.output
    assert "registration_deadline (2030-03-20) is after" in result.output
    assert (
        "after the meeting starts" in result.output and "registration_deadline = 2030-02-26" in result.output
    )
    # A date on the meeting's day means the end of that day: after the meeting, so refused too.
    config.write_text(CONFIG.replace("DEADLINE", "2030-03-12"), encoding="utf-8")
    assert CliRunner().invoke(main, ["--config", str(config), "check"]).exit_code == 2
    config.write_text(CONFIG.replace("DEADLINE", "2030-03-12T08:00:00"), encoding="utf-8")
    assert CliRunner().invoke(main, ["--config", str(config), "check"]).exit_code == 0


def test_check_passes_a_network_with_no_meeting_planned_yet(tmp_path: Path) -> None:
    # A new network's first config has no [[meetings]]: the templates are still checked against
    # a sample meeting, with every variable a real one has (the reminder uses meeting.bring).
    config = setup(tmp_path)
    config.write_text(CONFIG.split("[[meetings]]")[0], encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 0, result.output
    assert "0 meeting(s)" in result.output and "templates valid in fi, sv, en" in result.output
