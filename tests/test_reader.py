"""The reply reader, pure: sentences, lemmas, negation scope, mood, hedges, questions and the
people named, in Finnish, Swedish and English. Sentences here are our own; the labelled set in
tests/replies/ measures the whole reader (scripts/measure_replies.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from automation.parse.reading import available, read_answer

REPO = Path(__file__).resolve().parent.parent


def test_finnish_is_read_with_voikko_here() -> None:
    # CI installs libvoikko1 + voikko-fi: a missing dictionary must fail, not quietly fall back.
    assert available()


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Me tullaan kahdestaan.", "yes"),  # colloquial passive
        ("Tulemme paikalle.", "yes"),  # first person plural
        ("Emme valitettavasti pääse.", "no"),  # negative verb, plural
        ("Ei päästä tällä kertaa.", "no"),  # passive negative
        ("Pääsenkin sittenkin!", "yes"),  # clitic -kin
        ("En pääsekään.", "no"),  # clitic -kaan
        ("Pääsisin, jos saan sijaisen.", "unknown"),  # an answer on a condition is asked about
        ("Haluaisin ilmoittautua.", "yes"),  # polite conditional
        ("Luultavasti tulen.", "maybe"),
        ("Olen mukana.", "yes"),
        ("Voiko osallistua etänä?", "unknown"),  # a question is no answer
        ("Tyvärr hinner jag inte.", "no"),  # verb-second after an adverb
        ("Jag lämnar återbud.", "no"),  # a noun for the no
        ("Jag hänger på!", "yes"),
        ("Troligen kommer jag.", "maybe"),
        ("Jag skulle vilja anmäla mig.", "yes"),
        ("I'm game.", "yes"),
        ("Count me in!", "yes"),
        ("Unfortunately I won't be able to make it.", "no"),
        ("Hopefully I can come.", "maybe"),
        ("Is there parking at the venue?", "unknown"),
        ("Ei ruokarajoitteita.", "unknown"),  # a no about something else
        ("Kiitos, en tällä kertaa.", "no"),
        ("Osallistun: en", "no"),  # a form-like line
    ],
)
def test_answers_in_any_person_mood_and_word_order(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # Hedged intentions are a maybe, never a yes.
        ("Pyrin tulemaan paikalle.", "maybe"),
        ("Tavoitteena on osallistua.", "maybe"),
        ("Katotaan, voi olla et pääsen.", "maybe"),  # spoken "et" = "että", not "you don't"
        ("Tavoitteena on tulla, mutta en lupaa mitään.", "maybe"),  # "lupaa": luvata, not lupa
        ("I'll do my best to attend.", "maybe"),
        ("Pencil me in, I'll confirm by Friday.", "maybe"),
        ("Jag deltar i mån av tid.", "maybe"),
        ("Det ser ut som att jag kan komma, men det är inte spikat.", "maybe"),
        # Past conditionals (counterfactuals) are a no, whatever the politeness.
        ("Olisin osallistunut mielelläni, mutta minulla on toinen kokous.", "no"),
        ("Olisin halunnut tulla, mutta olen sairaana.", "no"),
        ("Jag hade gärna deltagit, men jag är bortrest.", "no"),
        ("Jag skulle ha kommit, men tåget går inte.", "no"),
        ("I would have loved to come, but I'm travelling.", "no"),
        ("I'd have joined you, but I'm away.", "no"),
        ("I would have to leave at noon, but I'll come.", "yes"),  # an obligation, not the past
        # Nobody of the sender's comes.
        ("None of us can attend this time.", "no"),
        ("Nobody from our team can make it.", "no"),
        ("Meiltä ei pääse ketään.", "no"),
        ("Ingen av oss kan delta.", "no"),
        ("Rehtori ei pääse paikalle.", "no"),  # the sender reports their people's no
    ],
)
def test_hedges_counterfactuals_and_nobody(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Joudun jättämään tapaamisen väliin.", "no"),
        ("En jätä tätä väliin!", "yes"),
        ("Kieltäydyn kohteliaimmin.", "no"),
        ("Päivä ei valitettavasti käy minulle.", "no"),
        ("Vi tackar nej den här gången.", "no"),
        ("Count me out, sorry.", "no"),
        ("I wouldn't miss it!", "yes"),
        ("Varaa minulle paikka.", "yes"),
        ("Varaan paikan itselleni.", "yes"),
        ("Vi ses i mars!", "yes"),
        ("Undertecknad deltar.", "yes"),
        ("Myself plus one colleague who registers herself.", "yes"),
        ("Ehdin paikalle.", "yes"),  # "ehdin" is present as well as past
        ("Jag kommmer gärna!", "yes"),  # a letter typed three times
        ("Jag anmälde mig men måste tyvärr dra tillbaka anmälan.", "no"),
    ],
)
def test_idioms_of_yes_and_no(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Sanoin ensin, etten pääse, mutta pääsenkin sittenkin.", "yes"),
        ("Ilmoitin aiemmin, etten ehdi, mutta tulenkin.", "yes"),
        ("Ilmoittauduin, mutta nyt tuli este.", "no"),
        ("I said no earlier, but my meeting was cancelled, so I can come after all.", "yes"),
        ("Jag sa nej först, men jag kommer ändå.", "yes"),
    ],
)
def test_a_change_of_mind_replaces_the_earlier_answer(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


def test_a_question_beside_an_answer_is_passed_on_and_the_answer_taken() -> None:
    # "I'll come – is lunch provided?": the answer is acted on, the question goes to a person.
    reading = read_answer("I'll come – is lunch provided or should we bring our own?")
    assert reading.answer == "yes" and reading.questions
    hedged = read_answer("Tulen luultavasti, mutta onko lounas maksullinen?")
    assert hedged.answer == "maybe" and hedged.questions
    # A date's full stop ends no sentence: the question is one sentence, not a nominal yes.
    assert read_answer("Ilmoittautumisaika on 22.2. mennessä, ehdinkö vielä?").answer == "unknown"
    assert read_answer("Tulen 12.3. Kiitos!").answer == "yes"


def test_companion_names_are_people_in_the_nominative() -> None:
    genitive = read_answer("Tulen ja ilmoitan myös kollegani Elina Mäkelän (elina.makela@kajaani.fi).")
    assert [(c.name, c.email) for c in genitive.companions] == [("Elina Mäkelä", "elina.makela@kajaani.fi")]
    heading = read_answer("Osallistujat Kajaanista: Elina Mäkelä ja Timo Rantanen. Tulemme kolmestaan.")
    assert [c.name for c in heading.companions] == ["Elina Mäkelä", "Timo Rantanen"]
    accents = read_answer("Myself plus Zoë Ångström from IT.")
    assert [c.name for c in accents.companions] == ["Zoë Ångström"]
    title = read_answer("I can't make it, but my colleague Dr. Priya Raman will attend instead.")
    assert title.answer == "no" and [c.name for c in title.companions] == ["Priya Raman"]
    swedish = read_answer("Jag är förhindrad, men vår rektor Anna Berg deltar i stället.")
    assert swedish.answer == "no" and [c.name for c in swedish.companions] == ["Anna Berg"]


def test_the_reading_explains_itself() -> None:
    reading = read_answer("Hei! Valitettavasti en pääse tällä kertaa.\nTerveisin Aino")
    assert (reading.answer, reading.language, reading.lemma, reading.negated) == ("no", "fi", "päästä", True)
    assert reading.evidence == "Valitettavasti en pääse tällä kertaa."
    conditional = read_answer("Tulen mielelläni, jos saan sijaisen.")
    assert (conditional.answer, conditional.hedge) == ("unknown", "jos")
    assert conditional.abstained == "a condition (jos)"
    assert conditional.evidence == "Tulen mielelläni, jos saan sijaisen."


def test_a_no_for_oneself_and_a_colleague_who_comes_are_told_apart() -> None:
    reading = read_answer("En pääse itse, mutta kollegani Pekka Mäkinen (pekka.makinen@espoo.fi) tulee.")
    assert reading.answer == "no"
    assert [(c.name, c.email) for c in reading.companions] == [("Pekka Mäkinen", "pekka.makinen@espoo.fi")]


def test_companions_are_named_in_their_nominative_with_their_addresses() -> None:
    reading = read_answer("Ilmoitan myös kollegani Liisa Korhosen (liisa.korhonen@espoo.fi). Tulen itsekin.")
    assert reading.answer == "yes"
    assert [(c.name, c.email) for c in reading.companions] == [("Liisa Korhonen", "liisa.korhonen@espoo.fi")]
    listed = read_answer(
        "Please register me and the following people:\n\n"
        "Katja Hämäläinen, katja@uni.example.fi\nLiam O'Brien\n"
    )
    assert [c.name for c in listed.companions] == ["Katja Hämäläinen", "Liam O'Brien"]
    asked = read_answer(
        "Olen jo ilmoittautunut, mutta lisäisittekö kollegani Elina Granströmin Opetushallituksesta "
        "(elina.granstrom@oph.example.fi)?"
    )
    assert (asked.answer, [(c.name, c.email) for c in asked.companions]) == (
        "yes",
        [("Elina Granström", "elina.granstrom@oph.example.fi")],
    )
    three = read_answer("We come three: Anna Berg, John Smith and me.")
    assert [c.name for c in three.companions] == ["Anna Berg", "John Smith"]


@pytest.mark.parametrize("text", ["", "😀" * 5000, "?!" * 20_000, "a. " * 30_000, "Kyllä " * 20_000])
def test_hostile_text_is_read_in_bounded_time_without_crashing(text: str) -> None:
    assert read_answer(text).answer in ("yes", "no", "maybe", "unknown")


def test_the_labelled_set_never_confuses_yes_no_or_maybe_for_yes() -> None:
    """The reader's figures on tests/replies (printed per language and answer by the script):
    a yes read as a no, a no as a yes, or a maybe as a yes acts against what the person said."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "measure_replies.py"), "--json", "-"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    confusion = report["confusion"]["matrix"]
    assert confusion["yes"]["no"] == 0 and confusion["no"]["yes"] == 0 and confusion["maybe"]["yes"] == 0
    assert report["accuracy"] >= 0.97  # the target; measured 0.977


def test_the_sender_naming_themself_is_not_a_companion() -> None:
    """Found by the soak: "Ilmoittautuminen: Markus Vainio, Nokian kaupunki." took a second seat
    for the sender's own name and pushed two people onto the waiting list."""
    for text in (
        "Ilmoittautuminen: Markus Vainio, Nokian kaupunki. Kyllä tulen.",
        "Ilmoittautuminen 12.3. tapaamiseen: Kaarina Leppänen, Imatran kaupunki.",
        "Anmälan: Johanna Lindholm, Borgå stad. Jag kommer.",
        "Registration: Helen Walker, Metropolia UAS. I'll attend.",
    ):
        reading = read_answer(text)
        assert reading.answer == "yes", text
        assert reading.companions == (), (text, reading.companions)


# Classes of misreading found on unseen replies; the sentences are our own wordings of each class.
@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Ehdottomasti tulossa!", "yes"),  # elliptic "tulossa", no verb of being
        ("En voi olla osallistumatta.", "yes"),  # negated "without taking part"
        ("Tuskin ehdin.", "maybe"),  # a doubt leaning to no is still a doubt alone…
        ("Tuskin ehdin – kirjaa suoraan, etten tule.", "no"),  # …but the no beside it decides
        ("Knappast, jag kommer inte.", "no"),
        ("Minun ei ole mahdollista, että ehtisin.", "no"),  # denied possibility governs the clause
        ("Det finns ingen möjlighet, att jag hinner.", "no"),
        ("Nog deltar jag.", "yes"),  # Finland-Swedish emphatic "nog" before the verb…
        ("Jag deltar nog.", "yes"),  # …and after it: Finland-Swedish "nog" affirms ("kyllä")
        ("Jag deltar troligen.", "maybe"),  # the hedge "probably" is another word
        ("Då är vi med!", "yes"),  # verb-second inside an idiom
        ("Tyvärr är jag inte med.", "no"),
        ("Ändra gärna min adress i era listor.", "unknown"),  # "gärna" after a verb is "please"
        ("anmäl mig gärna", "yes"),  # …but the sender asking to be registered is a yes
        ("I'm double-booked on that day.", "no"),
        ("Jag har tyvärr förhinder.", "no"),
        ("Jag måste avböja.", "no"),
        ("Olen silloin lomalla.", "no"),  # away at the meeting's time
        ("Olen lomalla 2.–6.3. ja vastaan palattuani.", "unknown"),  # an out-of-office notice
        ("I'm abroad that week.", "no"),
        ("I need to check with my manager first.", "maybe"),  # the answer waits on a check
        ("Minun täytyy ensin tarkistaa kalenterista.", "maybe"),
        ("I can't attend in person.", "unknown"),  # perhaps remotely: a person asks
        ("Declined: network meeting", "no"),  # a calendar response typed into the reply
        ("Accepted: network meeting", "yes"),
        ("I hope to come.", "maybe"),
        ("I won't make it. Hope to see you next time!", "no"),  # hope about another time
        ("Luulen, että pääsen.", "maybe"),  # belief
        ("I think I can make it.", "maybe"),
        ("I don't think I can make it.", "no"),  # negated belief: a polite no
        ("En usko, että mikään estää minua tulemasta.", "yes"),
        ("Jag kommer, men det är inte spikat.", "maybe"),  # a short hedge after the yes
        ("Yritän järjestää asiat niin, että pääsen.", "maybe"),  # a try governing a that-clause
        ("Not sure yet.", "maybe"),  # a doubt without a verb
        ("En tiedä vielä.", "maybe"),
        ("Troligen.", "maybe"),  # a hedge alone
        ("Tällä kertaa en.", "no"),  # negation at the end of a short clause
        ("Merkitse minut osallistujaksi.", "yes"),  # an imperative about the sender
        ("Merkitsethän minut takaisin listalle.", "yes"),  # "takaisin" is no conditional
        ("Totta kai tulossa.", "yes"),  # "totta kai" is "of course", not the hedge "kai"
        ("Minulla on päällekkäinen koulutus.", "no"),  # a clash at the meeting's time
        ("Jag har ett annat möte samtidigt.", "no"),
        ("I have a conflicting appointment.", "no"),
        ("Minulla on toinen kysymys.", "unknown"),  # "another" without an event or a time
        ("Stryk mig från deltagarlistan, tack.", "no"),  # removal from the meeting's list…
        ("Please delete me from the attendee list.", "no"),
        ("Remove me from the list.", "unknown"),  # …from "the list" it may be the mailing list
        ("Jag vet inte än om jag kan.", "maybe"),  # the modal stands for the verb of attending
        ("Det beror på om jag får vikarie.", "maybe"),  # the answer depends on something
        ("Riippuu aikataulusta.", "maybe"),
        ("Räkna med mig och min kollega.", "yes"),  # an idiom with "me" is about the sender
        ("Jag ställer upp.", "yes"),
        ("Ei sovi minulle.", "no"),
        ("I'll let you know nearer the time.", "maybe"),  # the answer promised for later
        ("Jag återkommer senare i veckan.", "maybe"),
        ("Valitettavasti en.", "no"),  # a regret before a bare negation
        ("We won't be sending anybody.", "no"),
        ("Olen estynyt osallistumasta.", "no"),  # prevented from taking part: not the verb in it
        ("I'm prevented from attending.", "no"),
        ("Osallistumiseni peruuntuu.", "no"),
        ("Osallistuminen on vielä epävarmaa.", "maybe"),  # uncertainty about taking part
        ("Attendance not yet confirmed.", "maybe"),
        ("Jag är upptagen den dagen.", "no"),  # busy at the meeting's time
        ("Meitä on tulossa kaksi.", "yes"),  # "of us" with a third-person verb
        ("RSVP: maybe", "maybe"),  # a form-like answer under the reply's own heading
        ("Vastaus: kyllä", "yes"),
        ("My registration: Ann Lee, City of Oulu", "yes"),  # the noun of registering
        ("The registration form doesn't open.", "unknown"),  # …but not a thing named after it
        ("Ilmoittautumislomake ei aukea.", "unknown"),
        ("Riippuu teistä, haluatteko esityksen.", "unknown"),  # depends on the receiver
        ("I will confirm the invoice details later.", "unknown"),  # something else confirmed
        ("We can't, sadly.", "no"),  # the subject and a negated modal alone
    ],
)
def test_classes_of_misreading_seen_on_unseen_replies(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer


def test_companions_brought_or_listed_beside_the_undersigned() -> None:
    brought = read_answer("Tulen, ja tuon sen sijaan Outi Lehtosen (outi.lehtonen@vantaa.fi).")
    assert brought.answer == "yes"
    assert [(c.name, c.email) for c in brought.companions] == [("Outi Lehtonen", "outi.lehtonen@vantaa.fi")]
    signer = read_answer("Meiltä osallistuvat allekirjoittaneen lisäksi Kati Hirvonen ja Mikko Lindroos.")
    assert signer.answer == "yes"
    assert [c.name for c in signer.companions] == ["Kati Hirvonen", "Mikko Lindroos"]
    elliptic = read_answer("I can't, but our planner Mia Lund will come.")
    assert elliptic.answer == "no" and [c.name for c in elliptic.companions] == ["Mia Lund"]
    plus = read_answer("jag + Rasmus Ek kommer")
    assert plus.answer == "yes" and [c.name for c in plus.companions] == ["Rasmus Ek"]


def test_the_reading_does_not_depend_on_the_hash_seed() -> None:
    # Phrases were once tried in a set's order, which changes with PYTHONHASHSEED.
    code = (
        "from automation.parse.reading import read_answer;"
        "r = read_answer('Merkitse minut osallistujaksi.');"
        "print(r.answer, r.lemma)"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3", "4")
    }
    assert len(seen) == 1 and seen.pop().startswith("yes")


def test_people_who_come_besides_the_sender_or_in_a_list_are_companions() -> None:
    besides = read_answer("Meiltä tulevat minun lisäkseni Hanna Aho ja Olli Heino.")
    assert besides.answer == "yes" and [c.name for c in besides.companions] == ["Hanna Aho", "Olli Heino"]
    listed = read_answer("Osallistujat: Anu Hakala, Jari Lampinen.")
    assert [c.name for c in listed.companions] == ["Anu Hakala", "Jari Lampinen"]
    # The sender's own verb at the start is no first name, a town in the genitive no surname.
    town = read_answer("Tulemme Helsingin kaupungilta kahdestaan Ville Nurmen kanssa.")
    assert [c.name for c in town.companions] == ["Ville Nurmi"]


@pytest.mark.parametrize(
    ("text", "month", "answer"),
    [
        ("Maaliskuun tapaamiseen en ehdi, syksyn tapaamiseen kyllä tulen.", 3, "no"),
        ("I cannot attend the autumn meeting, but I will come in March.", 3, "yes"),
        ("Jag kommer inte till höstträffen, men till mötet i mars kommer jag.", 3, "yes"),
        # Without the meeting's month (no date in the subject) two answers are asked about.
        ("Maaliskuun tapaamiseen en ehdi, syksyn tapaamiseen kyllä tulen.", None, "unknown"),
        # A month with no meeting named is no other meeting.
        ("Helmikuussa olen lomalla, mutta tulen.", 3, "yes"),
        # A doubt about the other meeting does not make this meeting's yes a maybe.
        ("Tulen maaliskuun tapaamiseen. Syksyn tapaamisesta en tiedä vielä.", 3, "yes"),
    ],
)
def test_an_answer_about_another_meeting_is_set_aside(text: str, month: int | None, answer: str) -> None:
    reading = read_answer(text, month=month)
    assert reading.answer == answer, reading
    other_meeting = month is not None and "Helmikuussa" not in text
    assert bool(reading.elsewhere) == other_meeting, reading  # passed on to the coordinator


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Sanna Lehto from our team will come instead.", "unknown"),
        ("Ilmoittauduin aiemmin, mutta nyt joudun vetäytymään.", "no"),
        ("Jag anmälde mig tidigare, men nu måste jag tyvärr dra mig ur.", "no"),
        ("Count me in for the May meeting.", "yes"),
        ("Jag kommer ifall jag hinner.", "unknown"),  # a condition: "did you mean…?"
        ("I will come provided that the trains run.", "unknown"),
        ("Jag vet inte om jag hinner.", "maybe"),  # "om" asking whether sets no condition
        ("Osallistun. Jos tarvitsette ruokavaliotiedot, olen vegaani.", "yes"),  # an offer, no condition
        ("Yes, I'll come! Actually, scratch that – I'm in Brussels that week. Sorry, I won't make it.", "no"),
        ("There's no way I'm not coming to this one.", "yes"),
        ("It's impossible for me to say yet.", "unknown"),  # impossible to know, not to come
        ("March is impossible for me.", "no"),
        ("Kiitos, osallistun ja jään myös iltapäivän työpajaan.", "yes"),  # staying for more
        ("kylla tulen", "yes"),
        ("en paase valitettavasti", "no"),
        ("mä en pääse", "no"),
        ("me ollaan tulos", "yes"),
        ("en kerkee", "no"),
        ("Jag hade gärna kommit, men vi har utvecklingssamtal den dagen.", "no"),
        ("Tyvärr kan jag inte.", "no"),
    ],
)
def test_mixed_signals_and_everyday_writing(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Tulen Annan kanssa.", ["Anna"]),
        ("Tullaan Villen ja Emman kanssa.", ["Ville", "Emma"]),
        ("Tulen Tampereelta Annan kanssa.", ["Anna"]),
        ("Please add my two colleagues, Mark Davies and Sarah Lee.", ["Mark Davies", "Sarah Lee"]),
        (
            "Ilmoitan itseni ja seuraavat:\nMatti Meikäläinen, matti@example.fi\nLiisa Korhonen"
            "\n\nTerveisin\nPekka",
            ["Matti Meikäläinen", "Liisa Korhonen"],
        ),
        ("I will attend together with a colleague from the Finnish Heritage Agency.", []),
        ("Jag kommer med två kolleger från Åbo stad.", []),
    ],
)
def test_companions_as_a_secretary_reads_them(text: str, names: list[str]) -> None:
    reading = read_answer(text)
    assert reading.answer == "yes" and [c.name for c in reading.companions] == names, reading


# Misreads of blind set 4 (tests/replies/blind4), each written as a new sentence of the same shape.
@pytest.mark.parametrize(
    ("text", "answer"),
    [
        # A third person confirming for themself ("itse" is theirs), "she'll" is a pronoun.
        ("Hän ilmoittaa osallistumisestaan vielä itse.", "unknown"),
        ("He'll send his own registration next week.", "unknown"),
        # Swedish "om" as a preposition is no condition; "om" opening a clause is.
        ("Nog kommer jag, ämnet ligger mig nära om hjärtat.", "yes"),
        ("Jag kommer om bussen går i tid.", "unknown"),
        ("Jag kommer om jag hinner.", "unknown"),
        # "as long as" has three words.
        ("I'll be there as long as the trains run that day.", "unknown"),
        # "Im in" typed without the apostrophe.
        ("Im in, see you there", "yes"),
        # Withdrawing a registration in Swedish.
        ("Jag måste tyvärr ta tillbaka min anmälan.", "no"),
        # A correction inside one sentence: what follows it is the answer.
        ("I'll come – no wait, scratch that, I can't make it.", "no"),
        ("Tulen eiku en pääsekään.", "no"),
        # What goes well is the change of the registration, not the coming.
        ("Jag kommer ändå. Hoppas det går bra att ändra anmälan.", "yes"),
        # A correction marker inside an address is no correction.
        ("Tulen. Terveisin Anna, anna.heikura@example.fi", "yes"),
        # A cancelling idiom that carries its own "inget".
        ("Det blir inget för min del den här gången.", "no"),
        # A name written wrong on the list is a detail to correct, not a yes.
        ("Huomasin, että nimeni on osallistujalistalla väärin: oikea muoto on Säde Pöyhönen.", "unknown"),
        # A short doubt opening a longer sentence.
        ("Vet inte ännu, beror på om bussen går.", "maybe"),
        ("Meiltä tulee luultavasti kaksi, nimet tulevat myöhemmin.", "maybe"),
    ],
)
def test_blind_set_four_shapes(text: str, answer: str) -> None:
    assert read_answer(text).answer == answer, read_answer(text)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Two of us will come from Aalto: me, Laura Kim and Pekka Rinne.", ["Laura Kim", "Pekka Rinne"]),
        (
            "Hej,\n\nfrån Vasa övningsskola kommer vi tre:\n\njag själv\nSara Holm\nJonas Berg"
            "\n\nHälsningar\nEva",
            ["Sara Holm", "Jonas Berg"],
        ),
        (
            "I'm already registered. Please also add two colleagues:\n\nAnna West – anna@example.com"
            "\nBen Ode – ben@example.com\n\nThanks!",
            ["Anna West", "Ben Ode"],
        ),
        ("Two of us from Aalto: myself and Laura Kim, laura.kim@example.fi.", ["Laura Kim"]),
        ("Anmäler mig själv och kollegan Sofie Ek, sofie.ek@example.fi.", ["Sofie Ek"]),
        ("Från Pargas stad deltar undertecknad samt rektor Eva Lind och Per Holm.", ["Eva Lind", "Per Holm"]),
        ("Jag kommer! Jonas Berg hänger också på.", ["Jonas Berg"]),
        (
            "Ilmoittautuneet Oulusta:\n- Heikki Pursiainen (allekirjoittanut)\n"
            "- Noora Vainio, noora@example.fi\n"
            "\nHeikki",
            ["Noora Vainio"],
        ),
        (
            "Jag är redan anmäld, men lägg gärna till mina kolleger:\n\nEmma Berg, emma@example.fi"
            "\nOlle Ek, olle@example.fi\n\nTack!",
            ["Emma Berg", "Olle Ek"],
        ),
    ],
)
def test_companions_in_blind_set_four_shapes(text: str, names: list[str]) -> None:
    reading = read_answer(text)
    assert reading.answer == "yes" and [c.name for c in reading.companions] == names, reading


def test_an_assistant_registering_someone_else_is_not_the_senders_yes() -> None:
    # The sender is not coming: nothing is registered on the sender's name, the reply is asked about.
    text = "On behalf of our CEO, I'd like to register Peter Holm (peter.holm@example.com) for the meeting."
    reading = read_answer(text)
    assert reading.answer == "unknown" and reading.abstained == "about someone else, not the sender"
    # The sender who says they come too is read as usual.
    assert read_answer("On behalf of our team, I'll attend with Anna Berg.").answer == "yes"
