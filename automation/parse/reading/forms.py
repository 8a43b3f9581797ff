"""Forms of a whole sentence the reader checks before its clauses: requests to add people,
double negations, questions to someone else, and the condition an answer may hang on."""

from __future__ import annotations

import re

from automation.parse.reading.answers import _CONDITIONS
from automation.parse.reading.signals import _clause_follows
from automation.parse.reading.words import Word

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


def _condition(words: list[Word], language: str) -> str:
    """The condition word the sentence's answer hangs on ("Tulen, jos ehdin", "I'll come provided
    that my flight lands"), or "" when there is none: a whether after a verb of knowing, or an
    offer to the receiver ("If you need dietary info, I'm vegan"), is no condition."""
    surfaces = [w.surface for w in words]
    for index in range(len(words)):
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
