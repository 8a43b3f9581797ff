"""The signs a clause reader looks for: verbs of attending, idioms, absence, clashes, hedges, people."""

from __future__ import annotations

import re

from automation.parse.reading.answers import (
    _I,
    _POLITE_NO,
    _WE,
    MAYBE,
    NO,
    YES,
)
from automation.parse.reading.lexicon import (
    ABSENT,
    ANOTHER,
    ATTEND,
    BELIEF,
    CANCEL,
    CANCEL_IDIOMS,
    CLASH,
    CLASH_TIME,
    EN_PHRASES,
    ENGAGEMENT,
    EVENT_TIME,
    HEDGES,
    IDIOMS,
    MAYBE_WORDS,
    NO_WORDS,
    OTHERS,
    YES_WORDS,
)
from automation.parse.reading.words import (
    Word,
)

# Not coming in person is no plain no: the sender may mean to follow remotely.
_ON_SITE = {
    "fi": re.compile(r"\b(?:fyysisesti|henkilökohtaisesti|livenä)\b"),
    "sv": re.compile(r"\b(?:fysiskt|personligen)\b"),
    "en": re.compile(r"\b(?:in person|physically|on site|onsite)\b"),
}
_SIGNER = {"allekirjoittanut", "undertecknad", "undertecknade", "undersign"}
_BRING = {"fi": {"tuoda"}, "sv": {"tar"}, "en": {"bring"}}


_BESIDES = {"fi": ("lisäkse", "ohella"), "sv": ("förutom", "utöver"), "en": ("besides", "beside")}


def _besides_me(words: list[Word], language: str) -> bool:
    """ "Minun lisäkseni", "förutom mig", "besides me": the people named come with the sender."""
    at = next((i for i, w in enumerate(words) if w.surface.startswith(_BESIDES[language])), None)
    if at is None:
        return False
    near = words[max(0, at - 1) : at + 2]
    return any(w.lemma in ("minä", "itse") or w.surface in ("mig", "me", "myself") for w in near)


def _brings_named(words: list[Word], language: str) -> Word | None:
    """The sender brings someone named or a colleague: "tuon Sari Rinteen", "jag tar med mig
    Anna Berg", "I'll bring my colleague". Only in the first person ("Tuo mukanasi…" is no answer)."""
    verb = next((w for w in words if w.lemma in _BRING[language]), None)
    if verb is None:
        return None
    at = words.index(verb)
    after = words[at + 1 :]
    if language == "fi":
        first = verb.person == "1"
    else:
        before = {w.surface.replace("’", "'").split("'")[0] for w in words[:at]}
        first = bool(before & (_I[language] | _WE[language]))
        if language == "sv" and not any(w.surface == "med" for w in after):
            return None
    named = any(a.capitalised for a in after) or any(w.lemma in OTHERS[language] for w in after)
    return verb if first and named else None


# The heads of "osallistujalista", "deltagarlistan", "attendee list": the meeting's list.
_LIST_HEADS = {
    "fi": ("osallistu", "ilmoittautu"),
    "sv": ("deltag", "anmäl"),
    "en": ("attend", "particip", "regist"),
}
# Things named after registering ("ilmoittautumislinkki", "registration form"): a sentence about
# one ("…ei toimi", "doesn't work") is about the thing, not an answer.
_THINGS = {
    "fi": ("linkki", "lomake", "sivu", "järjestelmä", "ohje", "maksu", "osoite"),
    "en": ("link", "form", "page", "system", "fee", "deadlin", "portal"),
}
_ALONE = {"själv", "myself", "ourselves", "unfortunately", "tyvärr", "sadly", "either", "heller"}
_YOU = {"te", "teistä", "teille", "sinusta", "ni", "er", "dig", "you"}
_SUBJECTS = {"jag", "vi"}
_INNER_ADVERBS = {"också", "även", "gärna", "förstås", "självklart"}
_ME = {"minä", "mig", "me"}
_IMPERATIVES = {
    "sv": {"anmäl", "kom", "delta", "närvara"},
    "en": {"register", "join", "come", "attend", "participate", "sign"},
}


def _believes(words: list[Word], language: str) -> bool:
    return any(w.lemma in BELIEF[language] or w.surface in BELIEF[language] for w in words)


def _imperative(words: list[Word], verb: Word, language: str) -> bool:
    """A Swedish or English clause that starts with the bare verb (after "please" / "var god")
    and has no "I" is an instruction to someone else."""
    if language == "fi" or verb not in words:
        return False
    start = 1 if words[0].surface in ("please", "pls", "vänligen") else 0
    bare = verb.surface in _IMPERATIVES[language]
    no_subject = not ({w.surface for w in words} & (_I[language] | _WE[language]))
    at = words.index(verb)
    # "Anmäl mig gärna", "register me": the sender asks to be registered, a yes.
    for_sender = words[at + 1 : at + 2] and words[at + 1].surface in ("mig", "oss", "me")
    return at == start and bare and no_subject and not for_sender


def _away(words: list[Word], sentence: str, language: str) -> Word | None:
    """The sender is away at the meeting's time: a word of absence, the sender as the subject,
    and the meeting's time referred to ("silloin", "then", "den dagen"). A date alone is not
    enough: "Olen lomalla 19.–23.2." is an out-of-office notice, which the reader cannot tell
    from the meeting's date."""
    absent = next((w for w in words if w.lemma in ABSENT[language]), None)
    if absent is None:
        return None
    if language == "fi":
        sender = any(w.lemma == "olla" and w.person == "1" for w in words)
    else:
        sender = bool({w.surface.replace("’", "'").split("'")[0] for w in words} & _I[language])
    timed = absent.lemma == "unavail" or any(w.surface in EVENT_TIME[language] for w in words)
    return absent if sender and timed else None


def _clash(words: list[Word], language: str) -> Word | None:
    """Something else at the meeting's time: "minulla on päällekkäinen kokous", "jag har ett
    annat möte samtidigt", "I have a conflicting meeting", "toinen meno samaan aikaan"."""
    lemmas = {w.lemma for w in words}
    clash = next((w for w in words if w.lemma in CLASH[language]), None)
    if clash is not None:
        return clash
    if not lemmas & ANOTHER[language]:
        return None
    event = next((w for w in words if w.lemma in ENGAGEMENT[language]), None)
    timed = any(w.surface in EVENT_TIME[language] or w.lemma in CLASH_TIME[language] for w in words)
    return event if event is not None and timed else None


def _bare_negation(words: list[Word], language: str) -> bool:
    """ "En tällä kertaa", "Not this time": a first-person negation without a verb, in a short
    clause, answers the invitation. "Ei ruokarajoitteita" (third person, a noun) does not."""
    while len(words) > 1 and words[0].surface in _POLITE_NO:
        words = words[1:]  # "Unfortunately not", "Tyvärr inte", "Valitettavasti en"
    if len(words) > 4 or any(w.verb and not w.negator for w in words):
        return False
    if language == "fi":
        # "En tällä kertaa", "Tällä kertaa en", "Minun osaltani ei".
        mine = any(w.lemma == "minä" for w in words)
        return any(w.negator and (w.person == "1" or mine) for w in (words[0], words[-1]))
    if words[0].negator and words[0].surface in ("not", "inte", "nope"):
        return True
    # "I can't, but my colleague comes", "we won't": the subject and a negated modal alone.
    rest = [w for w in words if w.surface not in _I[language] | _WE[language] | _ALONE]
    subject = any(w.surface in _I[language] | _WE[language] for w in words[:1])
    return subject and len(rest) == 1 and rest[0].negator and rest[0].surface != "no"


def _counterfactual(words: list[Word], language: str) -> bool:
    """A past conditional about attending: "olisin tullut", "olisin halunnut tulla", "jag hade
    gärna kommit", "jag skulle ha deltagit", "I would have loved to come", "I'd have come"."""
    if language == "fi":
        return (
            any(w.lemma == "olla" and w.mood == "conditional" for w in words)
            and any(w.participle for w in words)
            and any(w.lemma in ATTEND["fi"] for w in words)
        )
    surfaces = [w.surface.replace("’", "'") for w in words]
    if language == "sv":
        at = next(
            (i for i, w in enumerate(words) if w.lemma == "had" or surfaces[i : i + 2] == ["skulle", "ha"]),
            None,
        )
        return at is not None and any(w.lemma.startswith(tuple(ATTEND["sv"])) for w in words[at + 1 :])
    for i, surface in enumerate(surfaces):
        modal = surface in ("would", "could", "i'd", "we'd") and surfaces[i + 1 : i + 2] == ["have"]
        modal = modal or surface in ("would've", "could've", "i'd've")
        if modal and surfaces[i + 2 : i + 3] != ["to"]:
            return True  # "would have to leave early" is an obligation, not a past conditional
    return False


def _cancel_idiom(words: list[Word], language: str) -> Word | None:
    """ "Joudun jättämään tämän väliin", "jag måste tacka nej", "count me out"."""
    for idiom in _CANCEL_IDIOMS[language]:
        if _in_order(words, idiom) and not (idiom[0] in _IMPOSSIBLE and _to_know(words)):
            return next(w for w in words if idiom[0] in (w.lemma, w.surface))
    return None


_IMPOSSIBLE = {"imposs", "mahdoton", "omöj"}
_KNOWING = {
    "sano",
    "sanoa",
    "tietää",
    "tiedä",
    "luvata",
    "säg",
    "veta",
    "lov",
    "say",
    "know",
    "tell",
    "promis",
    "confirm",
}


def _to_know(words: list[Word]) -> bool:
    """ "It's impossible for me to say yet": impossible to know, not to come (a maybe)."""
    return any(w.lemma in _KNOWING or w.surface in _KNOWING for w in words)


_AFTER_IN = {"for", "too", "as", "then", "again", "also", "definitely", "of"}


def _in_alone(flat: list[str]) -> bool:
    """ "I'm in!", "I'm in for March": "in" ends the phrase or opens what one is in for."""
    at = max((i for i, part in enumerate(flat) if part == "in"), default=-1)
    return at == len(flat) - 1 or flat[at + 1] in _AFTER_IN


_PASSIVE = {"got", "was", "were", "been", "get"}


def _passive_event(words: list[Word], cancel: Word, language: str) -> bool:
    """ "My trip got cancelled": a cancelled event, not the sender's no."""
    if language != "en":
        return False
    at = words.index(cancel)
    return at > 0 and words[at - 1].surface in _PASSIVE and cancel.surface.endswith("ed")


def _ordered(phrases: set[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Longest first, then alphabetical: the first phrase found decides, so the order must not
    depend on the interpreter's string hashing (a set's order changes from run to run)."""
    return tuple(sorted(phrases, key=lambda phrase: (-len(phrase), phrase)))


_IDIOMS = {lang: _ordered(idioms) for lang, idioms in IDIOMS.items()}
_CANCEL_IDIOMS = {lang: _ordered(idioms) for lang, idioms in CANCEL_IDIOMS.items()}
_EN_PHRASES = _ordered(EN_PHRASES)
_IDIOMS_WITH_ME = {lang: tuple(i for i in idioms if _ME & set(i)) for lang, idioms in _IDIOMS.items()}


def _attend_verb(words: list[Word], language: str) -> Word | None:
    # Swedish verb-second order puts the subject inside an idiom ("Då är vi med", "Nog hänger
    # jag på"): the idioms are also looked for with the subject left out.
    # So are adverbs inside one: "Johanna Lind hänger också på".
    inverted = (
        [w for w in words if w.surface not in _SUBJECTS | _INNER_ADVERBS and not w.negator]
        if language == "sv"
        else []
    )
    # Only idioms whose first word is in the clause are looked for: the reader's speed is an
    # ingest target, and most clauses have none.
    present = {w.lemma for w in words} | {w.surface for w in words}
    for idiom in _IDIOMS[language]:
        if idiom[0] not in present:
            continue
        at = _find(words, idiom)
        if at is not None:
            return words[at]
        at = _find(inverted, idiom) if len(inverted) < len(words) else None
        if at is not None:
            return inverted[at]
        if idiom[0] == "ei" and _in_order(words, idiom):
            return next(w for w in words if w.negator)  # "ei valitettavasti käy"
    if language == "en":
        surfaces = [w.surface.replace("’", "'").replace("'", " ").split()[0] for w in words]
        flat = [part for w in words for part in w.surface.replace("’", "'").split("'")]
        heads = set(flat) | set(surfaces)
        for phrase in _EN_PHRASES:
            if phrase[0] in heads and (_contains(flat, phrase) or _contains(surfaces, phrase)):
                if phrase[-1] == "in" and not _in_alone(flat):
                    continue  # "I'm in Brussels that week", "I'm in a meeting": a place, not "count me in"
                return Word(" ".join(phrase), " ".join(phrase))
        found_en = next(
            (i for i, w in enumerate(words) if w.lemma in ATTEND["en"] - {"make", "be", "sign"}), None
        )
        if found_en is None:
            return None
        after = words[found_en + 1 : found_en + 2]
        if after and after[0].lemma in _THINGS["en"]:
            return None  # "the registration link doesn't work": about a thing, not attending
        return words[found_en]
    found = next((w for w in words if w.lemma in ATTEND[language]), None)
    if found is None and language == "fi":
        # Participles and other derivations: "Ilmoitan osallistuvani", "tulossa".
        found = next(
            (
                w
                for w in words
                if w.lemma.startswith(("osallistu", "ilmoittautu")) and not w.lemma.endswith(_THINGS["fi"])
            ),
            None,
        )
    return found


def _cancel_stem(word: Word, language: str) -> bool:
    return language != "fi" and any(word.lemma.startswith(stem) for stem in CANCEL[language] if len(stem) > 5)


def _particle(surfaces: list[str], language: str, first: bool) -> str | None:
    """An answering particle near the start of the sentence's first clause ("Kyllä!",
    "Alustavasti kyllä", "Nej tack", "Likely yes")."""
    if not first or not surfaces:
        return None
    head = surfaces[:3]
    if any(w in MAYBE_WORDS[language] for w in head[:1]):
        return MAYBE
    at = next((i for i, w in enumerate(head) if w in YES_WORDS[language]), None)
    # Only words that lead into an answer may stand before the particle ("Ihan ehdottomasti
    # kyllä", "Oh yes", "Likely yes"); after a verb it is an adverb ("Uppdatera gärna era
    # register": please update).
    if at is not None and not all(_leads(w, language) for w in head[:at]):
        # …unless the sender is named before it: "Jag är gärna med", "anmäl mig gärna".
        at = at if set(head[:at]) & _SELF_WORDS else None
    if at is not None or " ".join(head[:2]) in YES_WORDS[language]:
        return YES
    if surfaces[0] in NO_WORDS[language] or " ".join(head[:2]) in NO_WORDS[language]:
        return NO
    return None


_LEAD_INS = {
    *("ihan", "aivan", "oikein", "tosi", "no", "niin", "ja", "kiitos", "hei", "moi", "jo"),
    *("mycket", "jo", "och", "tack", "hej", "hejsan", "nu", "så", "men"),
    *("oh", "well", "very", "most", "so", "and", "thanks", "thank", "hi", "hello", "then", "why"),
}


_SELF_WORDS = {"minä", "mä", "minut", "mut", "me", "jag", "mig", "vi", "oss", "i", "we", "us"}


def _leads(surface: str, language: str) -> bool:
    lead_words = YES_WORDS[language] | MAYBE_WORDS[language] | HEDGES[language]
    return surface in _LEAD_INS or surface in lead_words or surface.startswith(_HEDGE_STEMS[language])


# Subjects that open a Swedish clause after "om" ("om jag hinner", "om det blir av").
_SV_SUBJECTS = {"jag", "vi", "du", "ni", "det", "han", "hon", "de", "dom", "man", "den", "någon", "allt"}


def _clause_follows(after: list[str]) -> bool:
    """Swedish "om" opens a condition when a clause follows it: a subject pronoun, or a subject
    and then a verb in the present ("om tåget passar", "om mötet på förmiddagen blir inställt");
    otherwise it is the preposition ("varmt om hjärtat")."""
    if not after:
        return False
    if after[0] in _SV_SUBJECTS:
        return True
    return any(len(w) > 2 and w.endswith("r") and w not in _SV_NOT_VERBS for w in after[1:])


# Words after "om" that end like a Swedish present-tense verb and are none.
_SV_NOT_VERBS = {
    *("för", "eller", "över", "efter", "under", "lärare", "bättre", "mer", "fler", "kvar", "vår"),
    *("här", "där"),
}


def _hedge(words: list[Word], language: str, sentence: str) -> str:
    hedges = HEDGES[language]
    stems, phrases = _HEDGE_STEMS[language], _HEDGE_PHRASES[language]
    for index, word in enumerate(words):
        if index == 0 and _emphatic_nog(words, language):
            continue
        if index and f"{words[index - 1].surface} {word.surface}" in YES_WORDS[language]:
            continue  # "totta kai" is "of course", not the hedge "kai"
        if language == "en" and word.surface == "may" and _month_may(words, index):
            continue  # "Count me in for the May meeting": the month, not the modal
        if (
            language == "sv"
            and word.surface == "om"
            and not _clause_follows([w.surface for w in words[index + 1 : index + 5]])
        ):
            continue  # "ligger mig varmt om hjärtat": the preposition, no condition
        if word.surface in hedges or word.lemma in hedges or word.surface.startswith(stems):
            return word.surface
        if language == "fi" and word.lemma == "katsoa" and word.person == "4":
            return word.surface  # "katsotaan": we'll see
    lowered = sentence.lower()
    found = next((h for h in phrases if h in lowered), "")
    if found == "voi olla" and any(w.negator for w in words):
        return ""  # "En voi olla tulematta" says "I cannot stay away", not "it may be"
    return found


_PRONOUNS_EN = {"i", "we", "you", "he", "she", "they", "it", "that", "this", "there", "which", "who"}


def _month_may(words: list[Word], index: int) -> bool:
    """ "May" is the month when capitalised inside the sentence and not after a subject ("the
    May meeting", "in May"); "I may come", "May I bring…" are the modal."""
    if not words[index].capitalised or index == 0:
        return False
    return words[index - 1].surface not in _PRONOUNS_EN


def _emphatic_nog(words: list[Word], language: str) -> bool:
    """Finland-Swedish "Nog kommer jag" (verb second, like Finnish "kyllä tulen") is a sure yes;
    "jag kommer nog" after the verb is the hedge "probably"."""
    if language != "sv" or len(words) < 3 or words[0].surface != "nog":
        return False
    subjects = _I["sv"] | _WE["sv"]
    return words[1].surface not in subjects | {"det", "du", "ni"} and words[2].surface in subjects


# Hedges longer than four letters also match as the start of a word ("todennäköisesti" →
# "todennäköisest…"); those with a space are looked for in the sentence. Built once: the reader
# asks for every clause.
_HEDGE_STEMS = {lang: tuple(h for h in hedges if len(h) > 4) for lang, hedges in HEDGES.items()}
_HEDGE_PHRASES = {lang: tuple(sorted(h for h in hedges if " " in h)) for lang, hedges in HEDGES.items()}


def _about_others(words: list[Word], language: str) -> bool:
    # "She'll send her own registration": the pronoun before its clitic is the person.
    if any(
        w.lemma in OTHERS[language] or w.surface.replace("’", "'").split("'")[0] in OTHERS[language]
        for w in words
    ):
        return True
    # "Vår planerare Henrik Ahlgren deltar i stället": a person named, and no "I", is someone else.
    if language == "fi" or {w.surface for w in words} & _I[language]:
        return False
    if len(words) > 1 and words[0].capitalised and words[1].capitalised and words[0].surface not in _OPENERS:
        return True  # "Sanna Lehto from our team will come instead": a name opens the sentence
    return any(a.capitalised and b.capitalised for a, b in zip(words[1:], words[2:], strict=False))


# Words that open an English or Swedish sentence capitalised before a capitalised word that is no
# name ("Yes I will", "Hej Anna"): the pair is no person.
_OPENERS = {"i", "yes", "no", "hi", "hello", "dear", "ja", "nej", "hej", "tack", "thanks", "we", "vi", "jag"}


def _in_order(words: list[Word], phrase: tuple[str, ...]) -> bool:
    """The phrase's words occur in this order, with others between ("en ole vielä varma")."""
    rest = iter(words)
    return all(any(p in (w.lemma, w.surface) for w in rest) for p in phrase)


def _find(words: list[Word], phrase: tuple[str, ...]) -> int | None:
    """Where the phrase starts, each of its words matching a word's lemma or surface."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if all(p in (w.lemma, w.surface) for p, w in zip(phrase, words[i : i + n], strict=True)):
            return i
    return None


def _contains(sequence: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(sequence[i : i + n]) == phrase for i in range(len(sequence) - n + 1))
