"""The coordinator's contact list from a spreadsheet: Finnish and Swedish Excel CSV, .xlsx,
validated addresses, refused rows with their line, dry runs, removing contacts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from automation.cli import main

CONFIG = """
[network]
address = "verkosto@example.org"

[mailbox]
kind = "maildir"
path = "inbox"

[sending]
kind = "maildir"
path = "sent"

[storage]
database = "verkosto.db"

[contacts]
file = "yhteystiedot.csv"

[[meetings]]
code = "2030-03"
start = 2030-03-12T09:00:00
end = 2030-03-12T12:00:00
registration_deadline = 2030-02-22
"""


def setup(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG + extra, encoding="utf-8")
    (tmp_path / "yhteystiedot.csv").write_text("email\n", encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(config), "--now", "2030-01-10T10:00", *args])


def contacts(tmp_path: Path) -> dict[str, tuple[str, str, str, str]]:
    with sqlite3.connect(tmp_path / "verkosto.db") as db:
        rows = db.execute("SELECT email, name, organisation, language, removed_at FROM contacts").fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


FINNISH_EXCEL = (
    "Etunimi;Sukunimi;Sähköposti;Organisaatio;Kieli\r\n"
    "Aino;Järvinen;Aino.Jarvinen@Example.fi;Espoon kaupunki;suomi\r\n"
    "Åsa;Sjöholm;asa.sjoholm@example.fi;Borgå stad;ruotsi\r\n"
    "Matti;Meikäläinen;matti@;Opetushallitus;suomi\r\n"
    "Hannah;Clarke;hannah.clarke@example.fi;Tampereen yliopisto;englanti\r\n"
    "Ville;Mäenpää;ville.maenpaa@example.fi;Sanoma Pro;fi-FI\r\n"
    "Pia;Virta;pia.virta@example.fi;Otava;saksa\r\n"
    ";;;;\r\n"
)


def test_finnish_excel_csv_semicolons_cp1252_words_for_languages(tmp_path: Path) -> None:
    config = setup(tmp_path)
    sheet = tmp_path / "Yhteystiedot.csv"
    sheet.write_bytes(FINNISH_EXCEL.encode("cp1252"))
    result = run(config, "contacts", "import", str(sheet))
    assert result.exit_code == 1, result.output
    assert "4 added" in result.output and "2 rows refused" in result.output
    assert "line 4: 'matti@' is not a valid email address" in result.output
    assert "line 7: language 'saksa'" in result.output
    assert "cp1252" in result.output and "';'" in result.output
    stored = contacts(tmp_path)
    assert set(stored) == {
        "aino.jarvinen@example.fi",
        "asa.sjoholm@example.fi",
        "hannah.clarke@example.fi",
        "ville.maenpaa@example.fi",
    }
    assert stored["asa.sjoholm@example.fi"][:3] == ("Åsa Sjöholm", "Borgå stad", "sv")
    assert stored["hannah.clarke@example.fi"][2] == "en"
    assert stored["ville.maenpaa@example.fi"][2] == "fi"
    # A second import finds nothing new; nothing of the refused rows was stored on the way.
    again = run(config, "contacts", "import", str(sheet))
    assert "0 added, 0 changed" in again.output and "4 unchanged" in again.output


def test_swedish_excel_utf8_bom_and_full_name(tmp_path: Path) -> None:
    config = setup(tmp_path)
    sheet = tmp_path / "kontakter.csv"
    text = "Förnamn;Efternamn;E-post;Organisation;Språk\nÅsa;Sjöholm;asa@example.fi;Borgå stad;svenska\n"
    sheet.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    result = run(config, "contacts", "import", str(sheet))
    assert result.exit_code == 0, result.output
    assert contacts(tmp_path)["asa@example.fi"][:3] == ("Åsa Sjöholm", "Borgå stad", "sv")
    english = tmp_path / "people.csv"
    english.write_text("Name,Email,Language\nHannah Clarke,hannah@example.fi,English\n", encoding="utf-8")
    assert run(config, "contacts", "import", str(english)).exit_code == 0
    # The English file has no organisation column: Åsa's organisation is not blanked by it.
    assert contacts(tmp_path)["hannah@example.fi"][0] == "Hannah Clarke"
    assert contacts(tmp_path)["asa@example.fi"][1] == "Borgå stad"


def test_xlsx_with_a_title_row_and_dry_run_stores_nothing(tmp_path: Path) -> None:
    from openpyxl import Workbook

    config = setup(tmp_path)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Verkoston yhteystiedot 2030"])
    sheet.append(["Etunimi", "Sukunimi", "Sähköposti", "Organisaatio", "Kieli"])
    sheet.append(["Aino", "Järvinen", "aino@example.fi", "Espoon kaupunki", "Suomi"])
    sheet.append(["Bo", "Ek", "bo@example", "Borgå stad", "ruotsi"])
    path = tmp_path / "yhteystiedot.xlsx"
    book.save(path)
    dry = run(config, "contacts", "import", "--dry-run", str(path))
    assert "Dry run: nothing was stored" in dry.output and "1 to add" in dry.output, dry.output
    assert "line 4: 'bo@example' is not a valid email address" in dry.output
    assert contacts(tmp_path) == {}
    real = run(config, "contacts", "import", str(path))
    assert "1 added" in real.output
    assert contacts(tmp_path)["aino@example.fi"][:3] == ("Aino Järvinen", "Espoon kaupunki", "fi")


def test_a_file_without_an_address_column_is_one_line_naming_the_fix(tmp_path: Path) -> None:
    config = setup(tmp_path)
    sheet = tmp_path / "nimet.csv"
    sheet.write_text("Nimi;Puhelin\nAino;040\n", encoding="utf-8")
    result = run(config, "contacts", "import", str(sheet))
    assert result.exit_code == 2
    assert "no column of email addresses" in result.output and "Sähköposti" in result.output
    assert "Traceback" not in result.output


def test_remove_and_status_column_stop_invitations_and_keep_history(tmp_path: Path) -> None:
    config = setup(tmp_path)
    sheet = tmp_path / "lista.csv"
    sheet.write_text(
        "Sähköposti;Nimi;Tila\na@example.fi;A;aktiivinen\nb@example.fi;B;passiivinen\nc@example.fi;C;\n",
        encoding="utf-8",
    )
    result = run(config, "contacts", "import", str(sheet))
    assert "2 added" in result.output and "1 removed" in result.output, result.output
    assert run(config, "register", "2030-03", "c@example.fi", "--quiet").exit_code == 0
    removed = run(config, "contacts", "remove", "C@example.fi")
    assert removed.exit_code == 0, removed.output
    assert "c@example.fi removed" in removed.output
    assert "automation cancel 2030-03 c@example.fi" in removed.output
    assert "already removed" in run(config, "contacts", "remove", "c@example.fi").output
    unknown = run(config, "contacts", "remove", "nobody@example.fi")
    assert unknown.exit_code == 2 and "not on the contact list" in unknown.output
    invited = run(config, "invite", "2030-03")
    assert "queued 1 invitation(s)" in invited.output, invited.output
    # History stays: the registration is still there, the contact row is kept as removed.
    registrations = run(config, "registrations", "2030-03")
    assert "c@example.fi" in registrations.output
    assert contacts(tmp_path)["c@example.fi"][3] != ""
    # Restoring is explicit: an import saying active brings them back.
    sheet.write_text("Sähköposti;Tila\nc@example.fi;active\n", encoding="utf-8")
    assert "1 restored" in run(config, "contacts", "import", str(sheet)).output
