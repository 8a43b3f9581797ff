"""Files that open right in Excel and a terminal in the coordinator's language: the register
and the report as .xlsx, CSV with ; and a BOM in fi/sv, status names and counts translated
(with whether the coordinator must act), and a report that counts attendance only once held."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from click.testing import Result
from embedded import REPO, cli, network
from openpyxl import load_workbook

from automation import i18n

CONFIG = """
[network]
address = "verkosto@example.org"
coordinator_language = "LANG"
[mailbox]
kind = "maildir"
path = "inbox"
[sending]
kind = "maildir"
path = "sent"
[templates]
directory = "TEMPLATES"

[[meetings]]
code = "2030-03"
start = 2030-03-12T09:00:00
end = 2030-03-12T12:00:00
registration_deadline = 2030-02-22

[[meetings]]
code = "2030-09"
start = 2030-09-17T09:00:00
end = 2030-09-17T12:00:00
registration_deadline = 2030-09-03
"""


def setup(tmp_path: Path, language: str) -> Path:
    config = CONFIG.replace("LANG", language).replace("TEMPLATES", str(REPO / "templates"))
    contacts = "aino@example.fi,Aino Järvinen,Espoo,fi\nbo@example.fi,Bo Ek,,sv\n"
    return network(tmp_path, config, contacts, templates=False)


def run(config: Path, now: str, *args: str) -> Result:
    return cli(config, now, *args, exits=(0, 1, 2))


def test_register_as_xlsx_and_finnish_csv_with_semicolons_and_bom(tmp_path: Path) -> None:
    config = setup(tmp_path, "fi")
    who = ["--name", "Aino Järvinen", "--organisation", "Espoo", "--quiet"]
    run(config, "2030-02-01T10:00", "register", "2030-03", "aino@example.fi", *who)
    run(config, "2030-02-01T10:00", "register", "2030-03", "bo@example.fi", "--status", "maybe", "--quiet")
    out = tmp_path / "ilmoittautuneet.xlsx"
    result = run(
        config, "2030-02-01T10:00", "registrations", "2030-03", "--format", "xlsx", "--output", str(out)
    )
    assert f"kirjoitettu {out}" in result.output
    rows = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("Sähköposti", "Nimi", "Organisaatio", "Kieli", "Tila")
    assert {r[0]: r[4] for r in rows[1:]} == {
        "aino@example.fi": "ilmoittautunut",
        "bo@example.fi": "alustava",
    }
    text = run(config, "2030-02-01T10:00", "registrations", "2030-03", "--format", "csv").output
    assert text.startswith("\ufeffSähköposti;Nimi;Organisaatio;Kieli;Tila;")
    assert "aino@example.fi;Aino Järvinen;Espoo;fi;ilmoittautunut;" in text


def test_english_csv_keeps_the_contract(tmp_path: Path) -> None:
    config = setup(tmp_path, "en")
    who = ["--name", "Aino Järvinen", "--organisation", "Espoo", "--quiet"]
    run(config, "2030-02-01T10:00", "register", "2030-03", "aino@example.fi", *who)
    text = run(config, "2030-02-01T10:00", "registrations", "2030-03", "--format", "csv").output
    assert text.startswith("email,name,organisation,language,status,")
    assert "aino@example.fi,Aino Järvinen,Espoo,fi,registered," in text


@pytest.mark.parametrize(
    ("language", "tentative", "calm"),
    [
        ("fi", "alustava 1", "Vaatii huomiota: 0 viesti(ä) (sinulta ei tarvita mitään)"),
        ("sv", "preliminär 1", "Kräver uppmärksamhet: 0 meddelande(n) (inget för dig att göra)"),
        ("en", "tentative 1", "Needs attention: 0 message(s) (nothing for you to do)"),
    ],
)
def test_status_speaks_the_coordinators_language(
    tmp_path: Path, language: str, tentative: str, calm: str
) -> None:
    config = setup(tmp_path, language)
    run(config, "2030-02-01T10:00", "register", "2030-03", "bo@example.fi", "--status", "maybe", "--quiet")
    output = run(config, "2030-02-01T10:00", "status").output
    assert tentative in output and calm in output, output
    assert run(config, "2030-02-01T10:00", "attention").output.strip() == i18n.translations(language).gettext(
        "Nothing needs attention."
    )


@pytest.mark.parametrize(
    ("language", "queued", "mailbox", "outbox", "nothing"),
    [
        (
            "fi",
            "Kutsuja tapaamiseen 2030-03 jonossa: 2;",
            "Postilaatikko: ",
            "Lähtevät: 3 lähetetty",
            "Ei uutta: mitään ei muutettu eikä lähetetty.",
        ),
        (
            "sv",
            "Inbjudningar till 2030-03 i kö: 2;",
            "Brevlåda: ",
            "Utkorg: 3 skickade",
            "Inget nytt: inget ändrades och inget skickades.",
        ),
    ],
)
def test_a_pass_is_reported_in_the_coordinators_language(
    tmp_path: Path, language: str, queued: str, mailbox: str, outbox: str, nothing: str
) -> None:
    config = setup(tmp_path, language)
    assert run(config, "2030-02-01T10:00", "invite", "2030-03").output.startswith(queued)
    (tmp_path / "inbox" / "new" / "1.eml").write_bytes(
        "From: Aino <aino@example.fi>\r\nTo: verkosto@example.org\r\nSubject: Re: kutsu\r\n"
        "Message-ID: <r1@example.fi>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Tulen mielelläni.\r\n".encode()
    )
    first = run(config, "2030-02-01T10:00", "run", "--once").output
    # Two invitations, and the list of open meetings for a yes that names neither.
    assert f"\n{mailbox}" in first and f"\n{outbox}" in first, first
    again = run(config, "2030-02-01T10:05", "run", "--once").output
    assert again.rstrip().endswith(nothing), again
    for english in ("Schedule:", "Mailbox:", "Outbox:", "new message(s)", "Nothing new"):
        assert english not in first + again, (english, first + again)


def test_registering_by_hand_answers_in_the_coordinators_language(tmp_path: Path) -> None:
    config = setup(tmp_path, "fi")
    done = run(config, "2030-02-01T10:00", "register", "2030-03", "aino@example.fi", "--quiet").output
    assert done.rstrip().endswith("; tila nyt: ilmoittautunut (mitään ei lähetetty)"), done
    wrong = run(config, "2030-02-01T10:00", "register", "2031-01", "aino@example.fi")
    assert wrong.exit_code == 2
    assert "virhe: asetuksissa ei ole tapaamista '2031-01'; tunnetut koodit: 2030-03, 2030-09" in wrong.output
    missing = run(config, "2030-02-01T10:00", "attention", "resolve", "7", "--as", "yes")
    assert "virhe: huomiokohdetta #7 ei ole; katso: automation attention" in missing.output, missing.output


def test_the_report_counts_attendance_only_for_meetings_held(tmp_path: Path) -> None:
    config = setup(tmp_path, "fi")
    run(config, "2030-02-01T10:00", "register", "2030-03", "aino@example.fi", "--quiet")
    run(config, "2030-05-01T10:00", "register", "2030-09", "aino@example.fi", "--quiet")
    run(config, "2030-05-01T10:00", "register", "2030-09", "bo@example.fi", "--quiet")
    output = run(config, "2030-05-01T10:00", "report", "--output", str(tmp_path / "r")).output
    assert "Osallistuminen 2030: 1 tapaamista; kahden tapaamisen sääntö EI täyttynyt" in output
    assert "osallistunut    1" in output
    assert "2030-09" in output and "ei vielä pidetty: 2 ilmoittautunutta" in output
    assert "sääntö täyttyy, kun suunnitellut tapaamiset on pidetty" in output
    book = load_workbook(tmp_path / "r" / "participation-2030.xlsx", read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:5] == ("Tapaaminen", "Päivä", "Kutsutut", "Ilmoittautuneet", "Osallistuneet")
    held, planned = rows[1], rows[2]
    assert held[0] == "2030-03" and held[4] == 1
    assert planned[0] == "2030-09" and planned[3] == 2 and planned[4] is None
    csv_text = (tmp_path / "r" / "participation-2030.csv").read_text(encoding="utf-8")
    assert csv_text.startswith("\ufeffTapaaminen;Päivä;")


def test_every_terminal_message_is_translated_into_finnish_and_swedish() -> None:
    found: set[str] = set()
    for path in glob.glob(str(REPO / "automation" / "**" / "*.py"), recursive=True):
        for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "n_": (1, 2), "N_": None}
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    assert len(found) > 40
    for language in ("fi", "sv"):
        known = getattr(i18n.translations(language), "_catalog", {})
        ids = {key[0] if isinstance(key, tuple) else key for key, text in known.items() if text}
        missing = sorted(found - ids)
        assert not missing, (language, missing)
