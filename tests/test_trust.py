"""Trust on the real Dovecot + SMTP path: a forwarded invitation and a forged unsubscribe must
never change someone else's registration or membership on their own (issue 17, items 2 and 3)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from mails import outlook_reply, plain
from servers import ImapUser, ReceivedMail, SmtpSink
from test_initiatives import cli as initiatives_cli
from test_initiatives import initiative
from test_integration import append, body, invitation_for, parsed, reply_to
from test_privacy import registrations, setup

from automation.render.public_text import public_text

__all__ = ["initiatives_cli", "setup"]  # the fixtures are used by name

NOW = "2024-02-14T10:00"


def answers(sink: SmtpSink) -> list[ReceivedMail]:
    """What was sent apart from the invitations the pass queues by itself."""
    return [m for m in sink.messages if not str(parsed(m.data)["Subject"]).startswith(_INVITATIONS)]


_INVITATIONS = ("Kutsu:", "Inbjudan:", "Invitation:")


def unsubscribed(config: Path, email: str) -> bool:
    with sqlite3.connect(config.parent / "automation.db") as db:
        row = db.execute("SELECT unsubscribed_at FROM contacts WHERE email = ?", [email]).fetchone()
    return bool(row and row[0])


def test_a_forwarded_invitation_acts_for_the_colleague_never_for_its_owner(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    _, cli = setup
    cli("invite", "2024-03", now=NOW)
    cli("run", "--once", now=NOW)
    smtp_sink.wait_for(3)
    invitation = invitation_for(smtp_sink, "maija@example.fi")
    smtp_sink.clear()
    append(imap_user, reply_to(invitation, "maija@example.fi", "Kyllä, tulen"))
    cli("run", "--once", now=NOW)
    smtp_sink.wait_for(1)
    smtp_sink.clear()

    # Maija forwarded the invitation; her colleague answers with Maija's reply-token address.
    append(imap_user, reply_to(invitation, "kollega@example.fi", "En pääse"))
    cli("run", "--once", now=NOW)
    time.sleep(0.3)
    assert registrations(cli).get("maija@example.fi") == "registered"
    # Nobody is told that Maija's seat went; at most Maija herself is asked to confirm.
    assert all(m.envelope_to == ["maija@example.fi"] for m in smtp_sink.messages)
    smtp_sink.clear()

    # A yes from the colleague registers the colleague, and Maija keeps her seat.
    append(imap_user, reply_to(invitation, "kollega@example.fi", "Kyllä, tulen"))
    output = cli("run", "--once", now=NOW)
    assert "via maija@example.fi" in output  # the summary names whose invitation it came through
    assert registrations(cli) == {"maija@example.fi": "registered", "kollega@example.fi": "registered"}
    [answer] = smtp_sink.wait_for(1)
    assert answer.envelope_to == ["kollega@example.fi"]
    # The colleague is on the contact list now, noted as coming through Maija's invitation.
    config, _ = setup
    with sqlite3.connect(config.parent / "automation.db") as db:
        row = db.execute("SELECT source FROM contacts WHERE email = 'kollega@example.fi'").fetchone()
    assert row == ("via:maija@example.fi",)


def test_an_unsubscribe_without_proof_is_confirmed_by_mail_first(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    config, cli = setup
    # A spoofed From, no token, a foreign Message-ID: the victim is asked, not unsubscribed.
    append(imap_user, plain("maija@example.fi", "Eroa listalta", "Eroa listalta"))
    cli("run", "--once", now=NOW)
    time.sleep(0.5)
    [ask] = answers(smtp_sink)
    confirm = parsed(ask.data)
    assert ask.envelope_to == ["maija@example.fi"] and "+" in str(confirm["Reply-To"])
    assert not unsubscribed(config, "maija@example.fi")
    smtp_sink.clear()

    # Only the reply carrying the confirmation mail's token unsubscribes.
    append(imap_user, outlook_reply("maija@example.fi", "Kyllä, eroan", to=str(confirm["Reply-To"])))
    cli("run", "--once", now=NOW)
    [done] = smtp_sink.wait_for(1)
    assert done.envelope_to == ["maija@example.fi"]
    assert unsubscribed(config, "maija@example.fi")


def test_an_unsubscribe_with_an_aligned_dkim_pass_acts_at_once(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    config, cli = setup
    signed = plain(
        "maija@example.fi",
        "Eroa listalta",
        "Eroa listalta",
        Authentication_Results="mx.example.org; dkim=pass header.d=example.fi; spf=pass",
    )
    append(imap_user, signed)
    assert "unsubscribed" in cli("run", "--once", now=NOW)
    assert unsubscribed(config, "maija@example.fi")


def test_a_summary_mail_without_proof_is_kept_for_attention_and_never_saved(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    config, cli = setup
    after = "2024-03-13T10:00"
    forged = plain(
        "koordinaattori@example.org",
        "Yhteenveto 2024-03",
        "Kiitos osallistumisesta! Diat: https://phish.example.net/login",
        Authentication_Results="mx.example.org; spf=fail; dmarc=fail",
    )
    unsigned = plain("koordinaattori@example.org", "Yhteenveto 2024-03", "https://phish.example.net/x")
    for raw in (forged, unsigned):
        append(imap_user, raw)
        assert "ATTENTION" in cli("run", "--once", now=after)
        assert not (config.parent / "summaries").exists() or not list((config.parent / "summaries").iterdir())
    cli("run", "--once", now="2024-03-20T10:00")
    time.sleep(0.3)
    assert not [m for m in smtp_sink.messages if b"phish.example.net" in m.data]


def test_a_proven_summary_mail_is_saved_only_once_the_coordinator_confirms_it(
    setup: tuple[Path, Callable[..., str]], imap_user: ImapUser, smtp_sink: SmtpSink
) -> None:
    config, cli = setup
    live = config.parent / "summaries" / "2024-03.md"
    signed = plain(
        "koordinaattori@example.org",
        "Yhteenveto 2024-03",
        "Kiitos osallistumisesta!",
        Authentication_Results="mx.example.org; dkim=pass header.d=example.org; spf=pass",
    )
    append(imap_user, signed)
    cli("run", "--once", now="2024-03-12T18:00")
    time.sleep(0.3)
    # A mass mailing: the coordinator's address is asked first, showing the text.
    [confirm] = [
        parsed(m.data)
        for m in smtp_sink.messages
        if str(parsed(m.data)["Message-ID"]).startswith("<summary-confirm.")
    ]
    assert confirm["To"] == "koordinaattori@example.org" and "Kiitos osallistumisesta" in body(confirm)
    assert "+" in str(confirm["Reply-To"]) and not live.exists()
    smtp_sink.clear()
    # A yes without that mail's token (even from the coordinator's own address) does nothing.
    append(imap_user, plain("koordinaattori@example.org", "Re: yhteenveto", "Kyllä"))
    cli("run", "--once", now="2024-03-12T18:30")
    assert not live.exists()
    reply = outlook_reply("koordinaattori@example.org", "Kyllä", to=str(confirm["Reply-To"]))
    append(imap_user, reply)
    assert "saved to 2024-03.md" in cli("run", "--once", now="2024-03-12T19:00")
    assert "Kiitos" in live.read_text(encoding="utf-8")


def test_the_archive_shows_an_initiative_only_once_taken_up_and_never_its_contact_lines(
    initiatives_cli: Callable[..., str], imap_user: ImapUser, tmp_path: Path
) -> None:
    cli = initiatives_cli
    text = (
        "Ehdotan yhteisiä tunnuksia kuntien välille.\n\n"
        "Ystävällisin terveisin\nMaija Meikäläinen\nEspoon kaupunki\npuh. 040 123 4567\n"
    )
    append(imap_user, initiative("maija@example.fi", "Aloite: Yhteiset tunnukset", text))
    cli("run", "--once")
    site = tmp_path / "site"
    cli("publish", "--output", str(site))
    page = (site / "initiatives.html").read_text(encoding="utf-8")
    # Received, nobody has looked at it yet: neither title nor text is public.
    assert "Yhteiset tunnukset" not in page and "tunnuksia" not in page

    cli("initiatives", "set", "ALOITE-2024-001", "preparation")
    cli("publish", "--output", str(site))
    page = (site / "initiatives.html").read_text(encoding="utf-8")
    assert "Yhteiset tunnukset" in page and "Ehdotan yhteisiä tunnuksia" in page
    # No signature, phone number, address, nor the name (she did not ask for it to be published).
    for private in ("040 123 4567", "maija@example.fi", "Maija Meikäläinen", "Ystävällisin"):
        assert private not in page


def test_public_text_drops_the_signature_and_every_contact_line() -> None:
    text = (
        "Ehdotus vuodelle 2025.\nSoita +358 40 123 4567 tai kirjoita maija@example.fi\nLoppu.\n\nTerv.\nMaija"
    )
    assert public_text(text) == "Ehdotus vuodelle 2025.\nLoppu."
    assert public_text("Förslag.\n\nMed vänliga hälsningar\nAnna\ntel. 06-123 4567") == "Förslag."
