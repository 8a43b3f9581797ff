"""Follow-up items in a meeting's summary (pure).

A summary may end a section headed `## Jatkotoimet`, `## Uppföljning` or `## Follow-up` (any
heading level, any case) whose list lines read `- what is to be done — who` (an em or en dash,
or " - " between the two). Each line is one item; the owner is the organisation or person the
line names. Lines without an owner are reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HEADINGS = {"jatkotoimet", "jatkotoimenpiteet", "uppföljning", "follow-up", "follow-ups", "followup"}
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*[-*+]\s+(.+?)\s*$")
_OWNER = re.compile(r"^(.+?)\s+(?:—|–|-{1,2})\s+(.+)$")
# An initiative the item carries forward, e.g. ALOITE-2024-007.
REFERENCE = re.compile(r"\b[A-Z]{2,12}-\d{4}-\d{3}\b")


@dataclass(frozen=True)
class FollowupLine:
    text: str
    owner: str  # "" when the line names nobody
    initiative: str = ""


def followup_lines(markdown: str) -> list[FollowupLine]:
    """The items of the summary's follow-up section, in order (empty when it has none)."""
    items: list[FollowupLine] = []
    level = 0  # the section's heading level while inside it
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            depth, title = len(heading.group(1)), heading.group(2).strip().rstrip(":").lower()
            if title in HEADINGS:
                level = depth
            elif level and depth <= level:
                level = 0  # a heading of the same or a higher level ends the section
            continue
        item = _ITEM.match(line) if level else None
        if item:
            items.append(_line(item.group(1)))
    return items


def _line(content: str) -> FollowupLine:
    found = _OWNER.match(content)
    text, owner = (found.group(1), found.group(2)) if found else (content, "")
    reference = REFERENCE.search(content)
    return FollowupLine(text.strip(), owner.strip().rstrip("."), reference.group(0) if reference else "")


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching an owner to the preparatory group."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
