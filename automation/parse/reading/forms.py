"""Forms of a whole sentence the reader checks before its clauses: form-like and calendar answers,
requests to add people, double negations, a party counted, questions to someone else, corrections,
and the condition an answer may hang on."""

from __future__ import annotations

import re

from automation.parse.reading.answers import _CONDITIONS, MAYBE, NO, YES, Clue
from automation.parse.reading.clauses import CORRECTIONS
from automation.parse.reading.lexicon import ATTEND
from automation.parse.reading.signals import _clause_follows
from automation.parse.reading.words import Word, analyse

_ADDRESSEE = {"fi": {"sinä", "sä", "te", "tuletko", "tuletteko"}, "sv": {"du", "ni"}, "en": {"you"}}
_DOUBLE_NO = {
    "fi": re.compile(
        r"\bei (?:ole )?(?:mitään |mikään )?(?:syytä|estettä),? (?:miksen|miksi en|miksemme)\b",
        re.I,
    ),
    "sv": re.compile(r"\b(?:inget|ingenting) (?:som )?hindrar (?:mig|oss)\b", re.I),
    "en": re.compile(r"\bno way (?:i|we)(?:['’]m| am|['’]ll| will| would)? (?:not|never)\b", re.I),
}
# A count of the sender's party with no verb: "Two of us from Metropolia: myself and Anna Korhonen",
# "Vi är tre från Borgå:". With a verb ("two of us will come") the clause is read as usual.
_PARTY = {
    "fi": re.compile(r"^\W*meitä on (?:kaksi|kolme|neljä|viisi|\d+)\b[^.!?]*:", re.I),
    "sv": re.compile(r"^\W*vi är (?:två|tre|fyra|fem|\d+)\b[^.!?]*:", re.I),
    "en": re.compile(r"^\W*(?:two|three|four|five|\d+) of us\b[^.!?]*:", re.I),
}
_ON_BEHALF = {
    "fi": re.compile(r"\bpuolesta\b", re.I),
    "sv": re.compile(r"\bvägnar\b", re.I),
    "en": re.compile(r"\bon behalf of\b", re.I),
}
# "omasta ja tiimin puolesta: tulemme", "on behalf of myself and…": the sender comes too.
_SELF_TOO = {
    "fi": re.compile(
        r"\b(?:itseni|minut|omasta|minäkin|myös minä|tulen|tulemme|osallistun|osallistumme)\b", re.I
    ),
    "sv": re.compile(r"\b(?:mig själv|även jag|jag också|jag kommer|vi kommer|jag deltar|vi deltar)\b", re.I),
    "en": re.compile(
        r"\b(?:myself|me too|and me|i(?:'ll| will) (?:also )?(?:attend|come|be there|join))\b", re.I
    ),
}
# A request put as a question still asks to add people: "lisäisittekö vielä kollegani X?",
# "kan ni lägga till min kollega?", "could you also register my colleague?".
_REQUEST = {
    "fi": re.compile(r"\b(?:lisäisittekö|lisäättekö|voisitteko|voitteko|voisitko|voitko)\b", re.I),
    "sv": re.compile(r"\b(?:kan ni|kunde ni|skulle ni kunna|kan du|kunde du)\b", re.I),
    "en": re.compile(r"\b(?:could you|can you|would you|will you)\b", re.I),
}
_ADD_PEOPLE = {
    "fi": re.compile(
        r"\b(?:lisää|lisätkää|lisäisittekö|lisäättekö|voisitteko lisätä|merkitse|merkitkää|ilmoittakaa"
        r"|ilmoita|ilmoitan|ilmoitamme)\b[^.?!]{0,30}"
        r"\b(?:kollegani|kolleganikin|työkaverini|kollegat|kollegamme|työtoverini|seuraavat)\b",
        re.IGNORECASE,
    ),
    "sv": re.compile(
        r"\b(?:lägga?(?: gärna| också| även)? till|skriv upp|skriva upp|anmäl|anmäla|anmäler|notera)\b"
        r"[^.?!]{0,30}"
        r"\b(?:min|mina|vår|våra)\s+(?:\w+\s+)?"
        r"(?:kolleg\w*|medarbetar\w*|arbetskamrat\w*)",
        re.IGNORECASE,
    ),
    "en": re.compile(
        r"\b(?:add|register|sign up|include|put down)\b[^.?!]{0,20}?"
        r"\b(?:(?:my|our|the following)\s+)?(?:\w+\s+)?"
        r"(?:colleagues?|co-?workers?|team ?mates?|staff|people|persons)",
        re.IGNORECASE,
    ),
}


# "Om", "if" and "jos" after a verb of knowing or checking ask whether, they set no condition:
# "Jag vet inte om jag hinner", "waiting to hear if", "kysyn, jos…" is rare but "tiedä, jos" not.
_WHETHER = {
    *("tietää", "tiedä", "kysyä", "selvittää", "katsoa", "varmistaa", "riippua"),
    *("vet", "veta", "kolla", "kontroll", "fråg", "undr", "ber", "beror", "se", "hör", "osäk", "säker"),
    *("know", "knew", "check", "ask", "wonder", "hear", "see", "sure", "unsur", "depend", "depends"),
    # A verb of getting back: "jag återkommer om det ändras", "palaan asiaan, jos…" binds the
    # condition to the promise to write again, not to the answer.
    *("palata", "ilmoittaa", "kertoa", "återkomm", "meddel", "hör", "back", "know", "tell", "updat"),
}
# Pronouns of the receiver: "jos tarvitsette ruokavaliotiedot", "if you need", "om ni behöver"
# set no condition on attending; they offer something.
_RECEIVER = {"te", "teille", "teidän", "sinä", "sä", "ni", "er", "du", "dig", "you", "your"}


_CONDITION_HEADS = {condition.split()[0] for condition in _CONDITIONS}


def _condition(words: list[Word], language: str) -> str:
    """The condition word the sentence's answer hangs on ("Tulen, jos ehdin", "I'll come provided
    that my flight lands"), or "" when there is none: a whether after a verb of knowing, or an
    offer to the receiver ("If you need dietary info, I'm vegan"), is no condition."""
    surfaces = [w.surface for w in words]
    for index, surface in enumerate(surfaces):
        if surface not in _CONDITION_HEADS:
            continue  # the cheap test first: most words open no condition
        # "as long as" has three words, "provided that" two, "jos" one.
        spans = (" ".join(surfaces[index : index + n]) for n in (3, 2, 1))
        found = next((span for span in spans if span in _CONDITIONS), "")
        if not found:
            continue
        if language == "sv" and found == "om" and not _clause_follows(surfaces[index + 1 : index + 5]):
            continue  # "ligger mig varmt om hjärtat", "ett möte om AI": a preposition
        before = words[max(0, index - 2) : index]  # "beror på om", "waiting to hear if"
        if any(w.lemma in _WHETHER or w.surface in _WHETHER for w in before):
            continue
        after = words[index + 1 : index + 4]
        if any(w.surface in _RECEIVER or w.person in ("2", "5") for w in after):
            continue
        if (
            language == "en"
            and found == "if"
            and {"so", "not", "needed", "necessary", "possible"} & {w.surface for w in after[:1]}
        ):
            continue  # "if needed", "if so": no condition on coming
        return found
    return ""


_FIELD = re.compile(r"^\W*([^\W\d_]+)\s*[:=-]\s*([^\W\d_]+)\W*$")
_FIELD_ANSWERS = {
    **dict.fromkeys(("kyllä", "joo", "ja", "yes", "x"), YES),
    **dict.fromkeys(("en", "ei", "nej", "no"), NO),
    **dict.fromkeys(("ehkä", "kanske", "maybe"), MAYBE),
}


def _field_answer(sentence: str, language: str) -> Clue | None:
    """A form-like line: "Osallistun: en", "deltagande: nej", "Registration: yes"."""
    found = _FIELD.match(sentence)
    if not found or found.group(2).lower() not in _FIELD_ANSWERS:
        return None
    word = analyse(found.group(1), language)
    if word.lemma not in ATTEND[language] and not word.lemma.startswith(_FIELD_HEADS):
        return None
    answer = _FIELD_ANSWERS[found.group(2).lower()]
    return Clue(answer, sentence[:200], word.lemma, answer == NO, "", "", True, language=language)


_FIELD_HEADS = (
    *("osallistu", "ilmoittau", "delt", "anmäl", "närvar", "regist", "attend", "particip"),
    *("rsvp", "vastau", "svar", "answer", "respons", "reply"),  # "RSVP: yes", "Vastaus: kyllä"
)


# The words calendar programs put before or after the invitation's title when its receiver answers
# ("Accepted: …", "RE: Invitation … - Accepted"), sometimes typed or pasted into the reply.
_RESPONSES = {
    **dict.fromkeys(("accepted", "hyväksytty", "accepterat", "accepterad", "godkänt"), YES),
    **dict.fromkeys(("declined", "hylätty", "kieltäydytty", "avböjt", "avböjd", "avvisat"), NO),
    **dict.fromkeys(("tentative", "tentatively accepted", "alustava", "preliminärt", "preliminär"), MAYBE),
}
_RESPONSE_WORDS = "|".join(sorted(_RESPONSES, key=len, reverse=True))
_RESPONSE = re.compile(
    rf"^\W*(?:(?:re|sv|vs|aw)\s*:\s*)*({_RESPONSE_WORDS})\s*:|\s[-–]\s*({_RESPONSE_WORDS})\W*$", re.IGNORECASE
)


def _calendar_response(sentence: str, language: str) -> Clue | None:
    found = _RESPONSE.search(sentence[:300])
    if found is None:
        return None
    word = (found.group(1) or found.group(2)).lower()
    answer = _RESPONSES[word]
    hedge = word if answer == MAYBE else ""
    return Clue(answer, sentence[:200], word, answer == NO, "", hedge, True, language=language)


# Whole words only: "eiku" is also inside "jukka.heikura@kajaani.fi".
_CORRECTION = re.compile(
    r"(?<![\w.@])(?:" + "|".join(re.escape(m) for ms in CORRECTIONS.values() for m in ms) + r")(?![\w@])",
    re.IGNORECASE,
)


def _around_correction(sentence: str, corrected: bool) -> list[tuple[str, bool]]:
    """The sentence's parts before and after a correction ("eiku", "scratch that"), each with
    whether it comes after one; a sentence without one is one part."""
    if corrected:
        return [(sentence, True)]
    found = _CORRECTION.search(sentence)
    if found is None:
        return [(sentence, False)]
    before, after = sentence[: found.start()].strip(" ,–-"), sentence[found.end() :].strip(" ,–-")
    return [(part, later) for part, later in ((before, False), (after, True)) if part]
