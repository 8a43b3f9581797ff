"""A reply that answers two meetings, through Dovecot and SMTP: where both are open each is acted
on; where the other is not open, it is passed on to the coordinator and nothing is done for it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import ImapUser, SmtpSink
from test_integration import NOW, append, body, invitation_for, parsed, reply_to, write_config

from automation.cli import main

AUTUMN = """
[[meetings]]
code = "2024-09"
start = 2024-09-17T09:00:00
end = 2024-09-17T12:00:00
registration_deadline = 2024-09-01
place = "Kuntatalo"
theme = "Tekoäly"
capacity = 60
"""


def _cli(config: Path) -> Callable[..., str]:
    def invoke(*args: str, now: str = NOW) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    return invoke


def _statuses(cli: Callable[..., str], code: str) -> dict[str, str]:
    return {r["email"]: r["status"] for r in json.loads(cli("registrations", code, "--format", "json"))}


@pytest.fixture
def setup(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Callable[[bool], Callable[..., str]]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)

    def make(with_autumn: bool) -> Callable[..., str]:
        config = write_config(tmp_path, imap_user, smtp_sink)
        if with_autumn:
            config.write_text(config.read_text(encoding="utf-8") + AUTUMN, encoding="utf-8")
        return _cli(config)

    return make


def _maija_answers(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink, text: str
) -> Callable[..., str]:
    """The March invitation goes out, Maija answers it with `text`, one pass reads the answer."""
    cli("invite", "2024-03")
    cli("run", "--once")
    maija = invitation_for(smtp_sink, "maija@example.fi")
    smtp_sink.clear()
    append(imap_user, reply_to(maija, "maija@example.fi", text))
    cli("run", "--once")
    return cli


def test_both_meetings_open_each_is_acted_on(
    setup: Callable[[bool], Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    text = "Hei,\n\nmaaliskuun tapaamiseen en valitettavasti ehdi, mutta syksyn tapaamiseen tulen kyllä."
    cli = _maija_answers(setup(True), imap_user, smtp_sink, text)

    assert _statuses(cli, "2024-03") == {"maija@example.fi": "declined"}
    assert _statuses(cli, "2024-09") == {"maija@example.fi": "registered"}
    mails = [parsed(m.data) for m in smtp_sink.wait_for(2)]
    assert all("maija@example.fi" in str(m["To"]) for m in mails)
    # The autumn seat comes with that meeting's calendar invitation.
    invites = [m for m in mails if any(p.get_content_type() == "text/calendar" for p in m.walk())]
    assert len(invites) == 1 and "17.9.2024" in body(invites[0])
    # Nothing is left for the coordinator: both answers were clear and acted on.
    assert "another meeting" not in cli("attention")


def test_other_meeting_not_open_is_passed_on_not_acted_on(
    setup: Callable[[bool], Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    text = "Maaliskuun tapaamiseen en ehdi, syksyn tapaamiseen kyllä tulen."
    cli = _maija_answers(setup(False), imap_user, smtp_sink, text)

    assert _statuses(cli, "2024-03") == {"maija@example.fi": "declined"}
    assert "wrote about another meeting (not acted on)" in cli("attention")


def _reading(authorised: bool, *open_meetings: object) -> list[str]:
    from dataclasses import replace

    from meetings import AUTUMN as AUTUMN_MEETING
    from meetings import MEETING

    from automation.model import Classification, Intent, Kind, Match
    from automation.workflows.other_meetings import other_answers

    said = "Maaliskuuhun en ehdi, syksyllä tulen."
    intent = Intent(
        Kind.CANCELLATION, "fi", evidence=said, other_answers=(("autumn", Kind.REGISTRATION, said),)
    )
    seen = Classification(Kind.CANCELLATION, "test", "fi", intent)
    match = Match(MEETING.code, "maija@example.fi", "token", authorised=authorised)
    meetings = {
        "spring": MEETING,
        "autumn": AUTUMN_MEETING,
        "autumn2": replace(AUTUMN_MEETING, code="2024-10"),
    }
    chosen = tuple(meetings[name] for name in open_meetings)  # type: ignore[index]
    return [f"{m.code}:{c.kind}" for m, c in other_answers(seen, match, chosen)]


def test_the_other_answer_is_acted_on_only_for_one_fitting_open_meeting_and_a_proven_sender() -> None:
    assert _reading(True, "spring", "autumn") == ["2024-09:registration"]
    assert _reading(False, "spring", "autumn") == []  # a From alone proves nobody
    assert _reading(True, "spring") == []  # the autumn meeting is not open
    assert _reading(True, "spring", "autumn", "autumn2") == []  # two autumn meetings: not guessed
