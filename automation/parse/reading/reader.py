"""Read the answer to an invitation from the new text of a reply, sentence by sentence.

Each sentence is split into clauses; a clause answers when it has a verb of attending (or an
idiom, or an answering particle at its start) or a word of cancelling. Its polarity follows the
negators in the same clause (Finnish negative verb in any person, Swedish inte/ej/aldrig wherever
verb-second order puts it, English not/n't/unable), a hedge or a conditional without politeness
makes it a "maybe", a question is no answer, and a clause about someone else ("kollegani tulee")
is not the sender's answer. The clauses about the sender then decide: one kind of answer is that
answer, a maybe anywhere is a maybe (never a yes), a yes beside a no is unclear and asked about.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from automation.parse.reading.lexicon import (
    ABSENT,
    ANOTHER,
    ATTEND,
    BELIEF,
    BRINGING,
    CANCEL,
    CANCEL_IDIOMS,
    CHECK,
    CLASH,
    CLASH_TIME,
    DEPENDS,
    EN_PHRASES,
    ENGAGEMENT,
    EVENT_TIME,
    HEDGES,
    IDIOMS,
    LATER,
    LATER_VERBS,
    LEANING_NO,
    MAYBE_WORDS,
    MISS,
    NO_WORDS,
    NOBODY,
    OTHERS,
    PENDING,
    REMOVE,
    STOPWORDS,
    UNSURE,
    YES_WORDS,
)
from automation.parse.reading.words import Word, analyse, is_common_word, new_text, surname_base, tokens

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
_I = {"fi": {"minä", "mä", "itse"}, "sv": {"jag", "undertecknad"}, "en": {"i", "myself"}}
# Conditions hedge the whole sentence ("Tulen, jos ehdin"); other hedges only their clause
# ("Et varmaan ihmettele, mutta en pääse" is a no).
_CONDITIONS = {"jos", "mikäli", "kunhan", "om", "if", "unless"}
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


def read_answer(text: str, language: str | None = None) -> Reading:
    new_text()
    sentences = _sentences(text)
    whole = language or guess_language(text)
    clues: list[Clue] = []
    questions: list[str] = []
    for sentence in sentences:
        found, asked = _read_in_some_language(sentence, whole)
        clues += found
        if asked:
            questions.append(sentence[:200])
    return _decide(clues, tuple(questions), whole, text)


# A full stop after an abbreviation ("Dr. Priya Nair") or a date followed by a lower-case word
# ("22.2. mennessä") ends no sentence.
_TITLE = re.compile(r"\b(?:dr|mr|mrs|ms|prof|esim|mm|ns|yms|tms|ca)\.$", re.IGNORECASE)
_DATE = re.compile(r"\d\.$")


def _sentences(text: str) -> list[str]:
    """The sentences of the text, at most _MAX_SENTENCES; a line break always ends one."""
    found: list[str] = []
    for line in text.splitlines():
        previous = ""
        for piece in (p.strip() for p in _SENTENCE.split(line)):
            if not piece:
                continue
            tail = previous[-8:]
            if previous and (_TITLE.search(tail) or (_DATE.search(tail) and piece[0].islower())):
                previous = found[-1] = f"{previous} {piece}"
                continue
            found.append(piece)
            previous = piece
            if len(found) >= _MAX_SENTENCES:
                return found
    return found


def guess_language(text: str) -> str | None:
    raw = tokens(text)
    words = [w.lower() for w in raw]
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    # Endings only Finnish has, and the letter only Swedish has.
    scores["fi"] += sum(w.endswith(("ä", "ssa", "ssä", "llä", "stä")) for w in words)
    scores["sv"] += sum("å" in w for w in words)
    # English has no å, ä or ö: "Uppdatera gärna … i ert register" is not English for its "i".
    # Names have them in English too ("Zoë Ångström", "Jyväskylä"): only lower-case words count.
    scores["en"] -= sum(_NORDIC.search(w) is not None for w in raw if w.islower())
    ranked = sorted(scores.values(), reverse=True)
    best = max(scores, key=lambda lang: scores[lang])
    # A tie ("on" is Finnish and English) says nothing: each language is then tried in turn.
    return best if ranked[0] > 0 and ranked[0] > ranked[1] else None


def _read_in_some_language(sentence: str, whole: str | None) -> tuple[list[Clue], bool]:
    """A sentence in a known language is read in it; one too short to tell ("I'm game",
    "Olen mukana") is read in the text's language, then in the others, first answer wins."""
    guessed = guess_language(sentence)
    if guessed:
        found, asked = _read_sentence(sentence, guessed)
        if found or asked or not whole or whole == guessed or len(sentence) > 40:
            return found, asked
        # A short sentence's guess rests on a word or two ("Preliminärt ja": "ja" is also
        # Finnish): the text's own language is asked too.
        return _read_sentence(sentence, whole)
    order = [lang for lang in (whole, "fi", "sv", "en") if lang]
    if any(_NORDIC.search(w) and w.islower() for w in tokens(sentence)):
        order = [lang for lang in order if lang != "en"]  # "Uppdatera gärna era register" is no English
    for lang in dict.fromkeys(order):
        found, asked = _read_sentence(sentence, lang)
        if found or asked:
            return found, asked
    return [], False


_NORDIC = re.compile(r"[åäöÅÄÖ]")
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


def _unsure(sentence: str, language: str, words: list[Word]) -> Clue | None:
    """ "En ole vielä varma, pääsenkö", "Jag vet inte om jag hinner", "not sure I can come":
    doubt about attending (even asked as an indirect question) is a maybe."""
    # The cheap tests first: most sentences have no negation, and the phrase search is the cost.
    negated = any(w.negator for w in words) or any(w.surface.startswith(("unsur", "osäk")) for w in words)
    # "Jag vet inte ännu om jag kan": the modal stands for the verb of attending.
    attending = ATTEND[language] | _MODAL_NO[language]
    verb = next((w for w in words if w.lemma in attending), None) if negated else None
    if verb is None and negated and _short_doubt(words, language):
        verb = next(w for w in words if w.negator or w.surface.startswith(("unsur", "osäk")))
    elif verb is None or not any(_in_order(words, phrase) for phrase in UNSURE[language]):
        return None
    return Clue(MAYBE, sentence[:200], verb.lemma, False, "", "doubt", True, language=language)


_YET = {"vielä", "viel", "än", "ännu", "yet"}


def _short_doubt(words: list[Word], language: str) -> bool:
    """ "En tiedä vielä", "En ole vielä varma", "Jag vet inte än", "Not sure yet": a doubt with no
    verb of attending, short and about now ("yet"), answers the invitation with a maybe. A longer
    one ("En tiedä, missä Kuntatalo on") is about something else."""
    if len(words) > 5 or any(w.question for w in words):
        return False
    if not ({w.surface for w in words} & _YET or len(words) <= 2):
        return False
    return any(_in_order(words, phrase) for phrase in UNSURE[language])


def _pending(sentence: str, language: str, words: list[Word]) -> Clue | None:
    """ "Jag måste kolla med skolan innan jag kan säga säkert", "Tarkistan ensin kalenterista",
    "I need to check with my manager first": the sender's answer waits on a check, a maybe."""
    if sentence.rstrip().endswith("?"):
        return None
    if any(w.negator for w in words):
        return None
    check = next((w for w in words if w.lemma in CHECK[language] and not w.past), None)
    if check is None or not any(w.lemma in PENDING[language] for w in words):
        # "Vahvistan myöhemmin", "I'll let you know closer to the date": promised for later.
        later = any(w.lemma in LATER[language] or w.surface in LATER[language] for w in words)
        phrase = next((p for p in LATER_VERBS[language] if later and _in_order(words, p)), None)
        check = next(w for w in words if phrase[0] in (w.lemma, w.surface)) if phrase else None
        if check is not None and len(phrase or ()) == 1 and not _confirms_attending(words, check, language):
            check = None  # "Vahvistan laskun myöhemmin": something else is confirmed
    # An indirect question may follow ("kysyä esimieheltä, pääsenkö"); a direct one ends in "?".
    if check is None:
        return None
    if language == "fi":
        sender = check.person == "1" or any(w.lemma in _MUST["fi"] for w in words)
    else:
        sender = bool({w.surface.replace("’", "'").split("'")[0] for w in words} & _I[language])
    if not sender:
        return None
    return Clue(MAYBE, sentence[:200], check.lemma, False, "", check.surface, True, language=language)


def _confirms_attending(words: list[Word], verb: Word, language: str) -> bool:
    """ "Vahvistan myöhemmin", "I'll confirm my attendance later", "jag återkommer senare": the
    word after the verb is a word of later, the attending itself, or a pronoun for it."""
    after = words[words.index(verb) + 1 : words.index(verb) + 3]
    if not after:
        return True
    pronouns = {"it", "this", "that", "sen", "asian", "tämän", "det", "detta", "my", "osallistumiseni"}
    first = after[0]
    return (
        first.lemma in LATER[language]
        or first.surface in LATER[language]
        or first.surface in pronouns
        or first.lemma in ATTEND[language]
        or first.lemma.startswith(_LIST_HEADS[language])
    )


def _depends(sentence: str, language: str, words: list[Word]) -> Clue | None:
    """ "Riippuu aikataulusta", "Det beror på om jag får vikarie", "Depends on my schedule": the
    answer depends on something, a maybe. Not a question, and short: a long sentence with
    "depends" is about something else."""
    if len(words) > 8 or sentence.rstrip().endswith("?") or any(w.negator for w in words):
        return None
    if any(w.person == "2" or w.surface in _YOU for w in words):
        return None  # "Riippuu teistä, haluatteko…": about the receiver's choice
    found = next((w for w in words if w.lemma in DEPENDS[language] or w.surface in DEPENDS[language]), None)
    if found is None:
        return None
    return Clue(MAYBE, sentence[:200], found.lemma, False, "", found.surface, True, language=language)


def _words(text: str, language: str) -> list[Word]:
    words = [analyse(t, language) for t in tokens(text)]
    if language == "fi":
        # Spoken "et" is "että" before a finite verb of the first person ("voi olla et pääsen");
        # the negative verb "et" is followed by a connegative ("et pääse").
        for i, (word, after) in enumerate(zip(words, words[1:], strict=False)):
            if word.surface == "et" and after.person in ("1", "4") and not after.negator:
                words[i] = Word("et", "että")
    return words


def _read_sentence(sentence: str, language: str) -> tuple[list[Clue], bool]:
    field = _field_answer(sentence, language) or _calendar_response(sentence, language)
    if field is not None:
        return [field], False
    # The sentence's words, analysed once: the doubt, the pending check and the hedge all need them.
    all_words = [analyse(t, language) for t in tokens(sentence)]
    unsure = _unsure(sentence, language, all_words) or _pending(sentence, language, all_words)
    unsure = unsure or _depends(sentence, language, all_words)
    if unsure is not None:
        return [unsure], False
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    asked = False
    found: list[Clue] = []
    floating = ""
    impossible = False
    previous: list[Word] = []
    carried = trailing = ""
    hedge = _hedge(all_words, language, sentence)
    for index, clause in enumerate(clauses):
        words = _words(clause, language)
        if not words:
            continue
        if impossible and not any(w.negator for w in words):
            # "Ei ole mitenkään mahdollista, että ehtisin": the clause after a denied possibility
            # is denied with it, whatever its mood.
            clue = _read_clause(words, sentence, language, False, "")
            if clue is not None and clue.answer in (YES, MAYBE):
                found.append(replace(clue, answer=NO, negated=True, hedge=""))
                impossible = False
                continue
        last = index == len(clauses) - 1
        if any(w.question for w in words) or (last and sentence.rstrip().endswith("?")):
            asked = True
            continue
        if not last and _denies_possibility(words, language) and _attend_verb(words, language) is None:
            impossible = True
            continue
        own = _hedge(words, language, clause)
        if own and any(w.negator for w in words) and _believes(words, language):
            own = ""  # "En usko, että mikään estää minua", "I don't think I can": no hedge
        condition = hedge if hedge in _CONDITIONS else ""
        # "Tyvärr, nej": after a clause of regret alone the particle still opens the answer.
        opening = index == 0 or (index == 1 and all(w.surface in _POLITE_NO for w in previous))
        previous = words
        clue = _read_clause(words, sentence, language, opening, own or condition)
        if clue and _changed_mind(words, clause, language):
            clue = replace(clue, changed=True)
        if clue and carried and not clue.hedge and clue.answer == YES:
            clue = replace(clue, answer=MAYBE, hedge=carried)
        carried = ""
        if clue:
            found.append(clue)
        elif own and len(words) <= 2:
            floating = own  # "Kyllä, alustavasti": a hedge standing alone hedges the sentence
        elif own and found and len(words) <= 5 and _attend_verb(words, language) is None:
            # "Jag kommer, men det är inte spikat": a short hedge after the answer hedges its
            # yes (not a no: "en pääsekään, vaikka niin luulin").
            trailing = own
        elif own:
            # "Yritän järjestää aikatauluni niin, että pääsen": the hedge governs the next clause.
            carried = own

    if floating:
        # A doubt leaning to no ("Knappast, jag kommer inte", "Luulen, etten pääse") does not
        # soften the no it stands by.
        leaning = floating in LEANING_NO[language] or _believes([analyse(floating, language)], language)
        keep = {MAYBE, NO} if leaning else {MAYBE}
        found = [replace(c, answer=MAYBE, hedge=floating) if c.answer not in keep else c for c in found]
    elif trailing:
        found = [replace(c, answer=MAYBE, hedge=trailing) if c.answer == YES else c for c in found]
    lone = _hedge(all_words, language, sentence) if not found and len(all_words) == 1 else ""
    if lone and lone not in _CONDITIONS and not asked:
        # "Troligen.", "Ehkäpä.", "Probably.": a hedge alone answers with a maybe.
        found = [Clue(MAYBE, sentence[:200], lone, False, "", lone, True, language=language)]
    if asked and sentence.rstrip().endswith("?") and all(c.answer != NO for c in found):
        # "Tulen luultavasti, mutta pitääkö lounas maksaa itse?": the answer waits on the reply
        # to the question; a person reads it first.
        return [], True
    return found, asked


_POSSIBLE = {"fi": {"mahdollinen", "mahdollisuus"}, "sv": {"möj", "chan"}, "en": {"possibl", "chanc", "way"}}


def _denies_possibility(words: list[Word], language: str) -> bool:
    """ "Ei ole mitenkään mahdollista", "det finns ingen möjlighet", "there is no chance"."""
    return any(w.negator for w in words) and any(w.lemma in _POSSIBLE[language] for w in words)


_AFTER_ALL = {
    "fi": ("sittenkin", "kuitenkin"),
    "sv": ("ändå", "trots allt", "i alla fall", "ändrat mig"),
    "en": ("after all", "changed my mind"),
}


def _changed_mind(words: list[Word], clause: str, language: str) -> bool:
    """ "Tulenkin", "pääsen sittenkin", "kommer ändå", "I can come after all": this clause's
    answer replaces one given before (even in the same sentence: "ilmoitin, etten pääse, mutta
    tulenkin")."""
    if any(w.focus in ("kin", "kaan") and w.lemma in ATTEND["fi"] for w in words):
        return True
    lowered = clause.lower()
    return any(marker in lowered for marker in _AFTER_ALL[language])


def _read_clause(words: list[Word], sentence: str, language: str, first: bool, hedge: str) -> Clue | None:
    lemmas = [w.lemma for w in words]
    surfaces = [w.surface for w in words]
    negator = next((w for w in words if w.negator), None)
    negated = negator is not None
    others = _about_others(words, language)
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
    removal = next((w for w in words if w.lemma in REMOVE[language]), None)
    if removal is not None and not negated:
        if verb is None and not any(w.lemma.startswith(_LIST_HEADS[language]) for w in words):
            return None  # "remove me from the list": perhaps the mailing list; a person reads it
        return Clue(NO, sentence[:200], removal.lemma, False, "", hedge, True, language=language)
    cancel = next((w for w in words if w.lemma in CANCEL[language] or _cancel_stem(w, language)), None)
    cancel = cancel or _cancel_idiom(words, language)
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
    acts = acts or bool({w.surface.replace("’", "'").split("'")[0] for w in words} & _I[language])
    # "Varaa minulle paikka", "merkitse minut": an idiom with "me" in it is about the sender.
    about_me = any(_find(words, idiom) is not None for idiom in _IDIOMS_WITH_ME[language])
    acts = acts or about_me
    # "Meitä on tulossa kaksi": the verb is in the third person, the subject is "of us".
    acts = acts or (language == "fi" and any(w.surface in ("meitä", "me") for w in words))
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
        if _in_order(words, idiom):
            return next(w for w in words if idiom[0] in (w.lemma, w.surface))
    return None


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
    inverted = [w for w in words if w.surface not in _SUBJECTS and not w.negator] if language == "sv" else []
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


def _hedge(words: list[Word], language: str, sentence: str) -> str:
    hedges = HEDGES[language]
    stems, phrases = _HEDGE_STEMS[language], _HEDGE_PHRASES[language]
    for index, word in enumerate(words):
        if index == 0 and _emphatic_nog(words, language):
            continue
        if index and f"{words[index - 1].surface} {word.surface}" in YES_WORDS[language]:
            continue  # "totta kai" is "of course", not the hedge "kai"
        if word.surface in hedges or word.lemma in hedges or word.surface.startswith(stems):
            return word.surface
        if language == "fi" and word.lemma == "katsoa" and word.person == "4":
            return word.surface  # "katsotaan": we'll see
    lowered = sentence.lower()
    found = next((h for h in phrases if h in lowered), "")
    if found == "voi olla" and any(w.negator for w in words):
        return ""  # "En voi olla tulematta" says "I cannot stay away", not "it may be"
    return found


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
    if any(w.lemma in OTHERS[language] or w.surface in OTHERS[language] for w in words):
        return True
    # "Vår planerare Henrik Ahlgren deltar i stället": a person named, and no "I", is someone else.
    if language == "fi" or {w.surface for w in words} & _I[language]:
        return False
    return any(a.capitalised and b.capitalised for a, b in zip(words[1:], words[2:], strict=False))


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


def _decide(clues: list[Clue], questions: tuple[str, ...], language: str | None, text: str) -> Reading:
    own = [c for c in clues if c.about_sender]
    answers = {c.answer for c in own}
    # Companions are named in the sentences that bring them: "we come", "my colleague comes".
    bringing = [c.sentence for c in clues if c.answer == YES and _brings(c)]
    companions = _companions(" ".join(dict.fromkeys(bringing)), text)
    if not own and clues and all(c.answer == NO for c in clues):
        own = clues  # "Rehtori ja apulaisrehtori eivät pääse": the sender reports their people's no
        answers = {NO}
    if not own:
        # A question is shown as the evidence: the phrase patterns after the reader must not
        # read "tulen luultavasti, mutta pitääkö lounas maksaa?" as a yes.
        evidence = questions[0] if questions else ""
        return Reading(UNKNOWN, language, evidence, questions=questions, clues=tuple(clues))
    changed = {c.answer for c in own if c.changed}
    if answers == {YES, NO} and len(changed) == 1:
        # "Ilmoitin aiemmin, etten pääse, mutta tulenkin": the change of mind is the answer.
        decider = next(c for c in own if c.changed)
    elif answers == {MAYBE, NO} and all(_leans_no(c) for c in own if c.answer == MAYBE):
        # "Tuskin pääsen – merkitse suoraan, etten tule": the doubt leaned to the no it then says.
        decider = next(c for c in own if c.answer == NO)
    elif MAYBE in answers:
        decider = next(c for c in own if c.answer == MAYBE)
    elif answers == {YES} or answers == {NO}:
        decider = own[0]
    else:
        evidence = " / ".join(c.sentence for c in own[:2])
        return Reading(UNKNOWN, language, evidence, questions=questions, clues=tuple(clues))
    return Reading(
        decider.answer,
        language or decider.language or None,
        decider.sentence,
        decider.lemma,
        decider.negated,
        decider.mood,
        decider.hedge,
        questions,
        companions,
        tuple(clues),
    )


def _leans_no(clue: Clue) -> bool:
    return clue.hedge in LEANING_NO.get(clue.language or "fi", set())


_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME = re.compile(
    rf"\b([{_UPPER}][{_LOWER}]+(?:[ -][{_UPPER}][{_LOWER}]+)+)\b"
    r"(?:\s*[(<]?\s*([\w.+-]+@[\w-]+(?:\.[\w-]+)+))?"
)


def _base_name(name: str) -> str:
    """ "Liisa Korhosen" (object of "ilmoitan") is Liisa Korhonen: Voikko knows Finnish names."""
    parts = []
    for part in name.split(" "):
        parts.append(analyse(part, "fi").name or part)
    if len(parts) > 1 and parts[-1] == name.split(" ")[-1]:
        parts[-1] = surname_base(parts[-1]) or parts[-1]  # "Sari Rinteen" is Sari Rinne
    return " ".join(parts)


def _brings(clue: Clue) -> bool:
    """Whether a yes may name others: "we", someone else as the subject, or a word of bringing."""
    if clue.plural or not clue.about_sender:
        return True
    language = clue.language or "fi"
    if "+" in clue.sentence or "&" in clue.sentence:
        return True  # "jag + Rasmus Ek kommer"
    if len(_NAME.findall(clue.sentence)) >= 2:
        return True  # "Osallistujat: Anu Hakala, Jari Lampinen": a list of people
    cues = BRINGING.get(language, set()) | OTHERS.get(language, set())
    return any(
        w.surface in cues or w.lemma in cues for w in (analyse(t, language) for t in tokens(clue.sentence))
    )


def _companions(sentences: str, text: str) -> tuple[Companion, ...]:
    """People named (two or more capitalised words) in the sentences that say yes, each with
    the address written right after the name, or else one elsewhere in the text whose local
    part is the name ("eero.lahtinen@…")."""
    # Only short lines with an "@" are searched: the address regex backtracks on long runs.
    lines = [line[:500] for line in text[:20_000].splitlines() if "@" in line]
    addresses = [address for line in lines for address in _EMAIL.findall(line)]
    found: list[Companion] = []
    for match in _NAME.finditer(sentences):
        # "Osallistujat Kajaanista: …": a capitalised common word is no part of a name.
        parts = match.group(1).split(" ")
        while parts and is_common_word(parts[0]):
            parts = parts[1:]
        if len(parts) < 2:
            continue
        name, email = _base_name(" ".join(parts)), match.group(2)
        if any(c.name == name for c in found):
            continue
        found.append(Companion(name, email or _address_of(name, addresses)))
    return tuple(found[:10])


def _address_of(name: str, addresses: list[str]) -> str | None:
    wanted = _ascii(".".join(name.lower().split()))
    return next((a for a in addresses if _ascii(a.split("@")[0].lower()) == wanted), None)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
