"""A meeting's whole year with the clock frozen (time-machine): invitation, replies, reminder only
to those who did not answer, the participant list at the deadline, the final reminder, thanks;
then the same with the meeting moved, and with the daemon stopped for days."""

from __future__ import annotations

import email
import io
import mailbox
import traceback
from collections.abc import Callable
from datetime import datetime
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner
from mails import outlook_reply
from openpyxl import load_workbook

from automation.cli import main

REPO = Path(__file__).resolve().parent.parent
HKI = ZoneInfo("Europe/Helsinki")
MEETING = """
[[meetings]]
code = "2024-03"
start = {start}
end = {end}
registration_deadline = {deadline}
place = "Kuntatalo"
theme = "Tekoäly"
bring = "Kannettava"
"""


class Year:
    """The coordinator's files in a temporary directory, and a way to run one pass at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sent_before: set[str] = set()
        (root / "contacts.csv").write_text(
            "email,name,organisation,language\n"
            "maija@example.fi,Maija Meikäläinen,Espoon kaupunki,fi\n"
            "anna@example.fi,Anna Åström,Vasa stad,sv\n"
            "john@example.org,John Smith,Example Ltd,en\n",
            encoding="utf-8",
        )
        self.move(start="2024-03-12T09:00:00", end="2024-03-12T12:00:00", deadline="2024-02-22")

    def move(self, start: str, end: str, deadline: str) -> None:
        (self.root / "config.toml").write_text(
            f"""
[network]
address = "verkosto@example.org"

[mailbox]
kind = "maildir"
path = "inbox"
handled_folder = "handled"

[sending]
kind = "maildir"
path = "sent"

[templates]
directory = "{REPO / "templates"}"

[[organisers]]
email = "chair@example.fi"
name = "Outi Öhman"
"""
            + MEETING.format(start=start, end=end, deadline=deadline),
            encoding="utf-8",
        )

    def reply(self, raw: bytes) -> None:
        mailbox.Maildir(self.root / "inbox", create=True).add(raw)

    def run(self, when: datetime) -> list[tuple[str, str]]:
        """One pass at `when` (frozen): the (purpose, recipient) of each message sent by it."""
        with time_machine.travel(when, tick=False):
            result = CliRunner().invoke(main, ["--config", str(self.root / "config.toml"), "run", "--once"])
        assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
        return self.new_mail()

    def new_mail(self) -> list[tuple[str, str]]:
        box = mailbox.Maildir(self.root / "sent", create=True)
        found = []
        for key in box.keys():  # noqa: SIM118 - iterating a Maildir yields messages
            if key in self.sent_before:
                continue
            self.sent_before.add(key)
            message = email.message_from_bytes(box.get_bytes(key), policy=policy.default)
            purpose = str(message["Message-ID"]).strip("<>").split(".")[0]
            found.append((purpose, str(message["To"].addresses[0].addr_spec)))
        return sorted(found)

    def last(self, purpose: str) -> email.message.EmailMessage:
        box = mailbox.Maildir(self.root / "sent")
        for key in box.keys():  # noqa: SIM118
            message = email.message_from_bytes(box.get_bytes(key), policy=policy.default)
            if str(message["Message-ID"]).startswith(f"<{purpose}."):
                return message  # type: ignore[return-value]
        raise AssertionError(f"no {purpose} sent")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HKI)


@pytest.fixture
def year(tmp_path: Path) -> Year:
    return Year(tmp_path)


def replies(year: Year) -> Callable[[], None]:
    def send() -> None:
        year.reply(outlook_reply("maija@example.fi", "Kyllä, tulen\nErityisruokavalio: gluteeniton"))
        year.reply(outlook_reply("john@example.org", "I cannot attend, sorry.", language="en"))

    return send


def test_a_meetings_whole_year(year: Year) -> None:
    assert year.run(at("2024-02-01T10:00")) == [("organiser-invite", "chair@example.fi")]
    assert year.run(at("2024-02-13T10:00")) == [
        ("invite", "anna@example.fi"),
        ("invite", "john@example.org"),
        ("invite", "maija@example.fi"),
    ]
    replies(year)()
    assert year.run(at("2024-02-14T10:00")) == [
        ("confirm", "maija@example.fi"),
        ("decline", "john@example.org"),
    ]
    # The reminder goes only to the one who has not answered, at 9.00 five days before the deadline.
    assert year.run(at("2024-02-17T08:59")) == []
    assert year.run(at("2024-02-17T09:00")) == [("deadline-reminder", "anna@example.fi")]
    assert year.run(at("2024-02-18T09:00")) == []
    # At the deadline the organisers get the participant list as an Excel workbook.
    assert year.run(at("2024-02-23T00:00")) == [("close", "chair@example.fi")]
    part = next(p for p in year.last("close").iter_attachments() if p.get_filename().endswith(".xlsx"))
    book = load_workbook(io.BytesIO(part.get_content()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Tila", "Nimi", "Sähköposti")
    assert rows[1][0] == "ilmoittautunut"
    table = " ".join(str(v) for row in rows for v in row if v)
    assert "Maija Meikäläinen" in table and "gluteeniton" in table and "John" not in table
    assert year.run(at("2024-03-10T09:00")) == [("meeting-reminder", "maija@example.fi")]
    assert "Kannettava" in year.last("meeting-reminder").get_body(("plain",)).get_content()
    assert year.run(at("2024-03-12T15:00")) == [("thanks", "maija@example.fi")]
    # The next morning the feedback question; a week after, the organisers' pack.
    assert year.run(at("2024-03-13T09:00")) == [("feedback", "maija@example.fi")]
    assert year.run(at("2024-03-19T09:00")) == [("pack", "chair@example.fi")]
    assert year.run(at("2024-04-30T10:00")) == []


def test_moving_the_meeting_moves_what_is_pending_and_repeats_nothing(year: Year) -> None:
    year.run(at("2024-02-13T10:00"))
    replies(year)()
    year.run(at("2024-02-14T10:00"))
    year.move(start="2024-03-19T09:00:00", end="2024-03-19T12:00:00", deadline="2024-02-29")
    moved = year.run(at("2024-02-14T11:00"))
    # Everyone holding the calendar event gets the update; nobody is invited twice.
    assert moved == [("update", "chair@example.fi"), ("update", "maija@example.fi")]
    assert year.run(at("2024-02-17T09:00")) == []  # the reminder moved with the deadline
    assert year.run(at("2024-02-24T09:00")) == [("deadline-reminder", "anna@example.fi")]
    assert year.run(at("2024-02-23T00:00")) == []  # the old deadline means nothing now
    assert year.run(at("2024-03-01T00:00")) == [("close", "chair@example.fi")]
    assert year.run(at("2024-03-10T09:00")) == []
    assert year.run(at("2024-03-17T09:00")) == [("meeting-reminder", "maija@example.fi")]


def test_a_daemon_down_for_days_catches_up_on_what_still_means_something(year: Year) -> None:
    year.run(at("2024-02-13T10:00"))
    replies(year)()
    year.run(at("2024-02-14T10:00"))
    # Down from the 15th to the 18th: the reminder due on the 17th still makes sense.
    assert year.run(at("2024-02-18T12:00")) == [("deadline-reminder", "anna@example.fi")]
    year.run(at("2024-02-23T00:00"))
    # Down from the 9th to the 13th: the final reminder is pointless now and dropped; thanks go out.
    assert year.run(at("2024-03-13T10:00")) == [
        ("feedback", "maija@example.fi"),
        ("thanks", "maija@example.fi"),
    ]
    assert year.run(at("2024-03-14T10:00")) == []


def test_two_meetings_rule_and_rotation_send_their_emails(tmp_path: Path) -> None:
    year = Year(tmp_path)
    config = tmp_path / "config.toml"
    text = config.read_text(encoding="utf-8").replace(
        '[network]\naddress = "verkosto@example.org"',
        '[network]\naddress = "verkosto@example.org"\ncoordinator = "koordinaattori@example.org"',
    )
    text = text.replace(
        "[templates]",
        """[rotation]
first_year = 2023
turn_of_year = "08-01"
order = [
  { organisation = "Opetushallitus", name = "Pekka", email = "pekka@example.fi" },
  { organisation = "Suomen Kuntaliitto", name = "Kaisa", email = "kaisa@example.fi" },
]

[templates]""",
    )
    config.write_text(text, encoding="utf-8")
    # One meeting in the next twelve months: the coordinator and the responsible organisation
    # (Kuntaliitto for the operating year that began 1.8.2024) are told, once a month.
    sent = year.run(at("2024-08-05T10:00"))
    rule = [r for r in sent if r[0] == "rule-two-meetings"]
    assert rule == [
        ("rule-two-meetings", "kaisa@example.fi"),
        ("rule-two-meetings", "koordinaattori@example.org"),
    ]
    rotation = {r[1] for r in sent if r[0] == "rotation"}
    assert rotation == {"pekka@example.fi", "kaisa@example.fi", "chair@example.fi"}
    assert "Suomen Kuntaliitto" in year.last("rotation").get_body(("plain",)).get_content()
    assert [r for r in year.run(at("2024-08-20T10:00")) if r[0] in ("rule-two-meetings", "rotation")] == []
    # (Beside it only the coordinator's weekly digest, which has its own tests in test_desk.py.)
    assert {r[0] for r in year.run(at("2024-09-02T10:00")) if not r[0].startswith("digest-")} == {
        "rule-two-meetings"
    }


def cli(year: Year, *args: str) -> str:
    result = CliRunner().invoke(main, ["--config", str(year.root / "config.toml"), *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_plan_lists_what_will_be_sent_and_sends_nothing(year: Year) -> None:
    year.run(at("2024-02-13T10:00"))
    replies(year)()
    year.run(at("2024-02-14T10:00"))
    output = cli(year, "--now", "2024-02-14T12:00", "plan", "--until", "2024-03-13")
    lines = [line.split() for line in output.splitlines()[1:]]
    planned = {(parts[2], parts[4]) for parts in lines}
    assert planned == {
        ("deadline_reminder", "1"),
        ("participant_list", "1"),
        ("meeting_reminder", "1"),
        ("thanks", "1"),
        ("feedback_request", "1"),
    }
    assert "17.02.2024 09:00  deadline_reminder" in output and "sv:1" in output
    assert year.run(at("2024-02-14T12:00")) == []  # planning queued nothing


def test_plan_far_beyond_the_last_meeting_lists_every_stage(year: Year) -> None:
    year.run(at("2024-02-13T10:00"))
    output = cli(year, "--now", "2024-02-14T12:00", "plan", "--until", "2025-12-31")
    shown = {line.split()[2] for line in output.splitlines()[1:] if line.strip()}
    # Stages with nobody to tell yet (the feedback question, the organisers' pack) are named too.
    assert {"deadline_reminder", "participant_list", "meeting_reminder", "thanks"} <= shown
    assert {"feedback_request", "post_meeting_pack"} <= shown


def test_preview_renders_one_message_with_real_meeting_data(year: Year) -> None:
    output = cli(year, "preview", "invitation", "--meeting", "2024-03", "--lang", "sv")
    assert output.startswith("Subject: ") and "tisdag 12.3.2024" in output and "Kuntatalo" in output
    html = cli(year, "preview", "invitation", "--meeting", "2024-03", "--lang", "en", "--html")
    assert '<html lang="en">' in html and "Tuesday 12 March 2024" in html


def test_config_edits_are_picked_up_and_a_broken_one_keeps_the_previous(year: Year) -> None:
    from automation import config as config_module
    from automation.app import App
    from automation.daemon import Daemon

    config = year.root / "config.toml"
    app = App.open(config_module.load(config))
    daemon = Daemon(app, lambda: at("2024-02-14T10:00"))
    try:
        good = config.read_text(encoding="utf-8")
        config.write_text(good.replace('place = "Kuntatalo"', 'place = "Oodi"'), encoding="utf-8")
        assert daemon.reload_if_changed()
        assert app.settings.meeting_objects()[0].place == {"": "Oodi"}
        config.write_text(
            good.replace("end = 2024-03-12T12:00:00", "end = 2024-03-12T08:00:00"), encoding="utf-8"
        )
        assert not daemon.reload_if_changed()
        assert app.settings.meeting_objects()[0].place == {"": "Oodi"}  # the last good one runs on
    finally:
        app.close()
