"""Follow-up items between meetings: a summary's follow-up section becomes tracked items with an
owner from the preparatory group; owners get them by mail, a reminder before the next meeting,
and update them by replying #tehty / #kesken through the mail's token (real Dovecot + SMTP)."""

from __future__ import annotations

import json
import sqlite3
import time
import traceback
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from mails import outlook_reply
from servers import ImapUser, SmtpSink
from test_integration import append, body, parsed, write_config

from automation.cli import main
from automation.model import Decision, Inbound, SendMail, SetFollowup
from automation.parse.followups import followup_lines
from automation.workflows.followups import FollowupAction, Owner, act, owner_of, read_action

SUMMARY = """# Yhteenveto 12.3.2024

Keskustelimme tekoälystä opetuksessa.

## Jatkotoimet

- Kootaan tekoälyohjeet kouluille — OPH
- Selvitetään yhteinen materiaalipankki (ALOITE-2024-001) – Kuntaliitto
- Kysytään yritysten näkemys - Tuntematon Oy

## Muuta

- Seuraava teema on oppimisanalytiikka — OPH
"""
SETUP = """
[followups]
reminder_days_before = 14

[[organisers]]
email = "chair@example.fi"
name = "Outi Öhman"
organisation = "Opetushallitus"
language = "fi"

[[organisers]]
email = "member@example.fi"
name = "Sven Svensson"
organisation = "Suomen Kuntaliitto"
language = "sv"

[[organisations]]
name = "Opetushallitus"
kind = "national"
aliases = ["OPH", "Utbildningsstyrelsen"]

[[organisations]]
name = "Suomen Kuntaliitto"
kind = "national"
aliases = ["Kuntaliitto"]

[[meetings]]
code = "2024-09"
start = 2024-09-17T09:00:00
end = 2024-09-17T12:00:00
registration_deadline = 2024-09-10
place = "Kuntatalo"
theme = "Oppimisanalytiikka"
"""


# ---- the pure parts ---------------------------------------------------------------------------


def test_the_follow_up_section_is_read_line_by_line_and_ends_at_the_next_heading() -> None:
    lines = followup_lines(SUMMARY)
    assert [(line.text, line.owner) for line in lines] == [
        ("Kootaan tekoälyohjeet kouluille", "OPH"),
        ("Selvitetään yhteinen materiaalipankki (ALOITE-2024-001)", "Kuntaliitto"),
        ("Kysytään yritysten näkemys", "Tuntematon Oy"),
    ]
    assert lines[1].initiative == "ALOITE-2024-001"
    swedish = followup_lines("### Uppföljning\n\n* Utred saken — UBS\n* Utan ansvarig\n")
    assert [(line.text, line.owner) for line in swedish] == [("Utred saken", "UBS"), ("Utan ansvarig", "")]
    assert followup_lines("# Summary\n\n- not an item — OPH\n") == []
    assert [line.owner for line in followup_lines("## Follow-up:\n- Ask — Outi Öhman\n")] == ["Outi Öhman"]


def test_an_owner_is_found_by_name_or_organisation_and_its_aliases() -> None:
    group = [Owner("chair@example.fi", "Outi Öhman", "Opetushallitus", "fi")]
    aliases = {"oph": "opetushallitus", "opetushallitus": "opetushallitus"}
    assert owner_of("OPH", group, aliases) == group[0]
    assert owner_of("outi ohman", group, aliases) == group[0]
    assert owner_of("Opetushallitus", group, aliases) == group[0]
    assert owner_of("Kuntaliitto", group, aliases) is None
    assert owner_of("", group, aliases) is None


def test_a_status_reply_is_read_and_acts_only_for_the_token_owner() -> None:
    assert read_action("Hei\n#tehty 3\nKiitos") == FollowupAction("done", 3, "Kiitos"[:0])
    assert read_action("#kesken Luonnos on valmis") == FollowupAction(
        "in_progress", None, "Luonnos on valmis"
    )
    assert read_action("#klart 4") == FollowupAction("done", 4, "")
    assert read_action("Kaikki hyvin") is None
    items = [
        {"id": 3, "owner_email": "chair@example.fi", "status": "open"},
        {"id": 4, "owner_email": "other@example.fi", "status": "open"},
        {"id": 5, "owner_email": "chair@example.fi", "status": "done"},
    ]
    chair = Owner("chair@example.fi", "Outi Öhman", "Opetushallitus", "fi")

    def reply(sender: str, text: str) -> Decision:
        return act(inbound(sender), chair, "2024-03", read_action(text), items)

    # No number: the one item of theirs not done yet; the owner is told what changed.
    done = reply("chair@example.fi", "#tehty")
    assert [type(e).__name__ for e in done.effects] == ["SetFollowup", "SendMail"]
    change, answer = done.effects
    assert change == SetFollowup(3, "done", "", "chair@example.fi")
    assert isinstance(answer, SendMail) and answer.template == "followup_status"
    assert answer.recipient == "chair@example.fi" and answer.context["followup_changed"] == 3
    # Someone else through the chair's token, or an item that is not theirs: nothing changes.
    forged = reply("maija@example.fi", "#tehty 3")
    assert forged.needs_attention and forged.effects == (forged.effects[0],)
    not_theirs = reply("chair@example.fi", "#tehty 4")
    assert not_theirs.needs_attention and not [e for e in not_theirs.effects if isinstance(e, SetFollowup)]
    # ... and the owner is asked which of their open items they meant.
    [question] = [e for e in not_theirs.effects if isinstance(e, SendMail)]
    assert question.context["followup_ids"] == [3] and question.context["followup_changed"] == 0
    assert reply("chair@example.fi", "Kiitos tiedosta").needs_attention


def inbound(sender: str) -> Inbound:
    return Inbound(
        key=f"k-{sender}", message_id=f"<m-{sender}>", sender=sender, sender_name="", recipients=(),
        subject="Re: Jatkotoimet", headers={}, text="", reply_text="",
    )  # fmt: skip


# ---- through Dovecot and SMTP -----------------------------------------------------------------


@pytest.fixture
def cli(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., str]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink)
    text = config.read_text(encoding="utf-8").replace(
        '[network]\naddress = "verkosto@example.org"',
        '[network]\naddress = "verkosto@example.org"\npublic_url = "https://verkosto.example.org"',
    )
    config.write_text(text + SETUP, encoding="utf-8")
    (tmp_path / "summaries").mkdir()
    (tmp_path / "summaries" / "2024-03.md").write_text(SUMMARY, encoding="utf-8")

    def invoke(*args: str, now: str = "2024-03-01T10:00") -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
        return result.output

    return invoke


def sent(sink: SmtpSink, purpose: str) -> dict[str, EmailMessage]:
    """The messages of one purpose by recipient (the purpose starts our Message-IDs)."""
    found = {}
    for mail in sink.messages:
        message = parsed(mail.data)
        if str(message["Message-ID"]).startswith(f"<{purpose}."):
            found[mail.envelope_to[0]] = message
    return found


def items(cli: Callable[..., str]) -> dict[int, dict[str, object]]:
    return {row["id"]: row for row in json.loads(cli("followups", "list", "--format", "json"))}


def settle(sink: SmtpSink) -> None:
    time.sleep(0.5)  # the pass has flushed; let the sink finish storing


def test_summary_items_owner_mails_reply_reminder_and_next_invitation(
    cli: Callable[..., str], imap_user: ImapUser, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    output = cli("run", "--once", now="2024-03-14T12:00")
    assert "follow-up of 2024-03: 3 item(s) recorded" in output
    assert "1 item(s) name no member of the preparatory group" in output
    found = items(cli)
    assert [(i["text"], i["owner_email"], i["status"]) for i in found.values()] == [
        ("Kootaan tekoälyohjeet kouluille", "chair@example.fi", "open"),
        ("Selvitetään yhteinen materiaalipankki (ALOITE-2024-001)", "member@example.fi", "open"),
        ("Kysytään yritysten näkemys", None, "open"),
    ]
    assert "(not in [[organisers]])" in cli("followups", "list")
    settle(smtp_sink)
    assigned = sent(smtp_sink, "followup-assigned")
    assert set(assigned) == {"chair@example.fi", "member@example.fi"}
    chair = body(assigned["chair@example.fi"])
    assert "1. Kootaan tekoälyohjeet kouluille (avoin)" in chair and "#tehty 1" in chair
    assert "materiaalipankki" not in chair  # each owner gets only their own items
    member = body(assigned["member@example.fi"])
    assert "2. Selvitetään yhteinen materiaalipankki" in member and "#klart 2" in member  # in Swedish
    # Every mail ends with the privacy notice, in the recipient's language.
    assert (
        "Tietosuojaseloste: https://verkosto.example.org/privacy.html" in chair
    )  # the text part: a bare link
    assert "Dataskyddsbeskrivning: https://verkosto.example.org/sv/privacy.html" in member
    html = assigned["member@example.fi"].get_body(("html",)).get_content()
    assert 'href="https://verkosto.example.org/sv/privacy.html"' in html
    # Read again on the next pass: nothing added, nobody told twice.
    count = len(smtp_sink.messages)
    cli("run", "--once", now="2024-03-14T13:00")
    settle(smtp_sink)
    assert len(items(cli)) == 3 and len(smtp_sink.messages) == count

    # A forged reply: someone else sends through the member's token. Nothing changes.
    forged = outlook_reply("maija@example.fi", "#klart 2", to=str(assigned["member@example.fi"]["Reply-To"]))
    append(imap_user, forged)
    # The owners answer through their own mail's token.
    done = outlook_reply("chair@example.fi", "#tehty 1", to=str(assigned["chair@example.fi"]["Reply-To"]))
    append(imap_user, done)
    cli("run", "--once", now="2024-03-15T10:00")
    found = items(cli)
    assert found[1]["status"] == "done" and found[2]["status"] == "open"
    settle(smtp_sink)
    answered = sent(smtp_sink, "followup-status")
    assert set(answered) == {"chair@example.fi"}  # the forger gets nothing, the owner an answer
    assert "1. Kootaan tekoälyohjeet kouluille (tehty)" in body(answered["chair@example.fi"])
    progress = outlook_reply(
        "member@example.fi", "#pågår Utkastet är klart", to=str(assigned["member@example.fi"]["Reply-To"])
    )
    append(imap_user, progress)
    cli("run", "--once", now="2024-03-15T11:00")
    found = items(cli)
    assert (found[2]["status"], found[2]["note"]) == ("in_progress", "Utkastet är klart")
    with sqlite3.connect(tmp_path / "automation.db") as db:
        kept = db.execute("SELECT sender, reason FROM messages WHERE attention = 1").fetchall()
    assert [sender for sender, _ in kept] == ["maija@example.fi"]  # shown to the coordinator
    assert "refused a follow-up status from maija@example.fi" in kept[0][1]

    # Not before the reminder day: 14 days before 17.9. at 9.00.
    smtp_sink.clear()
    cli("run", "--once", now="2024-09-02T12:00")
    settle(smtp_sink)
    assert sent(smtp_sink, "followup-reminder") == {}
    cli("run", "--once", now="2024-09-03T09:30")
    settle(smtp_sink)
    reminders = sent(smtp_sink, "followup-reminder")
    assert set(reminders) == {"member@example.fi"}  # the chair's item is done
    assert "Selvitetään yhteinen materiaalipankki (ALOITE-2024-001) (pågår: Utkastet är klart)" in body(
        reminders["member@example.fi"]
    )
    # The next meeting's invitation carries the items with their status.
    invitation = sent(smtp_sink, "invite")["maija@example.fi"]
    text = body(invitation)
    assert "Edellisissä tapaamisissa sovitut jatkotoimet:" in text
    assert "- Kootaan tekoälyohjeet kouluille – OPH: tehty" in text
    assert (
        "- Selvitetään yhteinen materiaalipankki (ALOITE-2024-001) – Kuntaliitto: kesken (Utkastet är klart)"
        in text
    )
    # ... and the public site shows them on the follow-up page and the meeting's page.
    cli("followups", "set", "3", "done", "--note", "Kysely tehty", now="2024-09-04T10:00")
    cli("publish", "--output", str(tmp_path / "site"), now="2024-09-04T10:00")
    page = (tmp_path / "site" / "followups.html").read_text(encoding="utf-8")
    assert "Kysytään yritysten näkemys" in page and "Kysely tehty" in page
    assert "@example.fi" not in page  # owners by organisation, never an address
    assert "Kootaan tekoälyohjeet kouluille" in (tmp_path / "site" / "meetings" / "2024-03.html").read_text(
        encoding="utf-8"
    )


def test_followups_set_names_an_unknown_item(cli: Callable[..., str]) -> None:
    result = CliRunner().invoke(main, ["--config", "x.toml", "followups", "set", "9", "done"])
    assert result.exit_code == 2
    assert "no follow-up item" not in result.output  # the missing config is named first
    assert "x.toml" in result.output
    output = cli("followups", "list")
    assert "no follow-up items yet" in output
