"""Files the coordinator opens in Excel: .xlsx (openpyxl), and CSV as Excel in their locale
reads it (`;` and a BOM in Finnish and Swedish, `,` in English). Pure: rows in, bytes or text out."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]  # title, headers, rows


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Any]], language: str) -> str:
    """CSV that opens in columns in Excel of `language`'s locale (fi, sv: `;` and a BOM)."""
    local = language in ("fi", "sv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if local else ",")
    writer.writerow(headers)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return ("\ufeff" if local else "") + buffer.getvalue()


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per (title, headers, rows): bold frozen header, autofilter,
    columns as wide as their content (up to 60 characters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active) if book.active is not None else None
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title[:31])
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) for h in headers]
        for row in rows:
            values = ["" if v is None else v for v in row]
            sheet.append(values)
            widths = [max(w, len(str(v))) for w, v in zip(widths, values, strict=False)]
        sheet.freeze_panes = "A2"
        if rows:
            sheet.auto_filter.ref = sheet.dimensions
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write atomically: a reader (Excel on a shared folder) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_bytes(xlsx_bytes(sheets))
    scratch.replace(path)
    return path


def xlsx_attachment(filename: str, sheets: Sequence[Sheet]) -> dict[str, str]:
    """An attachment as the outbox stores it (JSON): the workbook base64-encoded."""
    return {"filename": filename, "mime": XLSX_TYPE, "base64": base64.b64encode(xlsx_bytes(sheets)).decode()}
