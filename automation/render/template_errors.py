"""A template error as the coordinator can act on it: the file, the line and, for a mistyped
placeholder, the one they meant ("{{ meeting.theem }} is unknown; did you mean
{{ meeting.theme }}?"). Pure: the error, the templates' directory and the context in."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, UndefinedError

FIX = "fix: correct it in the template (the placeholders are listed in templates/README.md)"


class PlaceholderError(UndefinedError):
    """An unknown placeholder, its message naming the one meant; `located` adds file and line."""

    def __init__(self, message: str, filename: str | None, lineno: int | None) -> None:
        super().__init__(message)
        self.filename = filename
        self.lineno = lineno

    @property
    def located(self) -> str:
        return f"{where(self.filename, self.lineno)}: {self.message}; {FIX}"


def placeholder_error(exc: UndefinedError, directory: Path, context: Mapping[str, Any]) -> PlaceholderError:
    filename, lineno = location(exc, directory)
    return PlaceholderError(explain(exc, filename, lineno, context), filename, lineno)


def location(exc: TemplateError, directory: Path) -> tuple[str | None, int | None]:
    """The template file and line an error happened in (Jinja keeps the template's lines in the
    traceback of an error at render time: an undefined variable has no `lineno`)."""
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename and lineno:
        return filename, lineno
    root = str(directory.resolve())
    trace = exc.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.startswith((root, str(directory))) or name.endswith((".md", ".html", ".txt")):
            filename, lineno = name, trace.tb_lineno
        trace = trace.tb_next
    return filename, lineno


def where(filename: str | None, lineno: int | None) -> str:
    return f"{filename or 'a template'}" + (f":{lineno}" if lineno else "")


def explain(exc: UndefinedError, filename: str | None, lineno: int | None, context: Mapping[str, Any]) -> str:
    text = str(exc.message or exc)
    found = re.search(r"'(\w+)' is undefined", text)
    parent = ""
    if found is None:
        found = re.search(r"has no attribute '(\w+)'", text)
        if found is None:
            return text
        parent = _parent(filename, lineno, found.group(1))
    name = found.group(1)
    written = f"{parent}.{name}" if parent else name
    meant = _closest(name, parent, context)
    return f"{{{{ {written} }}}} is unknown" + (f" (did you mean {{{{ {meant} }}}}?)" if meant else "")


def _closest(name: str, parent: str, context: Mapping[str, Any]) -> str:
    """The placeholder meant: a name beside it, or (for a bare name) one a level down, such as
    meeting.place for `plase`."""
    scored: list[tuple[float, str]] = []
    for candidate in _names(_resolve(context, parent)):
        full = f"{parent}.{candidate}" if parent else candidate
        scored.append((difflib.SequenceMatcher(None, name, candidate).ratio(), full))
        if not parent:
            for inner in (
                _names(context.get(candidate)) if isinstance(context.get(candidate), Mapping) else []
            ):
                ratio = difflib.SequenceMatcher(None, name, inner).ratio() - 0.05
                scored.append((ratio, f"{candidate}.{inner}"))
    best = max(scored, key=lambda item: item[0], default=(0.0, ""))  # the first of equals
    return best[1] if best[0] >= 0.6 else ""


def _parent(filename: str | None, lineno: int | None, attribute: str) -> str:
    """What the attribute was asked of, read from the template's line: `meeting` of meeting.theem."""
    try:
        line = Path(filename or "").read_text(encoding="utf-8").split("\n")[(lineno or 0) - 1]
    except (OSError, IndexError):
        return ""
    found = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(attribute)}\b", line)
    return found.group(1) if found else ""


def _resolve(context: Mapping[str, Any], path: str) -> Any:
    value: Any = context
    for part in filter(None, path.split(".")):
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


def _names(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if is_dataclass(value):
        return [f.name for f in fields(value)]
    return [n for n in dir(value) if not n.startswith("_")] if value is not None else []
