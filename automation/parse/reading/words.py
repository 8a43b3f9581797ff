"""Words of one language with what the reader needs of them: lemma (Finnish, through Voikko) or
stem (Swedish and English, through Snowball), negator, verb, person, mood and clitics.

Voikko is optional: without `libvoikko` and the `voikko-fi` dictionary Finnish falls back to the
Snowball stemmer and a few suffix rules, and `available()` says so, so that `automation check`
and the run summary can tell the coordinator that Finnish is read with reduced accuracy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

from automation.parse.reading.lexicon import ATTEND, CANCEL, NEGATORS, PARTICIPLES, UNSURE

INSTALL_VOIKKO = "apt-get install libvoikko1 voikko-fi && pip install libvoikko"


@dataclass(frozen=True)
class Word:
    surface: str  # lower case
    lemma: str  # Finnish base form, or the Snowball stem
    negator: bool = False
    verb: bool = False
    person: str = ""  # "1", "2", "3"; "4" is the Finnish passive ("tullaan": colloquial "we")
    plural: bool = False
    mood: str = ""  # "conditional", "indicative", "imperative", "infinitive", …
    question: bool = False  # Finnish -ko/-kö
    capitalised: bool = False
    name: str = ""  # as a first name or surname Voikko knows: its nominative ("Korhosen" → Korhonen)
    known: bool = True  # the morphology knows the word (False: a typo, a foreign word)
    past: bool = False  # past tense ("ilmoittauduin", "registered", "anmälde")
    participle: bool = False  # Finnish past active participle ("tullut", "halunnut")
    focus: str = ""  # Finnish focus clitic: "kin" ("tulenkin"), "kaan" ("en pääsekään")


_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def tokens(text: str) -> list[str]:
    # A sentence of more than 200 words is no answer, and no word of one is over 60 letters:
    # both bound the morphology's work on hostile text.
    return [t for t in _TOKEN.findall(text[:5000]) if len(t) <= 60][:200]


@lru_cache(maxsize=1)
def _voikko() -> Any:
    try:
        import libvoikko

        return libvoikko.Voikko("fi")
    except Exception:  # noqa: BLE001 - missing library or dictionary: the fallback reads on
        return None


def available() -> bool:
    """True when Finnish is read with Voikko's morphology."""
    return _voikko() is not None


_STEMMERS = {"sv": "swedish", "en": "english", "fi": "finnish"}


@lru_cache(maxsize=3)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(_STEMMERS[language])


def _past_form(surface: str, language: str) -> bool:
    if language == "sv":  # anmälde, deltog, kom; not the participle "deltagande"
        return surface.endswith(("de", "te", "tog", "kom")) and not surface.endswith(("nde", "nte"))
    return surface.endswith("ed")


# Spoken Finnish that Voikko's standard dictionary lacks, read as the standard form.
COLLOQUIAL = {
    "tuun": "tulen",
    "tuu": "tule",
    "tuut": "tulet",
    "tullaa": "tullaan",
    "mä": "minä",
    "mää": "minä",
    "katotaan": "katsotaan",
    "kerkeen": "ehdin",
    "kerkiän": "ehdin",
    "kerkeän": "ehdin",
    "kerkee": "ehdi",
    "kerkii": "ehdi",
    "kerkeä": "ehdi",
    "ehi": "ehdi",
    "ehin": "ehdin",
    "oon": "olen",
    "oo": "ole",
    "ollaa": "ollaan",
    "tulos": "tulossa",
    "meen": "menen",
    "mee": "mene",
}


_TRIPLED = re.compile(r"(\w)\1\1+")


def analyse(token: str, language: str) -> Word:
    surface, capitalised = token.lower(), token[:1].isupper()
    # No word of the three languages has a letter three times in a row: "kommmer" is "kommer".
    surface = _TRIPLED.sub(r"\1\1", surface)
    if language == "fi":
        surface = COLLOQUIAL.get(surface, surface)
    word = _analyse(surface, language, capitalised)
    if language == "fi" and not word.known and _voikko() is not None:
        # "paasen", "kylla": written without the dots (a phone, a foreign keyboard).
        restored = _restored(surface)
        if restored:
            return _analyse(COLLOQUIAL.get(restored, restored), language, capitalised)
        if _may_correct(surface):
            return _corrected(surface, capitalised) or word
    return word


_PLAIN_VOWELS = {"a": "ä", "o": "ö"}


@lru_cache(maxsize=5_000)
def _restored(surface: str) -> str:
    """The word with ä and ö put back where that gives a word Voikko knows ("paasen" →
    "pääsen"), preferring a verb of the lexicon; "" when none does. At most four letters are
    tried (sixteen spellings): the answer's words are short."""
    places = [i for i, c in enumerate(surface) if c in _PLAIN_VOWELS]
    if not places or len(places) > 4 or not 2 <= len(surface) <= 16:
        return ""
    voikko = _voikko()
    known = ""
    for mask in range(1, 1 << len(places)):
        letters = list(surface)
        for bit, place in enumerate(places):
            if mask >> bit & 1:
                letters[place] = _PLAIN_VOWELS[surface[place]]
        candidate = "".join(letters)
        analyses = voikko.analyze(candidate)
        if any(a.get("BASEFORM") in _KNOWN_FI for a in analyses):
            return candidate
        if analyses and not known:
            known = candidate
    return known


@lru_cache(maxsize=20_000)
def _analyse(surface: str, language: str, capitalised: bool) -> Word:
    if language == "fi":
        voikko = _voikko()
        if voikko is not None:
            return _finnish(surface, voikko.analyze(surface), capitalised)
        return _finnish_fallback(surface, capitalised)
    stem = _stemmer(language).stemWord(surface.replace("’", "'"))
    past = stem in ATTEND[language] and _past_form(surface, language)
    negator = surface.replace("’", "'") in NEGATORS[language] or surface.endswith(("n't", "n’t"))
    return Word(surface, stem, negator=negator, capitalised=capitalised, past=past)


_CORRECTIONS_PER_TEXT = 8
_corrections_left = _CORRECTIONS_PER_TEXT


def new_text() -> None:
    """A new text is read: it may have a few of its unknown words spell-corrected again."""
    global _corrections_left
    _corrections_left = _CORRECTIONS_PER_TEXT


_LEXICON_STARTS = {lemma[:2] for lemma in ATTEND["fi"] | CANCEL["fi"]}


def _may_correct(surface: str) -> bool:
    """Only words that start like a lexicon verb, and only a few per text: this bounds the
    spelling suggestions' work on hostile text (the budget is outside every cache, so a word
    reads the same whatever was read before)."""
    global _corrections_left
    if not 4 <= len(surface) <= 16 or surface[:2] not in _LEXICON_STARTS or _corrections_left <= 0:
        return False
    _corrections_left -= 1
    return True


@lru_cache(maxsize=2_000)
def _corrected(surface: str, capitalised: bool) -> Word | None:
    """A word Voikko does not know ("tuelen", "ilmoitttaudun") is read as its first spelling
    suggestion when that is a verb of the lexicon: a typo in the answer must not hide it."""
    voikko = _voikko()
    for suggestion in voikko.suggest(surface)[:2]:
        analyses = voikko.analyze(suggestion)
        if any(a.get("BASEFORM") in ATTEND["fi"] | CANCEL["fi"] for a in analyses):
            return _finnish(surface, analyses, capitalised)
    return None


# Lemmas the reader looks for: an analysis with one of them is preferred ("lupaa": luvata, not
# the noun lupa; "tullut": the participle of tulla).
_KNOWN_FI = ATTEND["fi"] | CANCEL["fi"] | set(PARTICIPLES) | {p for ps in UNSURE["fi"] for p in ps}


def _finnish(surface: str, analyses: list[dict[str, str]], capitalised: bool) -> Word:
    if not analyses:
        return Word(surface, surface, capitalised=capitalised, known=False)
    # Prefer the reading the lexicon knows ("tullaan": tulla, not tullata), then the negative
    # verb, then Voikko's first ("kertaa": kerta, not kerrata).
    best = next((a for a in analyses if a.get("BASEFORM") in _KNOWN_FI), None)
    best = best or next((a for a in analyses if a.get("CLASS") == "kieltosana"), analyses[0])
    if best.get("MOOD") == "conditional" and best.get("BASEFORM") not in _KNOWN_FI:
        # "takaisin" is the adverb "back", not the conditional of "taata": a rare verb's
        # conditional must not make a sentence a maybe.
        best = next((a for a in analyses if a.get("CLASS") != "teonsana"), best)
    word_class = best.get("CLASS", "")
    mood = best.get("MOOD", "")
    base = best.get("BASEFORM", surface).lower()
    # "ehdin", "pyrin" are past and present alike: only a form that is past alone is past.
    past = best.get("TENSE") == "past_imperfective" and not any(
        a.get("BASEFORM") == best.get("BASEFORM") and a.get("TENSE") == "present_simple" for a in analyses
    )
    return Word(
        surface,
        PARTICIPLES.get(base, base),
        negator=word_class == "kieltosana",
        verb=word_class in ("teonsana", "kieltosana"),
        person=best.get("PERSON", ""),
        plural=best.get("NUMBER") == "plural",
        mood="infinitive" if "infinitive" in mood.lower() else mood,
        question=best.get("KYSYMYSLIITE") == "true",
        capitalised=capitalised,
        name=_name_form(surface, analyses),
        past=past,
        participle=best.get("PARTICIPLE") == "past_active",
        focus=best.get("FOCUS", ""),
    )


_NAME_CLASSES = ("etunimi", "sukunimi", "paikannimi", "nimi")


@lru_cache(maxsize=2_000)
def is_common_word(token: str) -> bool:
    """Voikko knows the word as an inflected common word, never a name: "Osallistujat" in
    "Osallistujat Kajaanista". A nominative singular may be a name Voikko lacks ("Maja")."""
    voikko = _voikko()
    if voikko is None or len(token) > 40:
        return False
    analyses = voikko.analyze(token)
    if any(a.get("CLASS") == "teonsana" and a.get("PERSON") == "1" for a in analyses):
        return True  # "Tulemme Helsingin…": the sender's own verb starts no name
    return bool(analyses) and not any(
        a.get("CLASS") in _NAME_CLASSES or (a.get("SIJAMUOTO") == "nimento" and a.get("NUMBER") != "plural")
        for a in analyses
    )


@lru_cache(maxsize=2_000)
def surname_base(token: str) -> str:
    """A surname that is a common noun to Voikko, inflected as the object of "tuon", "ilmoitan"
    ("Sari Rinteen": rinne): its base form as a name. Only when every reading is a genitive
    singular noun, so a nominative surname ("Berg", "Salo") is never changed."""
    voikko = _voikko()
    if voikko is None or len(token) > 40:
        return ""
    analyses = voikko.analyze(token)
    if not analyses or any(a.get("SIJAMUOTO") != "omanto" or a.get("NUMBER") != "singular" for a in analyses):
        return ""
    if any(a.get("CLASS") != "nimisana" for a in analyses):
        return ""
    return str(analyses[0].get("BASEFORM", "")).title()


def _name_form(surface: str, analyses: list[dict[str, str]]) -> str:
    # Many Finnish surnames are place names to Voikko ("Mäkelän": Mäkelä).
    names = [a for a in analyses if a.get("CLASS") in _NAME_CLASSES]
    if not names or any(a.get("SIJAMUOTO") == "nimento" for a in names):
        return surface.title() if names else ""
    return names[0].get("BASEFORM", surface)


_FI_NEGATIVE = {"en", "et", "ei", "emme", "ette", "eivät", "emmä", "emmää"}
_FI_FALLBACK_LEMMAS = (
    ("osallistu", "osallistua"),
    ("ilmoittau", "ilmoittautua"),
    ("pääs", "päästä"),
    ("tul", "tulla"),
    ("saap", "saapua"),
    ("ehdi", "ehtiä"),
    ("ehti", "ehtiä"),
    ("peru", "perua"),
    ("esty", "estyä"),
)


def _finnish_fallback(surface: str, capitalised: bool) -> Word:
    """Without Voikko: the negative verb by its forms, a verb of the lexicon by its stem, the
    conditional by its -isi- and the question clitic by -ko/-kö. Reduced accuracy, said so."""
    if surface in _FI_NEGATIVE:
        person = {"en": "1", "emme": "1", "et": "2", "ette": "2"}.get(surface, "3")
        return Word(
            surface, "ei", negator=True, verb=True, person=person, plural=surface.endswith(("mme", "vät"))
        )
    lemma = next((full for stem, full in _FI_FALLBACK_LEMMAS if surface.startswith(stem)), "")
    if not lemma:
        return Word(surface, _stemmer("fi").stemWord(surface), capitalised=capitalised)
    person = "1" if surface.endswith(("n", "mme")) else "4" if surface.endswith(("aan", "ään")) else "3"
    return Word(
        surface,
        lemma,
        verb=True,
        person=person,
        plural=surface.endswith("mme"),
        mood="conditional" if "isi" in surface[3:] else "indicative",
        question=surface.endswith(("ko", "kö")),
        capitalised=capitalised,
    )


@lru_cache(maxsize=2_000)
def is_first_name(token: str) -> bool:
    """Voikko knows the word as a first name, in any case ("Anne", "Annan"): "Tampereelta
    Annan kanssa" names Anna, not "Tampere Anna"."""
    voikko = _voikko()
    if voikko is None or len(token) > 40:
        return token[:1].isupper()
    return any(a.get("CLASS") == "etunimi" for a in voikko.analyze(token))


@lru_cache(maxsize=2_000)
def is_place(token: str) -> bool:
    """Voikko knows the word as a place and not as a first name ("Tampereelta", "Kajaanista")."""
    voikko = _voikko()
    if voikko is None or len(token) > 40:
        return False
    classes = {a.get("CLASS") for a in voikko.analyze(token)}
    return "paikannimi" in classes and "etunimi" not in classes
