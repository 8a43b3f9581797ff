"""A contact list as a spreadsheet saves it: CSV from Excel in a Finnish, Swedish or English
locale (`;` or `,`, UTF-8 with or without BOM, cp1252, UTF-16 "Unicode text") or .xlsx.

Headers may be in fi/sv/en (Sähköposti, E-post, Email; Etunimi + Sukunimi or Nimi; …), a
language may be a word (suomi, svenska, englanti, fi-FI), and a `status` column says whether the
contact is active. Every address is validated (email-validator, no DNS). A bad row is refused
with its line number and the reason; nothing of it is used. Pure: a path in, rows out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from automation.errors import AutomationError, ConfigError
from automation.model import Contact

# Normalised header (casefolded, without spaces, dashes, dots, underscores) → our field.
_HEADERS: dict[str, str] = {}
for _field, _names in {
    "email": "email e-mail emailaddress sähköposti sähköpostiosoite sposti s-posti e-post epost"
    " epostadress e-postadress mail",
    "name": "name fullname nimi kokonimi namn fullständigtnamn",
    "first": "firstname givenname etunimi förnamn fornamn",
    "last": "lastname surname familyname sukunimi efternamn",
    "organisation": "organisation organization org organisaatio yritys company employer työnantaja"
    " arbetsgivare företag",
    "language": "language lang kieli asiointikieli språk sprak",
    "status": "status tila aktiivinen active",
}.items():
    for _name in _names.split():
        _HEADERS[re.sub(r"[\s._-]", "", _name)] = _field

_LANGUAGES: dict[str, str] = {}
for _code, _words in {
    "fi": "fi fin fi-fi fi_fi suomi suomeksi suomenkieli suomenkielinen finnish finska",
    "sv": "sv swe sv-fi sv_fi sv-se sv_se ruotsi ruotsiksi ruotsinkieli svenska svensk swedish",
    "en": "en eng en-gb en_gb en-us en_us englanti englanniksi englanninkieli english engelska",
}.items():
    for _word in _words.split():
        _LANGUAGES[_word] = _code

_ACTIVE = {"", "active", "aktiivinen", "aktiv", "kyllä", "ja", "yes", "voimassa", "1", "true"}
_INACTIVE = {
    "inactive", "passiivinen", "inaktiv", "ei aktiivinen", "poistettu", "poista", "removed", "remove",
    "deleted", "borttagen", "ta bort", "ei", "nej", "no", "0", "false", "lopettanut", "left", "slutat",
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    line: int
    contact: Contact
    active: bool | None  # None: the file has no status column


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str


@dataclass(frozen=True)
class ContactFile:
    path: Path
    rows: tuple[Row, ...]
    refused: tuple[Refused, ...]
    columns: frozenset[str]  # our fields the file has: only these are changed on import
    form: str  # how it was read, e.g. "CSV, ';', cp1252"


def read_contact_file(path: Path, languages: Sequence[str]) -> ContactFile:
    """Read `path` (.xlsx or CSV of any Excel locale). AutomationError for an unreadable file or a
    header without an address column; bad rows are returned as refused, with the reason."""
    if not path.exists():
        raise AutomationError(
            f"{path}: contact list not found; fix: create it (a spreadsheet with the columns"
            " Sähköposti / E-post / Email, Nimi or Etunimi + Sukunimi, Organisaatio, Kieli)"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        lines, form = _xlsx_lines(path), "Excel workbook"
    elif path.suffix.lower() == ".xls":
        raise AutomationError(
            f"{path}: the old Excel format (.xls) cannot be read; fix: in Excel choose Save As,"
            " Excel Workbook (.xlsx), or CSV UTF-8"
        )
    else:
        lines, form = _csv_lines(path)
    fields = _header(path, lines)
    rows: list[Row] = []
    refused: list[Refused] = []
    seen: dict[str, int] = {}
    for line, cells in lines:
        values = {fields[i]: (cell or "").strip() for i, cell in enumerate(cells) if i in fields}
        if not any(values.values()):
            continue  # an empty row of the sheet
        result = _row(line, values, languages, seen)
        if isinstance(result, Refused):
            refused.append(result)
        else:
            seen[result.contact.email] = line
            rows.append(result)
    return ContactFile(path, tuple(rows), tuple(refused), frozenset(fields.values()), form)


def read_contacts(path: Path, languages: Sequence[str]) -> list[Contact]:
    """The configured contact list: every bad row is a problem naming its line (for `check` and
    the daemon, which use the file whole or not at all). Inactive rows are left out."""
    found = read_contact_file(path, languages)
    if found.refused:
        raise ConfigError([f"{path}:{r.line}: {r.reason}; fix it or delete the line" for r in found.refused])
    return [row.contact for row in found.rows if row.active is not False]


def _header(path: Path, lines: Iterator[tuple[int, list[str | None]]]) -> dict[int, str]:
    """The columns, from the first row naming an address column among the first ten non-empty
    rows (a sheet may begin with a title such as "Yhteystiedot 2024")."""
    first: tuple[int, list[str | None]] | None = None
    for count, (line, cells) in enumerate(lines):
        if not any((c or "").strip() for c in cells):
            continue
        first = first or (line, cells)
        fields = _fields(cells)
        if "email" in fields.values():
            return fields
        if count >= 10:
            break
    line, header = first or (1, [])
    shown = ", ".join(repr(t) for t in header if t) or "nothing"
    raise ConfigError(
        [
            f"{path}:{line}: no column of email addresses in the header (found {shown}); fix: name"
            " the column Sähköposti, E-post or Email (also: Nimi or Etunimi + Sukunimi,"
            " Organisaatio, Kieli, Tila)"
        ]
    )


def _fields(header: list[str | None]) -> dict[int, str]:
    fields: dict[int, str] = {}
    for index, title in enumerate(header):
        field = _HEADERS.get(re.sub(r"[\s._*-]", "", (title or "").casefold()))
        if field and field not in fields.values():
            fields[index] = field
    return fields


def _row(line: int, values: dict[str, str], languages: Sequence[str], seen: dict[str, int]) -> Row | Refused:
    raw = values.get("email", "").removeprefix("mailto:").strip()
    if not raw:
        return Refused(line, "no email address")
    try:
        email = validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        return Refused(line, f"{raw!r} is not a valid email address ({exc})")
    if email in seen:
        return Refused(line, f"{email} is already on line {seen[email]}")
    word = values.get("language", "").casefold()
    language = _LANGUAGES.get(word, word)
    if language and language not in languages:
        known = "suomi/fi, svenska/sv, englanti/en"
        return Refused(
            line,
            f"language {values['language']!r} is not one of the network's ({', '.join(languages)});"
            f" write {known} or leave it empty",
        )
    active: bool | None = None
    if "status" in values:
        status = " ".join(values["status"].casefold().split())
        if status not in _ACTIVE | _INACTIVE:
            return Refused(
                line,
                f"status {values['status']!r} is unknown; write active/aktiivinen or inactive/passiivinen",
            )
        active = status in _ACTIVE
    name = values.get("name") or " ".join(p for p in (values.get("first"), values.get("last")) if p)
    return Row(line, Contact(email, name, values.get("organisation", ""), language), active)


def _csv_lines(path: Path) -> tuple[Iterator[tuple[int, list[str | None]]], str]:
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = data.decode("utf-16"), "UTF-16"
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    shown = {"\t": "tab"}.get(delimiter, repr(delimiter))

    def numbered() -> Iterator[tuple[int, list[str | None]]]:
        for cells in reader:
            yield reader.line_num, list(cells)

    return numbered(), f"CSV, {shown}, {encoding}"


def _xlsx_lines(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise AutomationError(
            f"{path}: not a readable Excel workbook ({exc}); fix: save it again from Excel as .xlsx"
        ) from exc
    try:
        sheet = book.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [None if c is None else _cell(c) for c in cells]
    finally:
        book.close()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
