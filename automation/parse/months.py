"""The month names of the network's three languages, in one table for every reader of dates."""

from __future__ import annotations

# Finnish month names are compounds of a stem and "kuu" ("maaliskuu", "maaliskuun",
# "maaliskuuta"): the stems are listed, and a word names the month when it starts with stem + "kuu".
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "fi": (
        "tammi",
        "helmi",
        "maalis",
        "huhti",
        "touko",
        "kesä",
        "heinä",
        "elo",
        "syys",
        "loka",
        "marras",
        "joulu",
    ),
    "sv": (
        *("januari", "februari", "mars", "april", "maj", "juni"),
        *("juli", "augusti", "september", "oktober", "november", "december"),
    ),
    "en": (
        *("january", "february", "march", "april", "may", "june"),
        *("july", "august", "september", "october", "november", "december"),
    ),
}
# Swedish and English names (lower case) and the Finnish partitive written after a day number
# ("12. maaliskuuta") → the month's number.
MONTH_NUMBERS: dict[str, int] = {
    **{name: n for n, name in enumerate(MONTH_NAMES["en"], 1)},
    **{name: n for n, name in enumerate(MONTH_NAMES["sv"], 1)},
    **{f"{stem}kuuta": n for n, stem in enumerate(MONTH_NAMES["fi"], 1)},
}
# For regular expressions: every full name, longest first so "maaliskuuta" wins over a prefix.
MONTH_PATTERN = "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))


def month_number(word: str, language: str) -> int | None:
    """The month a word names in this language ("maaliskuun" → 3, "mars" → 3), or None."""
    lowered = word.lower()
    if language == "fi":
        return next(
            (n for n, stem in enumerate(MONTH_NAMES["fi"], 1) if lowered.startswith(stem + "kuu")), None
        )
    names = MONTH_NAMES.get(language, ())
    return names.index(lowered) + 1 if lowered in names else None
