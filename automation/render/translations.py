"""Names and follow-up items in the reader's language (issue 28, item 5).

A follow-up item is recorded from one summary (the first language's); where the summary was also
written in the reader's language (`<code>.sv.md`) with the same follow-up list, that version's
line at the same position is the item in their language. An owner or organisation named in one
language is shown by the configured organisation's name in the reader's ({fi=…, sv=…, en=…},
matched by any of its forms and aliases). English running text takes the article:
"from the Association of Finnish Municipalities".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.config import Settings, ordered
from automation.model import localised
from automation.parse.followups import FollowupLine, fold, followup_lines
from automation.parse.submission_text import read_summary

_CACHE: dict[tuple[str, float], list[FollowupLine]] = {}


@dataclass(frozen=True)
class Version:
    text: str
    owner: str
    language: str  # the language the text is in (the reader's, or the summary's when untranslated)


def organisation_in(name: str, settings: Settings, language: str) -> str:
    """`name` as the reader's language writes it, when it is a configured organisation (any
    form or alias); else as written."""
    wanted = fold(name)
    if not wanted:
        return name
    for value in _organisation_names(settings):
        forms = list(value.values()) if isinstance(value, dict) else [value]
        aliases = _aliases(settings, value)
        if any(fold(form) == wanted for form in (*forms, *aliases)):
            return localised(ordered(value, settings.network.languages), language)
    return name


def _organisation_names(settings: Settings) -> list[str | dict[str, str]]:
    names: list[str | dict[str, str]] = [o.name for o in settings.organisations]
    names += [o.organisation for o in settings.organisers if isinstance(o.organisation, dict)]
    names += [e.organisation for e in settings.rotation.order if isinstance(e.organisation, dict)]
    return names


def _aliases(settings: Settings, value: str | dict[str, str]) -> list[str]:
    return [alias for o in settings.organisations if o.name == value for alias in o.aliases]


def followup_version(settings: Settings, row: dict[str, Any], language: str) -> Version:
    """The item `row` (a stored follow-up: meeting, position, text, owner, language) in
    `language`: the translated summary's line when there is one, else the stored text with the
    owner's organisation named in `language`."""
    stored = Version(row["text"], row["owner"], row.get("language") or settings.network.default_language)
    if language != stored.language:
        lines = _summary_lines(settings, row["meeting"], language)
        original = _summary_lines(settings, row["meeting"], stored.language)
        position = int(row.get("position") or 0)
        # Only a list of the same length can be matched line by line.
        if lines and len(lines) == len(original) and 0 < position <= len(lines):
            line = lines[position - 1]
            stored = Version(line.text, line.owner or stored.owner, language)
    if stored.language == language:
        return stored  # as the summary in the reader's language wrote it (an alias such as "OPH" too)
    return Version(stored.text, organisation_in(stored.owner, settings, language), stored.language)


def _summary_lines(settings: Settings, code: str, language: str) -> list[FollowupLine]:
    directory = settings.path(settings.summaries.directory)
    suffix = "" if language == settings.network.default_language else f".{language}"
    path = Path(directory) / f"{code}{suffix}.md"
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return []
    key = (str(path), stamp)
    if key not in _CACHE:
        _, markdown = read_summary(path.read_text(encoding="utf-8"))
        _CACHE[key] = followup_lines(markdown)
    return _CACHE[key]


# English names of institutions take the article: "the Ministry of …", "the City of Espoo",
# "the Finnish National Agency for Education"; "Aalto University", "Sitra" do not.
_THE = re.compile(
    r"^(?:association|federation|union|ministry|agency|board|office|city|town|municipality|region"
    r"|council|university of|institute|centre|center|foundation|society)\b|\s(?:of|for)\s",
    re.IGNORECASE,
)


def with_article(name: str, start: bool = False) -> str:
    """An English organisation name as running text writes it: "the Association of Finnish
    Municipalities", "the Finnish National Agency for Education", "Aalto University"; `start`
    capitalises the article at a sentence's start."""
    stripped = name.strip()
    article = "The " if start else "the "
    if stripped.lower().startswith("the "):
        return article + stripped[4:]
    if not stripped or not _THE.search(stripped):
        return stripped
    return article + stripped
