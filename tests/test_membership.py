"""Open to all: joining under the goals and rules, leaving, importing contacts, feedback and the
participation report — through the real Dovecot + SMTP path where mail is involved."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from mails import outlook_reply, plain
from servers import ImapUser, SmtpSink
from test_integration import append, body, parsed, write_config

from automation.cli import main
from automation.workflows.feedback import read_feedback
from automation.workflows.organisations import Organisation, match, matcher


@pytest.fixture
def setup(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Callable[..., str]]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink)
    config.write_text(
        config.read_text(encoding="utf-8")
        + """
[[organisers]]
email = "chair@example.fi"
name = "Outi"

[[organisations]]
name = "Espoon kaupunki"
kind = "municipal_network"
aliases = ["Espoo"]

[[organisations]]
name = "Vasa stad"
kind = "municipal_network"

[[organisations]]
name = "Tampereen yliopisto"
kind = "university"
aliases = ["TAU"]
""",
        encoding="utf-8",
    )

    def cli(*args: str, now: str = "2024-02-01T10:00") -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
        return result.output

    cli("run", "--once")
    smtp_sink.wait_for(1)  # the organiser's calendar invitation
    smtp_sink.clear()
    return config, cli


def test_join_accept_and_get_invited_to_the_next_meeting(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(imap_user, plain("uusi@example.fi", "Liittyminen", "Liityn verkostoon"))
    cli("run", "--once")
    [rules] = smtp_sink.wait_for(1)
    rules_mail = parsed(rules.data)
    assert rules.envelope_to == ["uusi@example.fi"] and "Hyväksyn" in body(rules_mail)
    smtp_sink.clear()
    # Writing "Hyväksyn" without the token of the rules mail does not put anyone on the list.
    append(imap_user, plain("uusi@example.fi", "Re: Liittyminen", "Hyväksyn"))
    cli("run", "--once")
    assert "Contacts: 3 receiving invitations" in cli("status")
    append(
        imap_user,
        outlook_reply(
            "uusi@example.fi", "Hyväksyn\nNimi: Uusi Jäsen\nOrganisaatio: TAU", to=str(rules_mail["Reply-To"])
        ),
    )
    assert "accepted the rules" in cli("run", "--once")
    welcome = [m for m in smtp_sink.wait_for(1) if m.envelope_to == ["uusi@example.fi"]]
    assert welcome
    status = cli("status")
    assert "Contacts: 4 receiving invitations" in status and "2024-1: 1" in status
    smtp_sink.clear()
    # The next meeting's invitations include the new member.
    cli("run", "--once", now="2024-02-14T10:00")
    invited = {m.envelope_to[0] for m in smtp_sink.wait_for(4)}
    assert "uusi@example.fi" in invited


def test_join_without_accepting_gets_one_reminder_at_most(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(imap_user, plain("epavarma@example.fi", "Join", "I want to join"))
    cli("run", "--once")
    smtp_sink.wait_for(1)
    smtp_sink.clear()
    cli("run", "--once", now="2024-02-05T10:00")
    time.sleep(0.3)
    assert smtp_sink.messages == []  # not yet
    cli("run", "--once", now="2024-02-09T10:00")
    [reminder] = smtp_sink.wait_for(1)
    assert (
        reminder.envelope_to == ["epavarma@example.fi"]
        and str(parsed(reminder.data)["Content-Language"]) == "en"
    )
    cli("run", "--once", now="2024-02-20T10:00")
    time.sleep(0.3)
    assert [m for m in smtp_sink.messages if m.envelope_to == ["epavarma@example.fi"]] == [reminder]


def test_unsubscribed_get_no_invitations_and_reimport_keeps_consent(
    setup: tuple[Path, Callable[..., str]], tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(imap_user, plain("john@example.org", "Unsubscribe", "Unsubscribe"))
    cli("run", "--once")
    # Without a token or a DKIM pass, leaving is confirmed by mail first (issue 17, item 3).
    [ask] = smtp_sink.wait_for(1)
    smtp_sink.clear()
    reply_to = str(parsed(ask.data)["Reply-To"])
    append(imap_user, outlook_reply("john@example.org", "Yes", to=reply_to, language="en"))
    cli("run", "--once")
    [confirmed] = smtp_sink.wait_for(1)
    assert confirmed.envelope_to == ["john@example.org"]
    # A new spreadsheet export lists John again, with a new organisation, and one new person.
    sheet = tmp_path / "export.csv"
    sheet.write_text(
        "email,name,organisation,language\njohn@example.org,John Smith,Example Oy,en\n"
        "new@example.fi,Uusi Henkilö,Espoo,fi\n",
        encoding="utf-8",
    )
    output = cli("contacts", "import", str(sheet))
    assert "1 added, 1 changed, 0 removed, 0 restored, 0 unchanged" in output
    smtp_sink.clear()
    cli("run", "--once", now="2024-02-14T10:00")
    invited = {m.envelope_to[0] for m in smtp_sink.wait_for(3)}
    assert "john@example.org" not in invited and "new@example.fi" in invited


def test_an_invitation_queued_before_someone_unsubscribed_is_not_sent_to_them(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    """Found by the soak: a pass queues the day's invitations, then reads the mail in which
    someone leaves the list, then sends; the invitation went to the person who had just left."""
    _, cli = setup
    append(imap_user, plain("john@example.org", "Unsubscribe", "Unsubscribe"))
    cli("run", "--once")
    [ask] = smtp_sink.wait_for(1)
    smtp_sink.clear()
    cli("invite", "2024-03", now="2024-02-14T10:00")  # queued, sent by the next pass
    reply_to = str(parsed(ask.data)["Reply-To"])
    append(imap_user, outlook_reply("john@example.org", "Yes", to=reply_to, language="en"))
    cli("run", "--once", now="2024-02-14T10:01")
    received = smtp_sink.wait_for(3)
    time.sleep(0.5)
    to_john = [
        str(parsed(m.data)["Subject"]) for m in smtp_sink.messages if m.envelope_to == ["john@example.org"]
    ]
    assert len(to_john) == 1, to_john  # the confirmation that they left, no invitation
    assert {m.envelope_to[0] for m in received} >= {"maija@example.fi", "anna@example.fi"}


@pytest.mark.parametrize(
    ("text", "score", "comment"),
    [
        ("4\nHyvä päivä, lisää aikaa keskustelulle", 4, "Hyvä päivä, lisää aikaa keskustelulle"),
        ("Betyg: 5/5. Mycket bra!", 5, "Betyg: . Mycket bra!"),
        ("I'd give it a 3 - the room was too small", 3, "I'd give it a  - the room was too small"),
        ("Ei numeroa, mutta kiitos 2024", None, "Ei numeroa, mutta kiitos 2024"),
    ],
)
def test_feedback_replies_in_three_languages_become_scores(
    text: str, score: int | None, comment: str
) -> None:
    assert read_feedback(text) == (score, comment)


def test_organisations_match_case_and_accent_insensitively_with_aliases() -> None:
    table = matcher(
        [
            Organisation("Päijät-Häme", "municipal_network"),
            Organisation("Opetushallitus", "national", ("OPH", "Utbildningsstyrelsen")),
        ]
    )
    assert match("paijat hame", table) is not None
    assert match("utbildningsstyrelsen", table).name == "Opetushallitus"  # type: ignore[union-attr]
    assert match("Tuntematon Oy", table) is None


def test_feedback_goes_into_the_pack_and_the_report_matches_the_register(
    setup: tuple[Path, Callable[..., str]], tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    cli("run", "--once", now="2024-02-14T10:00")  # invitations to the three contacts
    smtp_sink.wait_for(3)
    for sender, text in (
        ("maija@example.fi", "Kyllä, tulen\nOrganisaatio: Espoo"),
        ("anna@example.fi", "Jag kommer"),
        ("john@example.org", "Yes, I'll attend"),
    ):
        append(imap_user, plain(sender, "Ilmoittautuminen 2024-03", text))
    cli("run", "--once", now="2024-02-15T10:00")
    cli("attendance", "2024-03", "--no-show", "john@example.org")
    smtp_sink.clear()
    cli("run", "--once", now="2024-03-13T09:00")  # thanks + the feedback question
    questions = [parsed(m.data) for m in smtp_sink.wait_for(6) if b"feedback." in m.data]
    assert len(questions) == 3
    for question, answer in zip(questions, ("5 Erinomainen", "4", "3 too long"), strict=True):
        append(
            imap_user,
            outlook_reply(str(question["To"].addresses[0].addr_spec), answer, to=str(question["Reply-To"])),
        )
    assert cli("run", "--once", now="2024-03-13T12:00").count("feedback on 2024-03 stored") == 3
    smtp_sink.clear()
    cli("run", "--once", now="2024-03-19T09:00")
    [pack] = smtp_sink.wait_for(1)
    text = body(parsed(pack.data))
    assert pack.envelope_to == ["chair@example.fi"] and "4" in text and "Erinomainen" in text
    assert "maija@example.fi" not in text  # anonymous
    output = cli("report", "--year", "2024", "--output", str(tmp_path / "reports"), now="2024-03-20T10:00")
    assert "invited    3  registered    3  attended    2  feedback 4.0 (3)" in output
    assert "municipal_network 2" in output  # Espoo (alias) and Vasa stad
    assert "two-meetings rule NOT held" in output
    page = (tmp_path / "reports" / "participation-2024.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<script" not in page
    rows = (tmp_path / "reports" / "participation-2024.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("2024-03,12.3.2024,3,3,2,1,4.0,3")
    json.loads(cli("registrations", "2024-03"))  # still readable
