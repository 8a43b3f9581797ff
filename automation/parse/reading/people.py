"""The people a reply brings: names with their addresses, first names, listed lines; never organisations."""

from __future__ import annotations

import re
import unicodedata

from automation.parse.reading.answers import (
    _EMAIL,
    Clue,
    Companion,
)
from automation.parse.reading.lexicon import (
    BRINGING,
    OTHERS,
)
from automation.parse.reading.words import (
    analyse,
    is_common_word,
    is_first_name,
    is_place,
    surname_base,
    tokens,
)

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
# A part of a name: "Anna", "O'Brien", "McDonald".
_PART = rf"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?"
_NAME = re.compile(
    rf"\b({_PART}(?:[ -]{_PART})+)\b"
    r"(?:\s*[,:–-]?\s*[(<]?\s*([\w.+-]+@[\w-]+(?:\.[\w-]+)+))?"
)


_SELF_MARK = re.compile(
    r"\s*\((?:minä|itse|jag|själv|me|myself|allekirjoittanut|undertecknad|the undersigned)\)", re.I
)
_LOCAL_CASES = ("sta", "stä", "lta", "ltä", "ssa", "ssä", "lla", "llä")


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


_LIST_LINE = re.compile(
    rf"^[ \t]*(?:[-*•–]|\d+[.)])?[ \t]*{_PART}(?:[ -]{_PART})+"
    r"(?:[ \t]*[,;:(<–-]?[ \t]*[\w.+-]+@[\w-]+(?:\.[\w-]+)+[)>]?)?[ \t]*(?:,[^\n]{0,80})?$"
)


def _listed_after(lead: str, text: str) -> list[str]:
    """ "Ilmoitan itseni ja seuraavat:" followed by a name (and address) on each line: the lines
    up to the first that is not one, each read as a person."""
    at = text.find(lead)
    if at < 0 or not lead.rstrip().endswith(":") and not _LEADS_LIST.search(lead):
        return []
    found: list[str] = []
    for line in text[at + len(lead) :].splitlines()[:12]:
        if not line.strip():
            if found:
                break
            continue
        if _SELF_LINE.match(line) or _SELF_MARK.search(line):
            continue  # "jag själv", "Heikki Pursiainen (allekirjoittanut)": the sender, who comes
        if not _LIST_LINE.match(line) or _CLOSING_WORDS.match(line):
            break
        found.append(line.strip(" -*•–\t"))
    return found


# The sender in a list of those who come: "jag själv", "minä itse", "myself".
_SELF_LINE = re.compile(r"^\s*[-*•–]?\s*(?:jag själv|jag|minä itse|minä|itse|myself|me|i)\s*[,.;]?\s*$", re.I)
# "Please register also:", "Ilmoitan myös seuraavat:", "från Åbo Akademi kommer vi tre:": a line
# that announces a list of people.
_LIST_LEAD = re.compile(
    r"\b(?:regist\w*|add|sign|ilmoit\w*|lisä\w*|anmäl\w*|lägg|följande|seuraav\w*|the following|also"
    r"|kommer|tulee|tulemme|tullaan|will come|coming|deltar|osallistu\w*|attend\w*"
    r"|myös|även|också|osallistujat|deltagare|participants|attendees)\b[^\n]{0,60}:\s*$",
    re.IGNORECASE,
)
_LEADS_LIST = re.compile(r"\b(?:seuraava\w*|alla olevat|följande|nedan|the following|below)\b", re.I)
_CLOSING_WORDS = re.compile(
    r"^\s*(?:terveisin|ystävällisin|parhain|hälsningar|vänliga|med vänlig|mvh|best|kind|regards"
    r"|thanks|kiitos|tack)\b",
    re.I,
)
# "Annan kanssa", "Villen ja Emman kanssa", "med Anna och Erik", "with Anna and Ben": people named
# by first name as coming along.
_GIVEN = rf"[{_UPPER}][{_LOWER}]+(?:\s+[{_UPPER}][{_LOWER}]+)?"
_COMITATIVE = re.compile(rf"((?:{_GIVEN})(?:(?:\s*,\s*|\s+ja\s+)(?:{_GIVEN}))*)\s+kanssa\b")
_WITH = re.compile(
    rf"\b(?:med|with|together with|tillsammans med)\s+"
    rf"((?:{_GIVEN})(?:(?:\s*,\s*|\s+(?:och|and)\s+)(?:{_GIVEN}))*)"
)
_LIST_SPLIT = re.compile(r"\s*,\s*|\s+(?:ja|och|and)\s+")
# Words of organisations, places and agencies: a name with one is never a person ("Finnish
# Heritage Agency", "Åbo stad", "Kuntaliitosta").
_ORGANISATION = re.compile(
    r"(?:agency|authority|board|ministry|university|city|municipality|association|institute|council"
    r"|office|centre|center|school|college|foundation|department|division|services?|network|union"
    r"|company|ltd|oy|ab|ry|stad|kommun|skola|universitet|högskola|verket|myndighet|ministeriet"
    r"|förbund|institut|styrelse|nämnd|byrå|förening|gymnasium|kaupunki|kaupungi|kunta|kunna|liitto"
    r"|liito|virasto|ministeriö|yliopisto|korkeakoulu|koulu|lukio|opisto|hallitus|keskus|laitos"
    r"|säätiö|yhdistys|kuntayhtymä|seutu|hanke|verkosto|hallitu|hallinto|virast|akademi|akatemi"
    r"|academy)\w*$",
    re.IGNORECASE,
)


def _organisation(name: str) -> bool:
    words = name.split()
    if any(_ORGANISATION.search(w) for w in words):
        return True
    # "Kuntaliitosta", "Tampereelta": one Finnish word Voikko knows as a place or an inflected
    # common word is no person.
    return len(words) == 1 and analyse(words[0], "fi").name == "" and is_common_word(words[0])


def _first_names(sentences: str) -> list[Companion]:
    found: list[Companion] = []
    for pattern in (_COMITATIVE, _WITH):
        for match in pattern.finditer(sentences):
            for part in _LIST_SPLIT.split(match.group(1)):
                words = part.split()
                while words and is_common_word(words[0]) and not analyse(words[0], "fi").name:
                    words = words[1:]  # "Tulen Annan kanssa": the verb starts no name
                if pattern is _COMITATIVE and len(words) == 2 and not is_first_name(words[0]):
                    words = words[1:]  # "Tampereelta Annan kanssa": a place before the name
                part = " ".join(words)
                if not part or _organisation(part):
                    continue
                name = _base_name(part) if pattern is _COMITATIVE else part
                if not any(c.name == name for c in found):
                    found.append(Companion(name))
    return found


# Words that open a sentence capitalised before a name or a place ("Från Kimitoöns kommun",
# "With Anna Berg"): never part of a name.
_OPENING_WORDS = {"från", "from", "med", "with", "och", "and", "samt", "sekä", "för", "for", "till", "to"}


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
        while parts and (
            parts[0].casefold() in _OPENING_WORDS or is_common_word(parts[0]) or is_place(parts[0])
        ):
            parts = parts[1:]
        # "Elina Granströmin Opetushallituksesta": the organisation after a name is no part of it.
        # (Finnish says where from with a local case; "Finnish Heritage Agency" stays whole.)
        while (
            len(parts) > 2
            and parts[-1].endswith(_LOCAL_CASES)
            and (_organisation(parts[-1]) or is_place(parts[-1]))
        ):
            parts = parts[:-1]
        if len(parts) < 2:
            continue
        name, email = _base_name(" ".join(parts)), match.group(2)
        name = _as_in_address(name, email or _address_of(name, addresses))
        if any(c.name == name for c in found) or _organisation(name):
            continue
        if _SELF_MARK.match(sentences[match.end() : match.end() + 12]):
            continue  # "Tarja Ronkainen (minä) ja Jukka Heikura": the sender lists themself
        found.append(Companion(name, email or _address_of(name, addresses)))
    for companion in _first_names(sentences):
        # "Annan kanssa" beside "Anna Virtanen (anna@…)" is the same person, named once.
        if not any(c.name.split()[0] == companion.name.split()[0] for c in found):
            found.append(companion)
    return tuple(found[:10])


def _as_in_address(name: str, email: str | None) -> str:
    """ "Elina Granströmin (elina.granstrom@…)": a surname Voikko does not know, inflected as an
    object, takes its base form from the address written with it."""
    if not email or " " not in name:
        return name
    given, surname = name.rsplit(" ", 1)
    local = _ascii(email.split("@")[0].lower())
    for cut in (2, 1):
        base = surname[:-cut]
        if surname.endswith(("in", "n")[2 - cut]) and _ascii(f"{given}.{base}".lower()) == local:
            return f"{given} {base}"
    return name


def _address_of(name: str, addresses: list[str]) -> str | None:
    wanted = _ascii(".".join(name.lower().split()))
    return next((a for a in addresses if _ascii(a.split("@")[0].lower()) == wanted), None)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
