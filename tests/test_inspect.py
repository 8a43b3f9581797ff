"""`automation inspect --json`: what the coordinator sees of how one reply was read, with no
config and no side effects: why it was not taken as an answer, the questions passed on, the
people it brings, and those named to come instead."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from mails import outlook_reply

from automation.cli import main


def inspected(tmp_path: Path, text: str) -> dict[str, object]:
    mail = tmp_path / "reply.eml"
    mail.write_bytes(outlook_reply("maija@example.fi", text))
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "none.toml"), "inspect", "--json", str(mail)]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_a_yes_with_a_question_shows_the_question_passed_on(tmp_path: Path) -> None:
    seen = inspected(tmp_path, "Tulen mielelläni. Onko paikalla pysäköintiä?")
    assert seen["kind"] == "registration" and seen["abstention"] == ""
    assert seen["questions"] == ["Onko paikalla pysäköintiä?"]


def test_a_mixed_reply_shows_why_it_is_asked_about(tmp_path: Path) -> None:
    seen = inspected(tmp_path, "Tulen. En pääse.")
    assert seen["kind"] == "unknown" and seen["abstention"] == "mixed answers"


def test_companions_and_stand_ins_are_told_apart(tmp_path: Path) -> None:
    coming = inspected(tmp_path, "Tulen, ja mukaan tulee kollegani Liisa Korhonen (liisa@example.fi).")
    assert coming["companions"] == [{"name": "Liisa Korhonen", "email": "liisa@example.fi"}]
    assert coming["standins"] == []
    instead = inspected(
        tmp_path, "En pääse, mutta kollegani Liisa Korhonen (liisa@example.fi) tulee tilalleni."
    )
    assert instead["kind"] == "cancellation" and instead["companions"] == []
    assert instead["standins"] == [{"name": "Liisa Korhonen", "email": "liisa@example.fi"}]
