"""What a person meant, read from the new text of their message, in Finnish, Swedish and English.

Commands (unsubscribe, data export and erasure, joining) are phrases and are looked for first.
An answer to an invitation is read by `automation.parse.reading` sentence by sentence (lemmas,
negation, mood, hedges, questions, people named). Only where it finds no answer at all do the
older phrase patterns look (cancellation phrases first and blanked out, so that "Jag kommer inte"
is never read as "Jag kommer"); a yes beside a no is unclear and asked about, never guessed.
"""

from __future__ import annotations

import re

from automation.model import Details, Intent, Kind
from automation.parse.months import MONTH_NUMBERS, MONTH_PATTERN
from automation.parse.reading import Reading, read_answer
from automation.parse.reading.answers import MAYBE, NO, UNKNOWN, YES
from automation.parse.reply import normalise

_F = re.IGNORECASE | re.MULTILINE

CANCEL = {
    "fi": [
        r"\bperu(?:utan|n|tan|ttaa|taa|utus|utuksen)\b",
        r"\b(?:en|ei) (?:valitettavasti )?(?:pääse|pääsekään|tule|voi osallistua|osallistu|ehdi)",
        r"\bjoudun perumaan\b",
        r"\bestyn(?:eenä|yt)\b",
    ],
    "sv": [
        r"\bjag kan (?:tyvärr )?inte\b",
        r"\bkan (?:tyvärr )?inte (?:komma|delta)\b",
        r"\bjag kommer (?:tyvärr )?inte\b",
        r"\b(?:avbokar|avanmäler|återkallar|annullerar)\b",
        r"\bstryk min anmälan\b",
        r"\bförhindrad\b",
    ],
    "en": [
        r"\bcan(?:not|'t|’t| not) (?:attend|come|make it|join|participate)\b",
        r"\b(?:won't|won’t|will not) (?:attend|come|be able|make it|be there)\b",
        r"\bunable to (?:attend|come|join)\b",
        r"\bcancel(?:ling|ing|led)?\b(?: my (?:registration|attendance))?",
        r"\bplease (?:remove|withdraw) my registration\b",
    ],
}

REGISTER = {
    "fi": [
        r"^\W*kyllä\b",
        r"\b(?:tulen|osallistun|ilmoittaudun|pääsen)\b",
        r"\bilmoittaa? (?:minut|itseni)\b",
    ],
    "sv": [
        r"^\W*ja\b",
        r"\bjag (?:kommer|deltar)\b",
        r"\banmäler (?:mig|härmed)\b",
        r"\bjag anmäler\b",
    ],
    "en": [
        r"^\W*yes\b",
        r"\bi(?:'ll|’ll| will| shall) (?:attend|come|be there|join|participate)\b",
        r"\b(?:count me in|register me|sign me up)\b",
        r"\bi(?:'d|’d| would) like to (?:attend|register|join|participate)\b",
        r"\bi am attending\b|\bi'm attending\b",
    ],
}

COMMANDS = {
    "unsubscribe": {
        "fi": [
            r"\beroa listalta\b",
            r"\bpoista minut (?:listalta|postituslistalta)\b",
            r"\beroan\b",
        ],
        "sv": [r"\bavsluta\b", r"\bavregistrera mig\b", r"\bta bort mig från listan\b"],
        "en": [r"\bunsubscribe\b", r"\bremove me from (?:the|your) list\b"],
    },
    "export": {
        "fi": [r"\blähetä tietoni\b"],
        "sv": [r"\bskicka mina uppgifter\b"],
        "en": [r"\bsend (?:me )?my data\b"],
    },
    "erase": {
        "fi": [r"\bpoista tietoni\b"],
        "sv": [r"\bradera mina uppgifter\b"],
        "en": [r"\bdelete my data\b"],
    },
    "join": {
        "fi": [r"\bliityn verkostoon\b", r"\bhaluan liittyä\b"],
        "sv": [r"\bjag vill gå med\b"],
        "en": [r"\bi (?:want|would like) to join\b"],
    },
}

_FIELDS = {
    "name": r"nimi|namn|name",
    "organisation": r"organisaatio|organisation|organization|organisatio|org\.?|edustan|företräder",
    "diet": r"(?:erityis)?ruokavaliot?|allergiat?|specialkost|specialdiet|kost|allergier?"
    r"|diet(?:ary requirements?)?|allergies",
}
_FIELD_LINE = {key: re.compile(rf"^\W*(?:{names})\s*[:=-]\s*(.+)$", _F) for key, names in _FIELDS.items()}
ATTENDANCE = {
    "remote": r"\b(?:etänä|etäyhteydellä|etäosallistuj\w*|på distans|distans|digitalt|remotely"
    r"|online|virtually)\b",
    "onsite": r"\b(?:paikan päällä|paikan päälle|paikalla|på plats|in person|on site|on-site)\b",
}
_STOPWORDS = {
    "fi": {"ja", "on", "en", "tulen", "kiitos", "terveisin", "että", "se", "ei", "kyllä", "olen"},
    "sv": {"och", "jag", "är", "det", "inte", "tack", "hälsningar", "med", "för", "kommer", "på"},
    "en": {"and", "the", "i", "is", "to", "thanks", "regards", "will", "not", "be", "of"},
}
_HEAD_LINES = 25  # intent is stated at the top; a long body is something else (initiative, etc.)


def read_intent(text: str, subject: str = "") -> Intent:
    """Register, cancel, a command, or unknown, with the deciding line and optional details."""
    head = "\n".join(normalise(text).splitlines()[:_HEAD_LINES])
    details = read_details(head)
    for command, by_language in COMMANDS.items():
        found = _first(by_language, subject + "\n" + head)
        if found:
            return Intent(Kind.COMMAND, found[0], evidence=found[1], command=command)

    button = read_button(head)
    if button is not None:
        return button
    reading = read_answer(head, month=meeting_month(subject))
    if reading.answer != UNKNOWN or reading.evidence:
        return _from_reading(reading, details)
    # The reader found no answer: the phrase patterns below still catch the forms it lacks.
    cancel = _first(CANCEL, head)
    remaining = _blank(CANCEL, head)
    register = _first(REGISTER, remaining)
    if reading.questions and not (cancel or register):
        return Intent(
            Kind.UNKNOWN,
            reading.language,
            evidence=reading.questions[0],
            questions=reading.questions,
            abstained="a question, no answer",
        )
    if cancel and register:
        return Intent(
            Kind.UNKNOWN, cancel[0], evidence=f"{register[1]} / {cancel[1]}", abstained="mixed answers"
        )
    if cancel:
        return Intent(Kind.CANCELLATION, cancel[0], evidence=cancel[1], details=details)
    if register:
        return Intent(Kind.REGISTRATION, register[0], evidence=register[1], details=details)
    if details.attendance and not reading.questions and not _mentions_question(head):
        # "Osallistun etänä" alone is matched above; "Etänä" alone is a yes with a mode.
        return Intent(Kind.REGISTRATION, guess_language(head), evidence=details.attendance, details=details)
    return Intent(Kind.UNKNOWN, guess_language(head), evidence=_first_line(head), abstained="no answer found")


# The one-click answers of our mails (render/emails.py `mailto`) end their ready body with one of
# these; with exactly one kind of them in the new text the answer is certain.
_BUTTON = re.compile(
    r"\[(vastaus|svar|answer):\s*(kyllä|ehkä|ei|ja|kanske|nej|yes|maybe|no)\]", re.IGNORECASE
)
_BUTTON_LANGUAGE = {"vastaus": "fi", "svar": "sv", "answer": "en"}
_BUTTON_ANSWER = {
    **dict.fromkeys(("kyllä", "ja", "yes"), YES),
    **dict.fromkeys(("ehkä", "kanske", "maybe"), MAYBE),
    **dict.fromkeys(("ei", "nej", "no"), NO),
}


def read_button(text: str) -> Intent | None:
    found = {(m.group(1).lower(), m.group(2).lower()) for m in _BUTTON.finditer(text)}
    answers = {_BUTTON_ANSWER[choice] for _, choice in found}
    if len(answers) != 1:
        return None  # none, or the quoted invitation's three: read the words instead
    label, choice = sorted(found)[0]
    return Intent(
        _KINDS[answers.pop()],
        _BUTTON_LANGUAGE[label],
        evidence=f"[{label}: {choice}]",
        details=read_details(text),
        mood="button",
    )


_KINDS = {YES: Kind.REGISTRATION, NO: Kind.CANCELLATION, MAYBE: Kind.TENTATIVE, UNKNOWN: Kind.UNKNOWN}


def _from_reading(reading: Reading, details: Details) -> Intent:
    return Intent(
        _KINDS[reading.answer],
        reading.language,
        evidence=reading.evidence,
        details=details,
        lemma=reading.lemma,
        negated=reading.negated,
        mood=reading.mood,
        hedge=reading.hedge,
        companions=tuple((c.name, c.email) for c in reading.companions),
        questions=reading.questions,
        abstained=reading.abstained or ("unclear" if reading.answer == UNKNOWN else ""),
        elsewhere=reading.elsewhere,
        other_answers=tuple((when, _KINDS[answer], said) for when, answer, said in reading.other_answers),
    )


_SUBJECT_DATE = re.compile(r"\b\d{1,2}\.(\d{1,2})\.(?:\d{4})?")
_SUBJECT_MONTHS = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\.? ({MONTH_PATTERN})\b", re.IGNORECASE)


def meeting_month(subject: str) -> int | None:
    """The month of the meeting a reply answers, from our subject ("Kutsu: verkoston tapaaminen
    12.3.2024", "network meeting 12 March 2024"); None when the subject names no date."""
    numeric = _SUBJECT_DATE.search(subject)
    if numeric and 1 <= int(numeric.group(1)) <= 12:
        return int(numeric.group(1))
    named = _SUBJECT_MONTHS.search(subject)
    return MONTH_NUMBERS[named.group(1).lower()] if named else None


def read_details(text: str) -> Details:
    values: dict[str, str] = {}
    for key, pattern in _FIELD_LINE.items():
        found = [m.group(1).strip()[:200] for m in pattern.finditer(text)]
        values[key] = "; ".join(found)
    attendance = ""
    for mode, regex in ATTENDANCE.items():
        if re.search(regex, text, _F):
            attendance = mode
            break
    return Details(values["name"], values["organisation"], values["diet"], attendance)


def guess_language(text: str) -> str | None:
    words = re.findall(r"\w+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else None


def _first(patterns: dict[str, list[str]], text: str) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for language, regexes in patterns.items():
        for regex in regexes:
            match = re.search(regex, text, _F)
            if match and (best is None or match.start() < best[0]):
                best = (match.start(), language, _line_at(text, match.start()))
    return (best[1], best[2]) if best else None


def _blank(patterns: dict[str, list[str]], text: str) -> str:
    for regexes in patterns.values():
        for regex in regexes:
            text = re.sub(regex, lambda m: " " * len(m.group(0)), text, flags=_F)
    return text


def _line_at(text: str, position: int) -> str:
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    return text[start : end if end >= 0 else len(text)].strip()[:200]


def _first_line(text: str) -> str:
    return next((line.strip()[:200] for line in text.splitlines() if line.strip()), "")


def _mentions_question(text: str) -> bool:
    return "?" in text


_BARE_NO = re.compile(r"^\W*(?:ei|en|nej|no)(?:\s+(?:kiitos|tack|thanks|thank you))?\W*$", re.IGNORECASE)


def bare_no(reply_text: str) -> bool:
    """The whole new text is a plain "no" ("Ei", "Nej tack", "No thanks"). Only an answer to our
    own yes/no question reads it so: as a line in a registration ("Ei ruokarajoitteita") a "no"
    means something else, which is why it is not among the cancellation phrases."""
    lines = [line for line in normalise(reply_text).splitlines() if line.strip()]
    return len(lines) == 1 and _BARE_NO.match(lines[0]) is not None
