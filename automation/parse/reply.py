"""The new text of a reply: quoted history, attribution lines and signatures removed.

mail-parser-reply does the work for Swedish and English; it has no Finnish, so we register
Finnish patterns (Outlook's "Lähettäjä:/Lähetetty:" block, Gmail/Apple's "... kirjoitti:") in its
language table. A last, language-neutral pass cuts at the first quoted line, because a reply we
act on must never be read from the invitation it quotes.
"""

from __future__ import annotations

import re

from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE
from mailparser_reply.parser import EmailMessage

_FINNISH = {
    # "ti 13.2.2024 klo 10.00 Verkosto <verkosto@example.org> kirjoitti:" (Gmail),
    # "13.2.2024 kello 10.00, Verkosto <...> kirjoitti:" (Apple Mail)
    "wrote_header": r"^(" + QUOTED_MATCH_INCLUDE + r".{0,200}\skirjoitti\s?:)$",
    "from_header": r"((?:(?:^|\n|\n"
    + QUOTED_MATCH_INCLUDE
    + r")[* ]*(?:Lähettäjä|Lähetetty|Vastaanottaja|Aihe|Päivämäärä|Kopio|Päiväys):[ *]*"
    r"(?:\s{,2}).*){2,}(?:\n.*){,1})",
    "disclaimers": ["Huomio:", "Luottamuksellinen:"],
    "signatures": [
        "Ystävällisin terveisin",
        "Ystävällisesti",
        "Parhain terveisin",
        "Terveisin",
        "Terv\\.",
        "t\\. [A-ZÅÄÖ]\\w+",
    ],
    "sent_from": "Lähetetty (?:iPhonesta|iPadista|Androidista|Outlookista|puhelimesta)",
}
MAIL_LANGUAGES.setdefault("fi", _FINNISH)

_LANGUAGES = ("fi", "sv", "en")
# The library joins and compiles its three big patterns for every message it reads; they depend
# only on the languages, so they are built once here and handed to each message.
_PATTERN_SOURCE = EmailMessage(text="", languages=list(_LANGUAGES))
_PATTERNS = {
    "_header_regex": _PATTERN_SOURCE.HEADER_REGEX,
    "_disclaimers_regex": _PATTERN_SOURCE.DISCLAIMERS_REGEX,
    "_signature_regex": _PATTERN_SOURCE.SIGNATURE_REGEX,
}


def _library_reply(text: str) -> str:
    """mail-parser-reply's latest reply (what `EmailReplyParser.parse_reply` returns)."""
    message = EmailMessage(text=text, languages=list(_LANGUAGES), **_PATTERNS)
    return message.read().latest_reply or ""


_ATTRIBUTION = re.compile(
    r"^(?:.{0,300}\b(?:wrote|kirjoitti|skrev|schrieb|a écrit)\s*:"
    # Swedish and some other Gmails put the name after the verb: "… kl. 10:00 skrev Verkosto <…>:"
    r"|[^\n]{0,80}\d[^\n]{0,120}\b(?:skrev|wrote|kirjoitti)\b[^\n]{1,200}:)\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTE_LINE = re.compile(r"^\s*>", re.MULTILINE)
_FORWARD_MARKERS = re.compile(
    r"^\s*(-{2,} ?(Original Message|Alkuperäinen viesti|Ursprungligt meddelande|Forwarded message"
    r"|Välitetty viesti|Vidarebefordrat meddelande) ?-{2,}|_{20,})\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE_DASHES = re.compile(r"^-- ?$", re.MULTILINE)
# The legal notices organisations append to every mail, in the shapes they are written in: they
# are full of "not", "ei" and "inte" ("if you are not the intended recipient…") and never part
# of the answer, so the text is cut where one begins.
_DISCLAIMER = re.compile(
    r"^[ \t*_>]*(?:"
    r"(?:this|the information in this|the contents of this) (?:e-?mail|message|communication)"
    r"[^\n]{0,80}\b(?:may contain|contains|is intended|is confidential|is for the)"
    r"|(?:confidentiality notice|disclaimer|legal notice|privileged ?(?:&|and) ?confidential)\b"
    r"|if you (?:are not|have received this)[^\n]{0,40}\b(?:intended|in error)"
    r"|tämä (?:sähkö)?(?:posti)?viesti[^\n]{0,60}"
    r"\b(?:voi|saattaa|sisältää|on tarkoitettu|on luottamuksellinen)"
    r"|(?:luottamuksellisuus|vastuuvapauslauseke|huomautus)\s*:"
    r"|jos (?:olet saanut|et ole) tämän viestin"
    r"|(?:detta|det här) (?:e-?post)?(?:meddelande|mejl|mail)[^\n]{0,60}"
    r"\b(?:kan innehålla|innehåller|är avsett|är konfidentiell)"
    r"|om du (?:inte är|har fått detta)[^\n]{0,40}\b(?:mottagare|av misstag)"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
_MAX_INPUT = 50_000  # the new text of a reply is short; bound the regex work on huge bodies


def latest_reply(text: str) -> str:
    """The part of `text` the sender wrote now."""
    text = normalise(text)
    cut = _cut_at_history(text)
    try:
        parsed = _library_reply(cut)
    except Exception:  # noqa: BLE001 - third-party regexes on hostile text: fall back to our cut
        parsed = cut
    # The library keeps a bottom-posted reply's quote if no header matched; our cut wins then.
    result = parsed if parsed.strip() else cut
    return _strip_signature(result).strip()


def normalise(text: str) -> str:
    """Line ends unified, runs of blanks and blank lines shortened, length bounded: the reply
    regexes (ours and mail-parser-reply's) are quadratic on long whitespace runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")[:_MAX_INPUT]
    text = _BLANKS.sub(" ", text)
    return _EMPTY_LINES.sub("\n\n\n", text)


_BLANKS = re.compile(r"(?:[^\S\n]|\u200b){3,}")  # any whitespace but a line end, and zero-width
_EMPTY_LINES = re.compile(r"\n(?:[^\S\n]*\n){3,}")


def _cut_at_history(text: str) -> str:
    positions = [len(text)]
    for pattern in (_ATTRIBUTION, _FORWARD_MARKERS, _SIGNATURE_DASHES, _DISCLAIMER):
        found = pattern.search(text)
        if found:
            positions.append(found.start())
    first_quote = _QUOTE_LINE.search(text)
    if first_quote and text[: first_quote.start()].strip():
        positions.append(first_quote.start())
    cut = text[: min(positions)]
    if not cut.strip() or (first_quote and not text[: first_quote.start()].strip()):
        # Bottom-posting (new text after the quote): keep the unquoted lines.
        unquoted = [line for line in text.splitlines() if not _QUOTE_LINE.match(line)]
        cut = "\n".join(line for line in unquoted if not _ATTRIBUTION.match(line))
    return cut


def _strip_signature(text: str) -> str:
    match = _SIGNATURE_DASHES.search(text)
    return text[: match.start()] if match else text
