"""What a reading is made of (clues, companions, the reading) and the word sets the clause readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

YES, NO, MAYBE, UNKNOWN = "yes", "no", "maybe", "unknown"
_MAX_SENTENCES = 40  # an answer is near the top; a long text is something else
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"\s*[,;:–—]\s*|\s+(?:mutta|vaan|men|utan|but|though|however)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POLITE = {
    "fi": {"haluta", "mielellään", "ilmoittaa"},
    "sv": {"vilj", "gärn"},
    "en": {"like", "love", "glad", "happi", "pleas", "delight"},
}
_I = {
    "fi": {"minä", "mä", "itse", "meikäläinen", "allekirjoittanut"},
    "sv": {"jag", "undertecknad"},
    "en": {"i", "myself", "im"},  # "im" is "I'm" typed without the apostrophe
}
# Conditions hedge the whole sentence ("Tulen, jos ehdin"); other hedges only their clause
# ("Et varmaan ihmettele, mutta en pääse" is a no).
_CONDITIONS = {
    "jos",
    "mikäli",
    "kunhan",
    "edellyttäen",
    "om",
    "ifall",
    "förutsatt",
    "if",
    "unless",
    "provided that",
    "providing that",
    "as long as",
}
# "Emme pysty lähettämään edustajaa", "kan vi inte skicka någon", "not able to send anyone".
_MODAL_NO = {"fi": {"voida", "pystyä"}, "sv": {"kan", "kunn"}, "en": {"can", "abl", "cannot"}}
_SEND = {"fi": {"lähettää"}, "sv": {"skick"}, "en": {"send"}}
_MUST = {"fi": {"pitää", "täytyä"}, "sv": {"måst", "behöv"}, "en": {"must", "need", "have"}}
_INSTEAD = {
    "fi": {"tilalle", "sijaan", "sijasta", "tila"},
    "sv": {"ställ", "istället"},
    "en": {"instead", "place", "behalf"},
}
_REGRET = {"regret", "apolog"}
_WE = {"fi": {"me", "meitä", "meidät"}, "sv": {"vi", "oss"}, "en": {"we", "us"}}
_POLITE_NO = {
    "kiitos",
    "tack",
    "thanks",
    "thank",
    "you",
    "valitettavasti",
    "tyvärr",
    "unfortunately",
    "sorry",
}
_HOPES = {"hope", "hoping", "hoppas", "toivon", "toivomme", "toivoisin"}
_WITHOUT = ("matta", "mättä")  # the Finnish abessive infinitive: "tulematta", "without coming"
_MODAL_MAYBE = {"sv": {"skull", "kunn"}, "en": {"could", "should", "would"}}


@dataclass(frozen=True)
class Companion:
    name: str
    email: str | None = None


@dataclass(frozen=True)
class Clue:
    """What one clause says, and why."""

    answer: str
    sentence: str
    lemma: str = ""
    negated: bool = False
    mood: str = ""
    hedge: str = ""
    about_sender: bool = True
    plural: bool = False  # "we" come: the sentence may name the others
    language: str = ""
    changed: bool = False  # a change of mind ("tulenkin", "after all"): it overrides an earlier answer
    when: str = ""  # the meeting the clause names by its month or season ("3", "autumn"), if any
    condition: str = ""  # the word of a condition the answer hangs on ("jos", "ifall", "provided that")


@dataclass(frozen=True)
class Reading:
    answer: str  # yes / no / maybe / unknown
    language: str | None
    evidence: str = ""
    lemma: str = ""
    negated: bool = False
    mood: str = ""
    hedge: str = ""
    questions: tuple[str, ...] = ()
    companions: tuple[Companion, ...] = ()
    clues: tuple[Clue, ...] = field(default=(), repr=False)
    abstained: str = ""  # why no answer was taken (shown by `inspect`): the reply is asked about
    elsewhere: tuple[str, ...] = ()  # what was said about another meeting: passed on, not acted on
    # A clear yes or no to another meeting, named by its month ("3") or season ("autumn"), with
    # the sentence that says it: acted on when that meeting is open too, else passed on.
    other_answers: tuple[tuple[str, str, str], ...] = ()
