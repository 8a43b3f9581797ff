"""Which meeting a clause names by month or season, and setting aside what is said about another one."""

from __future__ import annotations

from automation.parse.months import month_number
from automation.parse.reading.answers import (
    NO,
    YES,
    Clue,
)
from automation.parse.reading.words import (
    tokens,
)

_SPRING, _AUTUMN = range(1, 7), range(7, 13)


def _this_meeting(clues: list[Clue], month: int | None) -> tuple[list[Clue], tuple[str, ...], bool]:
    """ "Maaliskuun tapaamiseen en ehdi, syksyn tapaamiseen kyllä": with the meeting's month
    known, the clauses about another meeting are set aside (and passed on); without it, two
    meetings with different answers are asked about. A clause naming no meeting is about the
    one invited to."""
    named = {c.when for c in clues if c.when}
    if not named:
        return clues, (), False
    if month is None:
        answers = {c.answer for c in clues if c.about_sender}
        return clues, (), len(named) > 1 or (len(answers) > 1 and any(not c.when for c in clues))
    season = "spring" if month in _SPRING else "autumn"
    mine = [c for c in clues if c.when in ("", str(month), season)]
    other = tuple(dict.fromkeys(c.sentence for c in clues if c not in mine))
    return mine, other, False


_SEASONS = {
    "fi": (("kevä", "spring"), ("syksy", "autumn"), ("syys", "autumn")),
    "sv": (
        ("våren", "spring"),
        ("vårens", "spring"),
        ("vårträff", "spring"),
        ("vårmöt", "spring"),
        ("höst", "autumn"),
    ),
    "en": (("spring", "spring"), ("autumn", "autumn"), ("fall", "autumn")),
}
_MEETING_NOUNS = (
    "tapaami",
    "kokou",
    "tilaisuu",
    "träff",
    "möte",
    "mötet",
    "meeting",
    "session",
    "event",
    "one",
)


def _when(clause: str, language: str) -> str:
    """The meeting a clause names: a season ("syksyn tapaamiseen", "höstträffen", "the autumn
    one") or a month beside a word for a meeting ("maaliskuun tapaamiseen", "the March meeting",
    "mötet i maj"). A month alone ("helmikuussa olen lomalla") names no meeting."""
    words = [t for t in tokens(clause)]
    lowered = [t.lower() for t in words]
    for index, word in enumerate(lowered):
        near = lowered[max(0, index - 3) : index + 4]
        meeting = any(n.startswith(_MEETING_NOUNS) for n in near if n != word) or word.endswith(
            ("träffen", "mötet", "tapaaminen", "tapaamiseen", "tapaamisessa")
        )
        for stem, season in _SEASONS[language]:
            named = meeting or language != "en" or word in ("spring", "autumn")
            if word.startswith(stem) and named and not (word == "fall" and not meeting):
                return season
        number = month_number(word, language)
        if number is None or (language == "en" and word == "may" and not words[index][:1].isupper()):
            continue  # "may" in lower case is the modal, not the month
        if meeting:
            return str(number)
    return ""


def other_answers(clues: list[Clue], mine: list[Clue]) -> tuple[tuple[str, str, str], ...]:
    """The answer given to each other meeting named, when it is one clear yes or no about the
    sender with no hedge or condition ("syksyn tapaamiseen kyllä tulen"); anything less is only
    passed on."""
    found: list[tuple[str, str, str]] = []
    for when in dict.fromkeys(c.when for c in clues if c not in mine and c.when):
        about = [c for c in clues if c.when == when and c.about_sender]
        answers = {c.answer for c in about}
        if len(answers) == 1 and answers <= {YES, NO} and not any(c.hedge or c.condition for c in about):
            found.append((when, about[0].answer, about[0].sentence))
    return tuple(found)
