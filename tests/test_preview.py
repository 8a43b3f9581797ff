"""`automation preview` is how the coordinator reads a text before it goes out: every template,
in every language, with or without a meeting, renders with sample data where the register has
nothing yet (no initiative, no earlier version of the meeting), and never ends in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import main
from automation.render.emails import TEMPLATE_NAMES

CONFIG = Path(__file__).resolve().parent.parent / "config.example.toml"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("meeting", [["--meeting", "2024-03"], []], ids=["meeting", "none"])
def test_every_template_previews_in_every_language(language: str, meeting: list[str]) -> None:
    failed = {}
    for template in TEMPLATE_NAMES:
        result = CliRunner().invoke(
            main, ["--config", str(CONFIG), "preview", template, *meeting, "--lang", language]
        )
        if result.exit_code != 0 or not result.output.startswith("Subject: "):
            failed[template] = (result.output or repr(result.exception))[-200:]
    assert failed == {}


def test_preview_of_an_initiative_mail_shows_a_sample_initiative_in_swedish() -> None:
    result = CliRunner().invoke(
        main, ["--config", str(CONFIG), "preview", "initiative_new", "--meeting", "2024-03", "--lang", "sv"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Subject: Nytt initiativ ") and "ALOITE-" in result.output
