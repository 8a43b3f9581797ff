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
from dataclasses import replace

from automation.parse.reading.answers import (
    _CLAUSE,
    _CONDITIONS,
    _I,
    _MAX_SENTENCES,
    _MODAL_NO,
    _MUST,
    _POLITE_NO,
    _SENTENCE,
    MAYBE,
    NO,
    UNKNOWN,
    YES,
    Clue,
    Reading,
)
from automation.parse.reading.clauses import (
    _changed_mind,
    _denies_possibility,
    _read_clause,
)
from automation.parse.reading.forms import (
    _ADD_PEOPLE,
    _ADDRESSEE,
    _DOUBLE_NO,
    _ON_BEHALF,
    _PARTY,
    _REQUEST,
    _SELF_TOO,
    _around_correction,
    _calendar_response,
    _condition,
    _field_answer,
)
from automation.parse.reading.lexicon import (
    ATTEND,
    CANCEL,
    CHECK,
    DEPENDS,
    LATER,
    LATER_VERBS,
    LEANING_NO,
    PENDING,
    STOPWORDS,
    UNSURE,
)
from automation.parse.reading.meeting_refs import (
    _this_meeting,
    _when,
    other_answers,
)
from automation.parse.reading.people import (
    _LIST_LEAD,
    _brings,
    _companions,
    _listed_after,
)
from automation.parse.reading.signals import (
    _LIST_HEADS,
    _YOU,
    _attend_verb,
    _believes,
    _hedge,
    _in_order,
)
from automation.parse.reading.words import (
    Word,
    analyse,
    new_text,
    tokens,
)


def read_answer(text: str, language: str | None = None, month: int | None = None) -> Reading:
    """`month` is that of the meeting the reply answers (from the subject), when known: a
    clause naming another meeting by its month or season is then not this meeting's answer."""
    new_text()
    sentences = _sentences(text)
    whole = language or guess_language(text)
    clues: list[Clue] = []
    questions: list[str] = []
    corrected = False
    for sentence in sentences:
        # "Yes I'll come – sorry, scratch that, … Can't make it": what follows the correction
        # replaces what came before it, also inside one sentence.
        for part, after in _around_correction(sentence, corrected):
            found, asked = _read_in_some_language(part, whole)
            corrected = corrected or after
            if corrected:
                found = [replace(c, changed=True) for c in found]
            clues += found
            if asked:
                questions.append(part[:200])
    everything = clues
    clues, elsewhere, split = _this_meeting(clues, month)
    others = other_answers(everything, clues) if elsewhere else ()
    if split:
        return Reading(
            UNKNOWN,
            whole,
            " / ".join(c.sentence for c in clues[:2]),
            questions=tuple(questions),
            clues=tuple(clues),
            abstained="two meetings with different answers",
        )
    return replace(_decide(clues, tuple(questions), whole, text), elsewhere=elsewhere, other_answers=others)


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


def _unsure(sentence: str, language: str, words: list[Word]) -> Clue | None:
    """ "En ole vielä varma, pääsenkö", "Jag vet inte om jag hinner", "not sure I can come":
    doubt about attending (even asked as an indirect question) is a maybe."""
    # The cheap tests first: most sentences have no negation, and the phrase search is the cost.
    negated = any(w.negator for w in words) or any(w.surface.startswith(("unsur", "osäk")) for w in words)
    # "Jag vet inte ännu om jag kan": the modal stands for the verb of attending.
    attending = ATTEND[language] | _MODAL_NO[language]
    verb = next((w for w in words if w.lemma in attending), None) if negated else None
    if verb is None and negated and (_short_doubt(words, language) or _short_doubt_first(sentence, language)):
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


def _short_doubt_first(sentence: str, language: str) -> bool:
    """ "Vet inte ännu, beror på om budgeten räcker": the short doubt opens a longer sentence."""
    first = _CLAUSE.split(sentence, maxsplit=1)[0]
    return first != sentence and _short_doubt([analyse(t, language) for t in tokens(first)], language)


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
    if _ADD_PEOPLE[language].search(sentence) and (
        "?" not in sentence or _REQUEST[language].search(sentence)
    ):
        # "Please add my two colleagues, X and Y": the sender registers them (and is coming).
        return [Clue(YES, sentence[:200], "add", False, "", "", True, True, language)], False
    if _PARTY[language].search(sentence) and not any(w.negator or w.question for w in all_words):
        # "Two of us from Metropolia: myself and Anna Korhonen": the sender's party comes.
        return [Clue(YES, sentence[:200], "party", False, "", "", True, True, language)], False
    if _DOUBLE_NO[language].search(sentence):
        # "There's no way I'm not coming", "ei ole mitään syytä, miksen pääsisi": two noes, a yes.
        return [Clue(YES, sentence[:200], "double negation", True, "", "", True, language=language)], False
    unsure = _unsure(sentence, language, all_words) or _pending(sentence, language, all_words)
    unsure = unsure or _depends(sentence, language, all_words)
    if unsure is not None:
        # "Syksyn tapaamisesta en tiedä vielä": a doubt about another meeting is set aside too.
        return [replace(unsure, when=_when(sentence, language))], False
    clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
    asked = False
    found: list[Clue] = []
    floating = ""
    impossible = False
    previous: list[Word] = []
    carried = trailing = ""
    hedge = _hedge(all_words, language, sentence)
    conditional = _condition(all_words, language)
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
        if sentence.rstrip().endswith("?") and any(w.surface in _ADDRESSEE[language] for w in words):
            asked = True  # "Kommer du, Anna?": the sender asks someone else
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
        if clue and conditional and clue.about_sender:
            clue = replace(clue, condition=conditional)
        if clue and _changed_mind(words, clause, language):
            clue = replace(clue, changed=True)
        if clue:
            clue = replace(clue, when=_when(clause, language))
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
    if floating and not found and not asked and len(all_words) <= 5 and floating not in _CONDITIONS:
        # "Troligen, men inte säkert.": a hedge opening a short sentence with no verb is a maybe.
        found = [Clue(MAYBE, sentence[:200], floating, False, "", floating, True, language=language)]
    lone = _hedge(all_words, language, sentence) if not found and len(all_words) == 1 else ""
    if lone and lone not in _CONDITIONS and not asked:
        # "Troligen.", "Ehkäpä.", "Probably.": a hedge alone answers with a maybe.
        found = [Clue(MAYBE, sentence[:200], lone, False, "", lone, True, language=language)]
    # "I'll come – is lunch provided?": the answer is taken and the question passed on to the
    # coordinator beside it (the clause that asks is no answer itself). Only a verb's answer
    # stands beside a question: "Ilmoittautumisaika on 22.2. mennessä, ehdinkö vielä?" is none.
    if asked and sentence.rstrip().endswith("?"):
        verbs = ATTEND[language] | CANCEL[language]
        found = [c for c in found if (c.lemma in verbs and c.mood != "infinitive") or c.answer == NO]
    if _ON_BEHALF[language].search(sentence) and not _SELF_TOO[language].search(sentence):
        # "On behalf of our CEO, I'd like to register Peter Holm": an assistant registers someone
        # else; the sender is not coming, so nothing is taken as the sender's answer.
        found = [replace(c, about_sender=False, plural=True) if c.answer == YES else c for c in found]
    return found, asked


def _decide(clues: list[Clue], questions: tuple[str, ...], language: str | None, text: str) -> Reading:
    own = [c for c in clues if c.about_sender]
    answers = {c.answer for c in own}
    # Companions are named in the sentences that bring them: "we come", "my colleague comes".
    bringing = [c.sentence for c in clues if c.answer == YES and _brings(c)]
    leads = bringing + [line.strip() for line in text.splitlines() if _LIST_LEAD.search(line)]
    listed = [line for lead in dict.fromkeys(leads) for line in _listed_after(lead, text)]
    # Each listed line is a person of its own: joined with commas, two lines make no one name.
    companions = _companions(" ".join(dict.fromkeys(bringing)) + " " + ", ".join(dict.fromkeys(listed)), text)
    if not own and clues and all(c.answer == NO for c in clues):
        own = clues  # "Rehtori ja apulaisrehtori eivät pääse": the sender reports their people's no
        answers = {NO}
    if not own:
        # A question is shown as the evidence: the phrase patterns after the reader must not
        # read "tulen luultavasti, mutta pitääkö lounas maksaa?" as a yes.
        evidence = questions[0] if questions else clues[0].sentence if clues else ""
        why = "about someone else, not the sender" if clues else "a question, no answer" if questions else ""
        return Reading(UNKNOWN, language, evidence, questions=questions, clues=tuple(clues), abstained=why)
    sure = {c.sentence for c in own if c.answer == YES and not c.condition}
    if sure:
        # "Osallistun. Laskutusosoite on sama, jos peritään maksu": a condition in a sentence of
        # its own beside a plain yes is about a detail, not the answer.
        own = [c for c in own if not c.condition or c.sentence in sure]
        answers = {c.answer for c in own}
    if any(c.condition for c in own) and not sure:
        # "Tulen, jos ehdin", "jag kommer ifall tåget passar, annars avstår jag": the answer
        # hangs on a condition, so it is asked about ("did you mean…?"), never recorded, not
        # even as a maybe. A plain yes elsewhere in the reply still stands beside it.
        conditional = next(c for c in own if c.condition)
        return Reading(
            UNKNOWN,
            language,
            conditional.sentence,
            hedge=conditional.condition,
            questions=questions,
            companions=companions,
            clues=tuple(clues),
            abstained=f"a condition ({conditional.condition})",
        )
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
        return Reading(
            UNKNOWN, language, evidence, questions=questions, clues=tuple(clues), abstained="mixed answers"
        )
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
