"""Importing a contact list from Excel: 5,000 rows of .xlsx (Finnish headers, languages as
words) through `automation contacts import`, into an empty register. The limit is 5 s.

    .venv/bin/python benchmarks/contacts_xlsx.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner
from openpyxl import Workbook

from automation.cli import main

LIMIT_SECONDS = 5.0
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
file = "yhteystiedot.xlsx"
"""


def workbook(path: Path, rows: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Yhteystiedot")
    sheet.append(["Etunimi", "Sukunimi", "Sähköposti", "Organisaatio", "Kieli", "Tila"])
    languages = ("suomi", "ruotsi", "englanti", "fi-FI")
    for n in range(rows):
        sheet.append(
            [
                f"Etu{n}",
                f"Suku{n}",
                f"henkilo.{n}@kunta{n % 50}.fi",
                f"Kunta {n % 50}",
                languages[n % 4],
                "aktiivinen",
            ]
        )
    book.save(path)


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "config.toml").write_text(CONFIG, encoding="utf-8")
        sheet = root / "yhteystiedot.xlsx"
        workbook(sheet, args.rows)
        started = time.perf_counter()
        result = CliRunner().invoke(
            main, ["--config", str(root / "config.toml"), "contacts", "import", str(sheet)]
        )
        elapsed = time.perf_counter() - started
    if result.exit_code != 0 or f"{args.rows} added" not in result.output:
        print(result.output, file=sys.stderr)
        return 1
    verdict = "within" if elapsed < LIMIT_SECONDS else "OVER"
    print(
        f"imported {args.rows} contacts from .xlsx in {elapsed:.2f} s"
        f" ({verdict} the {LIMIT_SECONDS:.0f} s limit)"
    )
    return 0 if elapsed < LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main_())
