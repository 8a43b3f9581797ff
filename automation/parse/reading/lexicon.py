"""The small lexicon the reader knows: lemmas and stems of attending, cancelling and being
prevented, the words that hedge an answer, and the negators, per language.

Finnish entries are Voikko base forms (one lemma stands for every inflected form: "tullaan",
"tulisin", "tulemme", "pääsenkin"); Swedish and English entries are Snowball stems. Multi-word
entries are matched on the sentence's lemmas or stems in order. Nothing here is an inflected
surface form, except the few uninflected particles that carry an answer on their own (and the
participles in PARTICIPLES, which are Voikko's own base forms for them).
"""

from __future__ import annotations

# Verbs (and verbal nouns) whose positive use answers "yes, I come".
ATTEND = {
    "fi": {
        "tulla",
        "osallistua",
        "päästä",
        "ilmoittautua",
        "saapua",
        "ehtiä",
        "lähteä",
        "mahtua",
        "onnistua",
    },
    "sv": {"komm", "delt", "anmäl", "närvar", "medverk", "hinn", "deltag", "anmälan", "går"},
    "en": {"attend", "come", "join", "particip", "regist", "registr", "make", "sign", "be"},
}
# English "make", "be" and "sign" only count in these phrases.
EN_PHRASES = {
    ("make", "it"),
    ("be", "there"),
    ("sign", "me", "up"),
    ("count", "me", "in"),
    ("i", "m", "in"),
    ("im", "in"),  # "Im in!" typed on a phone without the apostrophe
    ("i", "am", "in"),
    ("i", "m", "game"),
    ("i", "am", "game"),
    ("see", "you", "there"),
    ("pencil", "me", "in"),  # with the hedge "pencil": a maybe
    ("myself", "plus"),
    ("put", "me", "down"),
    ("save", "me", "a", "seat"),
    ("we", "ll", "be"),
    ("we", "will", "be"),
}
# Finnish and Swedish idioms of taking part, as lemma/stem sequences.
IDIOMS: dict[str, set[tuple[str, ...]]] = {
    "fi": {
        ("olla", "mukana"),
        ("mukana", "olla"),
        ("mukaan",),
        ("tulo", "olla"),
        ("olla", "tulo"),
        ("osallistuja",),
        ("minä", "käydä"),
        ("olla", "paikalla"),
        ("olla", "tulossa"),
        ("tulossa",),  # "Ehdottomasti tulossa!": the verb of being is left out
        ("merkitä", "minä"),
        ("laskea", "minä"),
        ("ilmoittaa", "minä"),
        ("ilmoittaa", "itse"),
        ("ilmoittaa", "myös"),
        ("ilmoittaa", "kollega"),
        ("varata", "minä", "paikka"),
        ("varata", "paikka"),
        ("ei", "käydä"),
        ("ei", "sopia"),
    },
    "sv": {
        ("var", "med"),
        ("är", "med"),
        ("häng", "på"),
        ("räkn", "med", "mig"),
        ("ses", "där"),
        ("ses", "då"),
        ("vi", "ses"),
        ("ses", "vi"),
        ("vi", "blir"),
        ("bord", "gå"),
        ("ställ", "upp"),
        ("pass", "inte"),  # "det passar inte": a no (the positive "det passar" is not an answer)
        ("där", "är", "jag"),  # "Den 12 mars i Kommunhuset – där är jag."
    },
    "en": set(),
}
# Voikko lemmas of the past active participles of ATTEND ("olisin tullut", "en ole ehtinyt"):
# Voikko gives a participle its own base form, so the reader maps it back to the verb.
PARTICIPLES = {
    "tullut": "tulla",
    "osallistunut": "osallistua",
    "päässyt": "päästä",
    "ilmoittautunut": "ilmoittautua",
    "saapunut": "saapua",
    "ehtinyt": "ehtiä",
    "lähtenyt": "lähteä",
    # and of being prevented: "olen estynyt tulemasta" is a no, not the "tulla" in it
    "estynyt": "estyä",
}
# Words and phrases that are a "no" without a negator: cancelling, sending regrets, being prevented.
CANCEL = {
    "fi": {
        *("perua", "peruuttaa", "estyä", "peruutus", "perutus", "kieltäytyä", "este"),
        *("poissaolo", "poissaoloilmoitus", "poissaoleva", "vetäytyä", "luopua"),
    },
    "sv": {
        *("avbok", "avanmäl", "återbud", "förhindr", "återkall", "annuller", "avstå", "förhinder"),
        *("dubbelbok", "frånvaroanmälan", "förhind", "avböj", "avstår", "miss"),
    },
    "en": {"cancel", "withdraw", "regret", "unabl", "declin", "apolog", "miss", "absenc", "prevent"},
}
# Idioms of declining, as lemma/stem sequences in order (other words may stand between:
# "jättää tämän väliin"). Negated, those of missing are a yes ("en jätä väliin", "wouldn't miss it").
CANCEL_IDIOMS: dict[str, set[tuple[str, ...]]] = {
    # "Maaliskuu on minulle mahdoton", "mars är omöjligt för mig", "March is impossible for me".
    # "Jään pois", "jään tällä kertaa väliin": staying away; "jään työpajaan" stays for more.
    "fi": {("jättää", "väli"), ("minä", "mahdoton"), ("jäädä", "pois"), ("jäädä", "väli"), ("jäädä", "koti")},
    "sv": {
        ("tack", "nej"),
        ("dra", "tillbak"),
        ("ta", "tillbak", "anmälan"),  # "måste ta tillbaka min anmälan"
        ("dra", "mig", "ur"),
        ("hopp", "av"),
        ("omöj", "för", "mig"),
        ("stå", "över"),
        ("blir", "inget", "för", "min"),
    },
    "en": {
        ("imposs", "for", "me"),
        ("pass", "this", "time"),
        ("have", "to", "pass"),
        ("count", "me", "out"),
        ("sit", "out"),
        ("doubl", "book"),
        ("clash",),
        ("pull", "out"),
        ("drop", "out"),
    },
}
# Being away ("olen silloin lomalla", "jag är bortrest då", "I'm away that week"): a no, when the
# sentence ties it to the meeting's time (an out-of-office notice is no answer).
ABSENT = {
    "fi": {
        *("loma", "sairasloma", "vuosiloma", "virkamatka", "työmatka", "poissa", "ulkomailla"),
        *("varattu", "kiinni", "kiireinen"),
    },
    "sv": {"semest", "bortrest", "sjukskriv", "tjänsteres", "utomland", "bort", "upptag"},
    "en": {"away", "holiday", "vacat", "abroad", "unavail", "busi", "occupi"},
}
EVENT_TIME = {
    "fi": {"silloin", "tuolloin", "sinä", "sillä", "kyseisenä", "tapaamisen", "tilaisuuden"},
    "sv": {"då", "den", "det", "dagen", "veckan", "datumet", "mötet", "träffen"},
    "en": {"then", "that", "date", "meeting", "event"},
}
# A clash with something else at the meeting's time ("minulla on päällekkäinen kokous", "jag har
# ett annat möte samtidigt", "I have a conflicting meeting"): a no. A word of clashing says so on
# its own; "another" + an event only with the time referred to (EVENT_TIME or CLASH_TIME).
CLASH = {
    "fi": {"päällekkäinen", "päällekkäisyys"},
    "sv": {"krock", "kollider"},
    "en": {"conflict", "clash"},
}
ANOTHER = {"fi": {"toinen", "muu"}, "sv": {"ann", "annan"}, "en": {"anoth", "other", "prior"}}
ENGAGEMENT = {
    "fi": {"kokous", "meno", "tilaisuus", "koulutus", "tapaaminen", "seminaari", "palaveri", "tehtävä"},
    "sv": {"möt", "tillställning", "åtag", "uppdrag", "utbildning", "seminarium", "event"},
    "en": {"meet", "commit", "engag", "event", "appoint", "train", "seminar"},
}
CLASH_TIME = {"fi": {"samaan", "samana", "päivälle"}, "sv": {"samtid", "samma"}, "en": {"same", "day"}}
# "Poistakaa minut osallistujalistalta", "stryk mig från deltagarlistan", "remove me from the
# participants": a no when it names the meeting's list; alone ("remove me from the list") it may
# mean the mailing list, and a person reads it.
REMOVE = {"fi": {"poistaa"}, "sv": {"stryk"}, "en": {"remov", "delet"}}
# "Riippuu aikataulusta", "det beror på om jag får vikarie", "depends on my schedule": a maybe.
DEPENDS = {"fi": {"riippua"}, "sv": {"beror"}, "en": {"depend"}}
MISS = {"fi": {"jättää"}, "sv": {"miss"}, "en": {"miss"}}
# "Meiltä ei irtoa ketään", "none of us can attend": nobody of the sender's comes, a no.
NOBODY = {"fi": {"kukaan"}, "sv": {"ingen"}, "en": {"none", "nobodi", "anyon", "anybodi"}}
# Negators; a clause with one reverses the answer of its verb.
NEGATORS = {
    "sv": {"inte", "ej", "icke", "aldrig", "inget", "ingen", "varken", "eller"},
    "en": {
        "not",
        "no",
        "never",
        "cannot",
        "can't",
        "won't",
        "don't",
        "isn't",
        "wouldn't",
        "couldn't",
        "shan't",
        *("cant", "wont", "dont", "couldnt", "neither", "nor", "nope", "none", "nobody"),
    },
}
# Hedges: an answer with one of these is a "maybe", never a yes.
HEDGES = {
    "fi": {
        "ehkä",
        "luultavasti",
        "luultava",
        "todennäköisesti",
        "todennäköinen",
        "mahdollisesti",
        "alustavasti",
        "alustava",
        "toivottavasti",
        "varmaankin",
        "varmaan",
        "kai",
        "jos",
        "mikäli",
        "edellyttäen",
        "kunhan",
        "saattaa",
        "ehkäpä",
        "näillä näkymin",
        "tod.näk",
        "yrittää",
        "pyrkiä",
        "tavoite",
        "tavoitella",
        "voi olla",
        "toivoa",
    },
    "sv": {
        "kansk",
        "trolig",
        "förmod",
        "antag",
        "preliminärt",
        "preliminär",
        "eventuellt",
        "eventuel",
        "om",
        "förhoppningsvis",
        "möjligen",
        "sannolik",
        "ev",
        "försök",
        "bord",
        "i mån av",
        "ser ut som",
        "får se",
        "spik",
        "hoppas",
        "ifall",
        "förutsatt",
    },
    "en": {
        *("maybe", "perhaps", "probably", "likely", "hopefully", "tentative", "provisional", "might"),
        *("may", "if", "possibly", "unless", "depends", "try", "trying", "hope", "hoping"),
        *(
            "pencil",
            "my best",
            "ll confirm",
            "will confirm",
            "tbc",
            "we'll see",
            "provided that",
            "providing that",
        ),
        "as long as",
    },
}
# Hedges that lean to a no ("tuskin pääsen", "knappast", "hardly"): a maybe on their own, but
# beside a clear no in the same reply the no decides ("Tuskin pääsen – merkitse, etten tule").
LEANING_NO = {
    "fi": {"tuskin"},
    "sv": {"knappast", "knappt"},
    "en": {"hardly", "unlikely", "doubtful"},
}
# Belief: "luulen, että pääsen", "jag tror att jag kan komma", "I think I can come" are a maybe.
# Negated they are a polite no ("I don't think I can make it"); the reader keeps that a no.
BELIEF = {
    "fi": {"luulla", "uskoa", "arvella", "olettaa"},
    "sv": {"tror", "antar"},
    "en": {"think", "believ", "guess", "reckon"},
}
# "Osallistuminen vielä epävarmaa", "deltagandet är oklart", "attendance uncertain": a maybe.
UNCERTAIN = {
    "fi": {"epävarma", "epäselvä", "auki"},
    "sv": {"osäkert", "oklart", "öppet"},
    "en": {"uncertain", "unclear", "unconfirm"},
}
for _language, _words in (*LEANING_NO.items(), *BELIEF.items(), *UNCERTAIN.items()):
    HEDGES[_language] |= _words

# Particles that answer on their own at the start of a reply ("Kyllä!", "Ja tack", "Yes, please").
YES_WORDS = {
    "fi": {"kyllä", "joo", "jep", "juu", "totta kai", "ilman muuta", "mielellään", "ilomielin"},
    "sv": {"ja", "absolut", "gärna", "självklart", "visst", "javisst", "japp"},
    "en": {"yes", "sure", "absolutely", "definitely", "yep", "yeah", "certainly", "gladly"},
}
MAYBE_WORDS = {
    "fi": {"ehkä", "kenties", "mahdollisesti", "alustavasti"},
    "sv": {"kanske", "eventuellt", "preliminärt"},
    "en": {"maybe", "perhaps", "possibly", "tentatively"},
}
# "I am not sure yet whether I come": uncertainty about attending is a maybe.
UNSURE: dict[str, set[tuple[str, ...]]] = {
    "fi": {
        *(("olla", "varma"), ("tietää",), ("osata", "sanoa"), ("voida", "luvata"), ("luvata",)),
        ("vahvistaa",),
    },
    "sv": {("vet",), ("säk",), ("osäk",), ("lov",), ("bekräft",)},
    "en": {("sure",), ("know",), ("promis",), ("unsur",), ("certain",), ("confirm",)},
}
# "Jag måste kolla med skolan innan jag kan säga säkert", "tarkistan ensin kalenterista", "I need
# to check my calendar first": the answer waits on a check, a maybe. A verb of checking counts only
# beside a word that ties it to the answer (sure, first, before, calendar, get back).
CHECK = {
    "fi": {"tarkistaa", "varmistaa", "selvittää", "kysyä", "katsoa"},
    "sv": {"koll", "kontroller", "stämm", "fråg"},
    "en": {"check", "ask", "consult"},
}
PENDING = {
    "fi": {"varma", "ensin", "ennen", "kalenteri", "vahvistaa", "palata", "vastata", "sanoa"},
    "sv": {"säk", "säkert", "säg", "bekräft", "kalend", "innan", "först", "återkomm", "svar"},
    "en": {"sure", "say", "confirm", "calendar", "diari", "befor", "first", "back", "answer"},
}
# "Vahvistan myöhemmin", "jag återkommer närmare datumet", "I'll let you know closer to the
# date": the answer is promised for later, a maybe. The verb counts only with a word of later.
LATER_VERBS: dict[str, set[tuple[str, ...]]] = {
    "fi": {("palata",), ("vahvistaa",)},
    "sv": {("återkomm",), ("bekräft",), ("meddel",), ("hör", "av")},
    "en": {("let", "know"), ("get", "back"), ("confirm",)},
}
LATER = {
    "fi": {"myöhemmin", "lähempänä", "pian", "ensi", "mennessä", "viimeistään"},
    "sv": {"senare", "närmare", "snart", "nästa", "senast"},  # surfaces: the stems are too short
    "en": {"later", "closer", "soon", "next", "nearer", "by"},
}
NO_WORDS = {
    "fi": {"ei", "valitettavasti ei"},
    "sv": {"nej"},
    "en": {"no"},
}
# Words that name someone else as the subject ("kollegani tulee", "my colleague will come").
OTHERS = {
    "fi": {
        "kollega",
        "työkaveri",
        "esimies",
        "esihenkilö",
        "sijainen",
        "edustaja",
        "joku",
        "hän",
        "he",
        "rehtori",
    },
    "sv": {"kolleg", "kollega", "ersättar", "någon", "han", "hon", "de", "chef", "rektor"},
    "en": {"colleagu", "someon", "he", "she", "they", "deputi", "substitut", "manag", "boss"},
}
# Function words that tell the languages apart when a sentence does not say which it is.
STOPWORDS = {
    "fi": {
        "ja",
        "on",
        "en",
        "ei",
        "että",
        "se",
        "kyllä",
        "olen",
        "mutta",
        "myös",
        "tulen",
        "pääse",
        "kiitos",
    },
    "sv": {
        "och",
        "jag",
        "är",
        "det",
        "inte",
        "tack",
        "med",
        "för",
        "på",
        "kan",
        "vi",
        "att",
        "kommer",
        "mig",
    },
    "en": {
        "and",
        "the",
        "i",
        "is",
        "to",
        "will",
        "not",
        "be",
        "of",
        "we",
        "can",
        "thanks",
        "you",
        "it",
        "my",
        *("that", "a", "at", "this", "for", "am", "i'm", "so", "but", "sorry", "please"),
    },
}

# Words that say a yes brings someone along ("myös", "kanssa", "also", "och"): only a sentence
# with one (or with "we", or about someone else) names companions. Without it a name is the
# sender's own ("Ilmoittautuminen: Markus Vainio, Nokian kaupunki").
BRINGING = {
    "fi": {"myös", "lisäksi", "kanssa", "ja", "sekä", "mukana", "mukaan", "tilalle", "puolesta"},
    "sv": {"också", "även", "och", "med", "samt", "ställe", "stället"},
    "en": {"also", "and", "with", "plus", "too", "bring", "bringing", "instead", "behalf", "myself"},
}
