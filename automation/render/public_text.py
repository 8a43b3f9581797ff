"""What of an initiative may be shown to everyone (pure): the text without its signature block,
found by structure rather than by a list of exact closings, without the "Julkaise nimeni" line
itself, without any line carrying a phone number or an email address, and without the
submitter's name unless they asked for it to be published.

A signature block is the tail of the text from a closing ("t. Matti", "Terv.", "Mvh",
"Best regards", "-Matti", "/Anna") on, or a last paragraph of short lines that begins with a
person's name ("Matti Meikäläinen / rehtori, Kuopion kaupunki"): short lines without a sentence's
end, at most a few of them, after the text proper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from automation.parse.reply import latest_reply
from automation.parse.submission_text import PUBLISH_NAME

_CLOSING = re.compile(
    r"^[ \t>*_]*(?:"
    r"(?:ystävällisin|parhain|lämpimin|aurinkoisin|keväisin|kesäisin|syksyisin|talvisin|kiireisin)?"
    r"\s*terv(?:eisin|eiset|\.)?|t\.|yst\.\s*terv\.?|ystävällisesti|kiittäen|kiitos|kiitoksin"
    r"|(?:med\s+)?(?:vänlig(?:a)?|bästa|varma)?\s*hälsning(?:ar)?|hälsn\.|mvh|vh|tack|tack\s+på\s+förhand"
    r"|(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|br|cheers|thanks|thank\s+you"
    r"|(?:yours\s+)?sincerely|yours"
    r")(?=$|[\s,.!:;/-])",
    re.IGNORECASE,
)
# "-Matti", "– Matti M.", "/Anna": a name signed with a dash or a slash.
_DASH_NAME = re.compile(r"^[ \t]*[-–—/~][ \t]*[A-ZÅÄÖ][\w'.-]*(?:[ \t]+[A-ZÅÄÖ][\w'.-]*){0,2}[ \t]*$")
# "Matti Meikäläinen", "Anna-Liisa de Vries": two to four words, the first two capitalised.
_PERSON = re.compile(r"^[ \t]*[A-ZÅÄÖ][\w'-]+[ \t]+(?:[a-zåäö]{1,3}[ \t]+)?[A-ZÅÄÖ][\w'-]+(?=$|[\s,/|(])")
_PHONE = re.compile(r"(?<![\w])\+?\(?\d[\d ().-]{5,}\d(?![\w])")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"\bhttps?://|\bwww\.", re.IGNORECASE)
_MAX_SIGNATURE_LINES = 7
_MAX_SIGNATURE_WORDS = 12
HIDDEN_NAME = "[…]"


def public_text(text: str, hidden_names: Iterable[str] = ()) -> str:
    """The text as the public site shows it; `hidden_names` (the submitter's name when they did
    not ask for it to be published) appear nowhere in it."""
    lines = [line for line in latest_reply(text).splitlines() if not PUBLISH_NAME.match(line)]
    lines = lines[: _signature_start(lines)]
    kept = [line for line in lines if not _EMAIL.search(line) and not _has_phone(line)]
    result = "\n".join(kept).strip()
    for name in sorted({n.strip() for n in hidden_names if len(n.strip()) > 2}, key=len, reverse=True):
        result = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", HIDDEN_NAME, result, flags=re.IGNORECASE)
    return result


def _signature_start(lines: list[str]) -> int:
    """The index where the signature block begins (len(lines) when there is none)."""
    filled = [n for n, line in enumerate(lines) if line.strip()]
    if len(filled) < 2:
        return len(lines)
    tail = filled[-_MAX_SIGNATURE_LINES:]
    # The earliest closing in the tail after which only signature-like lines follow.
    for n in tail:
        if n == filled[0]:
            continue  # the text proper cannot be all signature
        after = [lines[m] for m in filled if m > n]
        if _is_closing(lines[n]) and all(_signature_like(line) for line in after):
            return n
    # No closing: a last paragraph of short lines that begins with a person's name.
    start = _last_paragraph(lines)
    block = [line for line in lines[start:] if line.strip()]
    if (
        start > filled[0]
        and len(block) <= _MAX_SIGNATURE_LINES - 2
        and _PERSON.match(block[0])
        and all(_signature_like(line) for line in block)
    ):
        return start
    return len(lines)


def _is_closing(line: str) -> bool:
    stripped = line.strip()
    if _DASH_NAME.match(stripped):
        return True
    found = _CLOSING.match(stripped)
    if not found:
        return False
    rest = stripped[found.end() :].strip(" ,.!:;")
    # "Kiitos, että käsittelette tämän." is a sentence, not a closing: what follows the word
    # must be a name (maybe with a title or organisation) or a closing's usual continuation.
    if not rest or _CONTINUATION.match(rest):
        return True
    return (rest[:1].isupper() or rest[:1] in "/-–") and _signature_like(rest)


_CONTINUATION = re.compile(r"^(?:etukäteen|jo etukäteen|på förhand|in advance)$", re.IGNORECASE)


def _signature_like(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return True
    if _EMAIL.search(stripped) or _has_phone(stripped) or _URL.search(stripped):
        return True
    words = stripped.split()
    if len(words) > _MAX_SIGNATURE_WORDS or re.search(r"[!?…][\"”')]*$", stripped):
        return False
    # A sentence ends with a full stop; "Matti M." or "Kuopion kaupunki." do not make one.
    return not (stripped.endswith(".") and len(words) >= 4)


def _last_paragraph(lines: list[str]) -> int:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    return start


def _has_phone(line: str) -> bool:
    return any(sum(c.isdigit() for c in found.group(0)) >= 7 for found in _PHONE.finditer(line))
