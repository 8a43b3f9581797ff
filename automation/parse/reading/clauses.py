"""One clause read: its answer, polarity, mood and hedge, and whether it is about the sender."""

from __future__ import annotations

from automation.parse.reading.answers import (
    _HOPES,
    _I,
    _INSTEAD,
    _MODAL_MAYBE,
    _MODAL_NO,
    _MUST,
    _POLITE,
    _POLITE_NO,
    _REGRET,
    _SEND,
    _WE,
    _WITHOUT,
    MAYBE,
    NO,
    UNKNOWN,
    YES,
    Clue,
)
from automation.parse.reading.lexicon import (
    ATTEND,
    CANCEL,
    MISS,
    NOBODY,
    REMOVE,
)
from automation.parse.reading.signals import (
    _IDIOMS_WITH_ME,
    _LIST_HEADS,
    _ON_SITE,
    _SIGNER,
    _about_others,
    _attend_verb,
    _away,
    _bare_negation,
    _believes,
    _besides_me,
    _brings_named,
    _cancel_idiom,
    _cancel_stem,
    _clash,
    _counterfactual,
    _find,
    _imperative,
    _particle,
    _passive_event,
)
from automation.parse.reading.words import (
    Word,
)

_POSSIBLE = {"fi": {"mahdollinen", "mahdollisuus"}, "sv": {"möj", "chan"}, "en": {"possibl", "chanc", "way"}}


def _denies_possibility(words: list[Word], language: str) -> bool:
    """ "Ei ole mitenkään mahdollista", "det finns ingen möjlighet", "there is no chance"."""
    return any(w.negator for w in words) and any(w.lemma in _POSSIBLE[language] for w in words)


_AFTER_ALL = {
    "fi": ("sittenkin", "kuitenkin"),
    "sv": ("ändå", "trots allt", "i alla fall", "ändrat mig"),
    "en": ("after all", "changed my mind"),
}
# A correction within the reply ("Yes, I'll come! Actually, scratch that – … I won't make it"):
# what follows it replaces what came before.
CORRECTIONS = {
    "fi": ("eiku", "ei kun", "tai siis ei", "korjaan", "unohda edellinen"),
    "sv": ("förresten", "nej vänta", "glöm det", "stryk det"),
    "en": ("scratch that", "on second thought", "on second thoughts", "forget that", "correction:"),
}


def _changed_mind(words: list[Word], clause: str, language: str) -> bool:
    """ "Tulenkin", "pääsen sittenkin", "kommer ändå", "I can come after all": this clause's
    answer replaces one given before (even in the same sentence: "ilmoitin, etten pääse, mutta
    tulenkin")."""
    if any(w.focus in ("kin", "kaan") and w.lemma in ATTEND["fi"] for w in words):
        return True
    lowered = clause.lower()
    return any(marker in lowered for marker in _AFTER_ALL[language])


# Words that report something written wrong: the clause is about a correction of a detail.
_WRONG = {
    "väärin",
    "virheellisesti",
    "fel",
    "felaktigt",
    "felstavat",
    "wrong",
    "wrongly",
    "misspelled",
    "misspelt",
}
# Negators that belong to a cancelling idiom ("blir inget för min del").
_NEGATING_IDIOM_WORDS = {"inget", "ingenting"}
_OF_US = {"en": {"us", "we"}, "sv": {"oss", "vi"}}


def _read_clause(words: list[Word], sentence: str, language: str, first: bool, hedge: str) -> Clue | None:
    lemmas = [w.lemma for w in words]
    surfaces = [w.surface for w in words]
    negator = next((w for w in words if w.negator), None)
    negated = negator is not None
    others = _about_others(words, language)
    if any(w.surface in _WRONG for w in words):
        # "nimeni on osallistujalistalla väärin", "my name is misspelled on the list": a detail
        # to correct, not an answer (the clause after "väärin," still answers on its own).
        return None
    if not negated and _counterfactual(words, language):
        # "Olisin tullut mielelläni", "jag hade gärna kommit", "I would have loved to come": a no.
        return Clue(NO, sentence[:200], "", False, "counterfactual", hedge, not others, language=language)
    if negator is not None and any(
        w.lemma in ATTEND[language] and w.surface.endswith(_WITHOUT) for w in words
    ):
        # "En voi olla tulematta": a negated "without coming" is a yes.
        return Clue(YES, sentence[:200], "tulla", True, "", hedge, not others, language=language)
    if (
        negator is not None
        and any(w.lemma in NOBODY[language] or w.surface in NOBODY[language] for w in words)
        and (
            language == "fi"  # "kukaan" is a pronoun only: "meiltä ei irtoa ketään"
            or _attend_verb(words, language) is not None
            or any(w.lemma in _MODAL_NO[language] | _SEND[language] for w in words)
        )
    ):
        # "Meiltä ei irtoa ketään", "none of us can attend": nobody of the sender's comes.
        return Clue(NO, sentence[:200], negator.lemma, True, "", hedge, True, True, language)
    verb = _attend_verb(words, language)
    if verb is not None and language == "sv" and verb.lemma == "går" and "att" in surfaces:
        # "Hoppas det går bra att ändra anmälan": what goes well is the change, not the coming.
        then = surfaces.index("att") + 1
        if then < len(words) and words[then].lemma not in ATTEND["sv"]:
            verb = None
    removal = next((w for w in words if w.lemma in REMOVE[language]), None)
    if removal is not None and not negated:
        if verb is None and not any(w.lemma.startswith(_LIST_HEADS[language]) for w in words):
            return None  # "remove me from the list": perhaps the mailing list; a person reads it
        return Clue(NO, sentence[:200], removal.lemma, False, "", hedge, True, language=language)
    cancel = next((w for w in words if w.lemma in CANCEL[language] or _cancel_stem(w, language)), None)
    idiom = _cancel_idiom(words, language) if cancel is None else None
    cancel = cancel or idiom
    if idiom is not None and negator is not None and negator.surface in _NEGATING_IDIOM_WORDS:
        # "Det blir inget för min del": the idiom's own "inget" says the no; nothing negates it.
        negator, negated = None, False
    if cancel is None and language == "fi":
        # "Osallistumiseni peruuntuu": the sender's taking part is what is cancelled.
        off = next((w for w in words if w.lemma in ("peruuntua", "peruutua")), None)
        taking_part = any(w.lemma.startswith(_LIST_HEADS["fi"]) for w in words)
        cancel = off if off is not None and taking_part else None
    if cancel is not None and _passive_event(words, cancel, language):
        cancel = None  # "my trip got cancelled", "menot peruuntuivat": something else is off
    if cancel is not None and negated and cancel.lemma in MISS[language]:
        # "I wouldn't miss it", "en jätä tätä väliin": a yes.
        return Clue(YES, sentence[:200], cancel.lemma, True, "", hedge, not others, language=language)
    if verb is None and cancel is None:
        modal = next((w for w in words if w.lemma in _MODAL_NO[language] or w.surface == "cannot"), None)
        others_verbs = [w for w in words if w.verb and not w.negator and w is not modal]
        if negated and modal is not None and all(w.lemma in _SEND[language] for w in others_verbs):
            # "Emme pysty lähettämään edustajaa": the sender's no, though it names someone.
            sending = bool(others_verbs)
            return Clue(
                NO, sentence[:200], modal.lemma, True, "", hedge, sending or not others, language=language
            )
        brought = _brings_named(words, language)
        if brought is not None and not negated:
            # "Tuon sen sijaan Sari Rinteen", "I'll bring my colleague Anna Berg": the sender comes
            # and brings the people named.
            return Clue(YES, sentence[:200], brought.lemma, False, "", hedge, True, True, language)
        sent = next((w for w in words if w.lemma in _SEND[language]), None)
        if sent is not None and not negated and {w.lemma for w in words} & _INSTEAD[language]:
            # "Lähetän tilalleni kaksi opettajaamme": others come in the sender's place.
            return Clue(YES, sentence[:200], sent.lemma, False, "", hedge, False, True, language)
        away = _away(words, sentence, language) or _clash(words, language) if not negated else None
        if away is not None:
            # "Olen silloin lomalla", "I'm away that week": the sender is elsewhere, a no.
            return Clue(NO, sentence[:200], away.lemma, False, "", hedge, True, language=language)
        if negator is not None and _bare_negation(words, language):
            return Clue(NO, sentence[:200], negator.lemma, True, "", hedge, True, language=language)
        particle = _particle(surfaces, language, first)
        if particle is None:
            return None
        if particle == NO and not set(surfaces[1:]) <= _POLITE_NO:
            return None  # "Ei ruokarajoitteita": a no about something else
        answer = MAYBE if hedge and particle == YES else particle
        if particle == MAYBE:
            answer = MAYBE
        return Clue(
            answer, sentence[:200], surfaces[0], particle == NO, "", hedge, not others, language=language
        )
    if cancel is not None and verb is None:
        if negated and cancel.lemma not in _REGRET:
            return None  # "en peru": keeps what was; not an answer to act on
        answer = MAYBE if hedge else NO
        return Clue(answer, sentence[:200], cancel.lemma, True, "", hedge, not others, language=language)
    assert verb is not None
    if cancel is None and bool(set(lemmas) & _MUST[language]):
        return None  # "Pitää ehtiä junaan", "Jag måste hinna med tåget": not about the meeting
    if _imperative(words, verb, language):
        return None  # "Anmäl er direkt", "Please register": telling others, not answering
    if verb.past and not negated and cancel is None:
        return None  # "Ilmoittauduin aiemmin, mutta…": a report of the past, not today's answer
    mood = verb.mood
    # The finite verb carries the mood: "Voitaisiin lähteä", "pääsisin".
    conditional = mood == "conditional" or any(w.mood == "conditional" for w in words)
    conditional = conditional or bool(set(lemmas) & _MODAL_MAYBE.get(language, set()))
    polite = bool(set(lemmas) & _POLITE.get(language, set()))
    on_site = _ON_SITE[language].search(" ".join(surfaces)) if negated and cancel is None else None
    if on_site is not None:
        # "I can't be there in person": perhaps remotely; unclear, a person asks.
        return Clue(UNKNOWN, sentence[:200], verb.lemma, True, "", on_site.group(0), True, language=language)
    if negated and (hedge in _HOPES or _believes(words, language)):
        # "I won't make it. Hope to see you next time": a hope about another time; "I don't
        # think I can make it": a polite no.
        hedge = ""
    if hedge or (conditional and not polite and not negated):
        answer = MAYBE
    else:
        answer = NO if negated or cancel is not None else YES
    # The person is the negative verb's ("en pääse", "emme pääse"); a passive is "we" ("ei
    # päästä", "tullaan"); a third person with a name in the clause is someone else.
    person = verb.person if verb.person == "4" or not negator else negator.person
    named = any(w.capitalised for w in words[1:])
    # "Ilmoitan myös kollegani", "I come with my colleague": the sender acts, with others.
    acts = person == "1" or any(w.verb and not w.negator and w.person == "1" for w in words)
    mine = {w.surface.replace("’", "'").split("'")[0] for w in words} & _I[language]
    if mine == {"itse"} and {w.surface for w in words} & {"hän", "he"}:
        mine = set()  # "Hän vahvistaa osallistumisensa itse": "itse" is his own, not mine
    acts = acts or bool(mine)
    # "Varaa minulle paikka", "merkitse minut": an idiom with "me" in it is about the sender.
    about_me = any(_find(words, idiom) is not None for idiom in _IDIOMS_WITH_ME[language])
    acts = acts or about_me
    # "Meitä on tulossa kaksi": the verb is in the third person, the subject is "of us".
    acts = acts or (language == "fi" and any(w.surface in ("meitä", "me", "meiltä") for w in words))
    # "Anmäler mig själv och kollegan X": the sender registers themself too.
    acts = acts or any(
        a.surface == "mig" and b.surface == "själv" for a, b in zip(words, words[1:], strict=False)
    )
    # "Three of us will come", "från Åbo kommer vi tre": the sender is one of them.
    acts = acts or any(w.surface in _OF_US.get(language, ()) for w in words)
    # "Osallistuvat allekirjoittaneen lisäksi X ja Y", "minun lisäkseni": the sender comes too.
    signer = any(w.lemma in _SIGNER for w in words) or _besides_me(words, language)
    acts = acts or signer
    # The second person is someone else ("tuletteko"), unless it is asked to register me
    # ("Merkitse minut osallistujaksi").
    about_sender = (not others or acts) and not (person == "3" and named and not signer)
    about_sender = about_sender and (person != "2" or about_me)
    if (
        language == "fi"
        and person == "3"
        and not negated
        and verb.lemma != "onnistua"
        and not acts
        and cancel is None
    ):
        about_sender = False  # "Tuli päällekkäinen koulutus": something else came up
    if negator is not None:
        mood = negator.mood  # the connegative ("pääse") has no mood of its own
    plural = (verb.plural and person == "1") or person == "4" or verb.lemma == "ilmoittaa"
    plural = plural or others or bool(set(lemmas) & _WE.get(language, set()))
    shown_mood = mood or ("conditional" if conditional else "")
    lemma = cancel.lemma if cancel is not None else verb.lemma
    return Clue(answer, sentence[:200], lemma, negated, shown_mood, hedge, about_sender, plural, language)
