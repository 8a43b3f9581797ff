"""Privacy and abuse through the real Dovecot + SMTP path: export and erasure after a confirmation
round trip, retention, bounces that stop mail, forged senders and floods."""

from __future__ import annotations

import json
import sqlite3
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from mails import outlook_reply, plain
from servers import ImapUser, SmtpSink
from test_guards import dsn
from test_integration import append, body, parsed, write_config

from automation.cli import main


@pytest.fixture
def setup(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Callable[..., str]]:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink)
    text = config.read_text(encoding="utf-8").replace(
        '[network]\naddress = "verkosto@example.org"',
        '[network]\naddress = "verkosto@example.org"\ncoordinator = "koordinaattori@example.org"',
    )
    config.write_text(
        text + '\n[security]\ntrusted_authserv_id = "mx.example.org"\nmax_auto_replies_per_day = 5\n'
        '\n[[meetings]]\ncode = "2024-09"\nstart = 2024-09-17T09:00:00\nend = 2024-09-17T12:00:00\n'
        "registration_deadline = 2024-09-01\n",
        encoding="utf-8",
    )

    def cli(*args: str, now: str = "2024-02-01T10:00") -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", now, *args])
        assert result.exit_code in (0, 1), result.output + "".join(
            traceback.format_exception(*result.exc_info)
        )
        return result.output

    return config, cli


def registrations(cli: Callable[..., str], code: str = "2024-03") -> dict[str, str]:
    return {r["email"]: r["status"] for r in json.loads(cli("registrations", code))}


def test_export_and_erase_need_the_confirmation_round_trip(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(imap_user, plain("maija@example.fi", "Ilmoittautuminen 2024-03", "Kyllä, tulen"))
    cli("run", "--once")
    smtp_sink.wait_for(1)
    smtp_sink.clear()

    append(imap_user, plain("maija@example.fi", "Lähetä tietoni", "Lähetä tietoni"))
    cli("run", "--once")
    [ask] = smtp_sink.wait_for(1)
    confirm = parsed(ask.data)
    assert ask.envelope_to == ["maija@example.fi"] and "+" in str(confirm["Reply-To"])
    smtp_sink.clear()
    # A "yes" without the token exports nothing (it is read as a yes to the meeting instead).
    append(imap_user, plain("maija@example.fi", "Re: tietoni", "Kyllä"))
    cli("run", "--once")
    time.sleep(0.3)
    assert not [m for m in smtp_sink.messages if b"my-data.json" in m.data]
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä", to=str(confirm["Reply-To"])))
    cli("run", "--once")
    received = smtp_sink.wait_for(2)
    export = parsed(next(m.data for m in received if b"my-data.json" in m.data))
    data = json.loads(next(p for p in export.iter_attachments()).get_content())
    assert data["registrations"][0]["meeting"] == "2024-03"
    assert data["contact"][0]["name"] == "Maija Meikäläinen"
    smtp_sink.clear()

    append(imap_user, plain("maija@example.fi", "Poista tietoni", "Poista tietoni"))
    cli("run", "--once")
    [ask] = smtp_sink.wait_for(1)
    confirm = parsed(ask.data)
    assert registrations(cli) == {"maija@example.fi": "registered"}  # nothing erased yet
    smtp_sink.clear()
    # A plain "no" to our question is an answer, not a puzzle for the coordinator.
    append(imap_user, outlook_reply("maija@example.fi", "Ei kiitos", to=str(confirm["Reply-To"])))
    output = cli("run", "--once")
    assert "did not confirm the erase" in output and "ATTENTION" not in output, output
    time.sleep(0.3)
    assert smtp_sink.messages == [] and registrations(cli) == {"maija@example.fi": "registered"}
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä", to=str(confirm["Reply-To"])))
    cli("run", "--once")
    [done] = smtp_sink.wait_for(1)
    assert done.envelope_to == ["maija@example.fi"]
    after = registrations(cli)
    assert list(after.values()) == ["registered"]  # the count remains ...
    assert "maija@example.fi" not in after  # ... the person does not
    # The coordinator's CSV still lists her; the next pass must not bring her back.
    smtp_sink.clear()
    cli("invite", "2024-03")
    cli("run", "--once")
    time.sleep(0.3)
    assert "maija@example.fi" not in {m.envelope_to[0] for m in smtp_sink.messages}


def test_retention_anonymises_registrations_after_the_configured_time(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    append(imap_user, plain("anna@example.fi", "Anmälan 2024-03", "Jag kommer\nSpecialkost: vegan"))
    cli("run", "--once")
    assert "will be anonymised on 12.03.2025" in cli("status")
    cli("run", "--once", now="2025-03-13T10:00")
    rows = json.loads(cli("registrations", "2024-03"))
    assert [(r["status"], r["name"], r["diet"]) for r in rows] == [("registered", "", "")]
    assert rows[0]["email"].startswith("erased:")


def test_two_hard_bounces_stop_mail_to_the_address_and_tell_the_coordinator(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    cli("invite", "2024-03")
    cli("run", "--once")
    invitation = next(parsed(m.data) for m in smtp_sink.wait_for(3) if m.envelope_to == ["john@example.org"])
    our_id = str(invitation["Message-ID"]).strip("<>")
    smtp_sink.clear()
    for attempt in (1, 2):
        raw = (
            dsn("john@example.org", "5.1.1")
            .replace(b"invite.2024-03.4daae3dfec58.1@example.org", our_id.encode())
            .replace(b"<dsn-", f"<dsn{attempt}-".encode())
        )
        append(imap_user, raw)
    output = cli("run", "--once")
    assert "undeliverable now: john@example.org" in output
    [told] = smtp_sink.wait_for(1)
    assert told.envelope_to == ["koordinaattori@example.org"] and "john@example.org" in body(
        parsed(told.data)
    )
    smtp_sink.clear()
    cli("invite", "2024-09")
    cli("run", "--once")
    time.sleep(0.3)
    assert "john@example.org" not in {m.envelope_to[0] for m in smtp_sink.messages}


def test_forged_sender_changes_nothing_and_a_spoofed_flood_gets_few_answers(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    forged = plain(
        "maija@example.fi",
        "Ilmoittautuminen 2024-03",
        "Kyllä, tulen",
        Authentication_Results="mx.example.org; dkim=fail header.d=example.fi; spf=fail",
    )
    append(imap_user, forged)
    assert "ATTENTION" in cli("run", "--once")
    assert registrations(cli) == {}
    time.sleep(0.3)
    assert smtp_sink.messages == []
    # Twenty mails in the victim's name: at most five automatic answers reach the victim.
    for i in range(10):
        append(imap_user, plain("victim@example.fi", f"Kysymys {i}", f"Mikä on tapaamisen teema {i}?"))
        append(imap_user, plain("victim@example.fi", f"Ilmoittautuminen {i} 2024-03", "Kyllä, tulen"))
    cli("run", "--once")
    time.sleep(0.5)
    assert len([m for m in smtp_sink.messages if m.envelope_to == ["victim@example.fi"]]) == 5


def test_a_permanent_smtp_refusal_is_recorded_and_the_coordinator_told(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    _, cli = setup
    smtp_sink.refuse_recipient("john@example.org")
    cli("invite", "2024-03")
    cli("run", "--once")
    cli("run", "--once")  # the coordinator's notice is queued by the first pass, sent by the next
    received = {m.envelope_to[0]: m for m in smtp_sink.wait_for(3)}
    assert "john@example.org" not in received
    assert {"maija@example.fi", "anna@example.fi", "koordinaattori@example.org"} <= set(received)
    assert "john@example.org" in body(parsed(received["koordinaattori@example.org"].data))
    assert "failed: john@example.org" in cli("status")
    assert (tmp_path / "public" / "index.html").exists()  # the archive publishes itself


def addresses_in_database(path: Path, address: str) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = []
    for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        rows = connection.execute(f'SELECT * FROM "{table}"')
        columns = [d[0] for d in rows.description]
        for row in rows:
            found += [f"{table}.{c}" for c, value in zip(columns, row, strict=True) if address in str(value)]
    connection.close()
    return found


def test_an_erased_persons_last_mail_refused_for_good_names_them_nowhere(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    """ "Your data is erased" bounces with 550 (the address was closed meanwhile): the failure is
    recorded, but neither the database, nor a notice to the coordinator, nor the failure's line
    keeps the address or the server's answer quoting it."""
    config, cli = setup
    append(imap_user, plain("maija@example.fi", "Poista tietoni", "Poista tietoni"))
    cli("run", "--once")
    [ask] = smtp_sink.wait_for(1)
    smtp_sink.clear()
    smtp_sink.refuse_recipient("maija@example.fi", 550, "5.1.1 <Maija@Example.FI>: mailbox closed")
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä", to=str(parsed(ask.data)["Reply-To"])))
    output = cli("run", "--once")
    [failed] = [line for line in output.splitlines() if "FAILED" in line]
    assert "maija@example.fi" not in failed.lower() and "data_erased" in failed, output
    database = config.parent / "automation.db"
    assert addresses_in_database(database, "maija@example.fi") == []
    assert addresses_in_database(database, "Maija@Example.FI") == []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    notices = connection.execute("SELECT COUNT(*) FROM outbox WHERE purpose = 'undeliverable'").fetchone()
    connection.close()
    assert notices == (0,)  # run --once sends synchronously: nothing was queued for later either
    assert [m for m in smtp_sink.messages if b"maija@example.fi" in m.data.lower()] == []
    assert "maija@example.fi" not in cli("status")


def test_after_an_erasure_the_database_holds_the_address_nowhere(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    """Found by the soak: the reply that confirmed the erasure was recorded under the address
    (sender, and a reason naming it) and the last mail, "your data is erased", kept it as its
    recipient after it was sent."""
    config, cli = setup
    append(imap_user, plain("maija@example.fi", "Ilmoittautuminen 2024-03", "Kyllä, tulen"))
    cli("run", "--once")
    smtp_sink.wait_for(1)
    smtp_sink.clear()
    append(imap_user, plain("maija@example.fi", "Poista tietoni", "Poista tietoni"))
    cli("run", "--once")
    [ask] = smtp_sink.wait_for(1)
    smtp_sink.clear()
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä", to=str(parsed(ask.data)["Reply-To"])))
    cli("run", "--once")
    [done] = smtp_sink.wait_for(1)
    assert done.envelope_to == ["maija@example.fi"]  # she is told, at her address

    assert addresses_in_database(config.parent / "automation.db", "maija@example.fi") == []
    assert "maija@example.fi" not in cli("status")
