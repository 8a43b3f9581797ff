"""Checks of the labelled reply set in tests/replies/ (the data, not the reader's accuracy)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REPLIES = ROOT / "tests" / "replies"
SCRIPT = ROOT / "scripts" / "measure_replies.py"

LANGUAGES = ("fi", "sv", "en")
MINIMUM = {"fi": 160, "sv": 95, "en": 65}
ANSWERS = {"yes", "no", "maybe", "companions", "other"}
CLIENTS = {"outlook", "gmail", "apple", "phone", "plain"}
ID = re.compile(r"^(fi|sv|en)-\d{3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")

COMMON = {
    "sg1",
    "pl1",
    "conditional",
    "negation",
    "nominal",
    "idiom",
    "hedge",
    "split",
    "greeting",
    "signature",
    "quote-header",
    "quoted-lines",
    "quote-below",
    "mobile-signature",
    "emoji",
    "typo",
    "lowercase",
    "mixed-language",
    "question",
    "forward",
    "off-topic",
}
# Which phenomenon tags must appear in which language.
PHENOMENA = {
    "fi": COMMON | {"passive", "clitic"},
    "sv": COMMON | {"v2"},
    "en": COMMON,
}
KNOWN_TAGS = COMMON | {"passive", "clitic", "v2"}

# Surface forms named in the issue that must occur (case-insensitive) in the replies of a language.
SURFACE = {
    "fi": [
        "me tullaan",
        "tullaan kahdestaan",
        "pääsisin",
        "en pääse",
        "emme pääse",
        "ei päästä",
        "pääsenkin",
        "en pääsekään",
        "tuletteko",
        "ilmoittautuminen: kyllä",
        "osallistuminen onnistuu",
        "olen mukana",
        "mukana ollaan",
        "luultavasti tulen",
        "alustavasti kyllä",
        "jos ehdin",
        "haluaisin ilmoittautua",
        "en pääse itse, mutta kollegani",
        "voiko osallistua etänä",
        "välitän tiedoksi",
        "lähettäjä:",
        "lähetetty:",
        "lähetetty iphonesta",
        "kirjoitti:",
    ],
    "sv": [
        "tyvärr hinner jag inte",
        "tyvärr kan jag inte delta",
        "jag lämnar återbud",
        "jag hänger på",
        "skulle kunna",
        "troligen",
        "om jag hinner",
        "skickat från min iphone",
        "den 13 feb. 2024 kl. 10:00 skrev",
        "från:",
        "skickat:",
    ],
    "en": [
        "i'm game",
        "count me in",
        "hopefully",
        "tentatively yes",
        "is there parking",
        "sent from outlook for android",
        "on tue, 13 feb 2024 at 10:00, verkosto <verkosto@example.org> wrote:",
        "from:",
        "sent:",
    ],
}
# The negative verb in every person, as a word in the Finnish replies.
FINNISH_NEGATIVE = ("en", "et", "ei", "emme", "ette", "eivät")
# Words of the invitation that a reader must not take for the sender's answer.
INVITATION_WORDS = {"fi": ("ilmoittaudu vastaamalla", "en pääse"), "sv": ("anmäl dig",), "en": ("register",)}


_QUOTE_HEADER = re.compile(
    r"^(Lähettäjä:|Från:|From:|-----Alkuperäinen viesti-----)|\d.*\b(kirjoitti|skrev|wrote)\b.*:$"
)


def _load(lang: str) -> list[dict[str, Any]]:
    path = REPLIES / f"{lang}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def replies() -> dict[str, list[dict[str, Any]]]:
    return {lang: _load(lang) for lang in LANGUAGES}


def _own_text(item: dict[str, Any]) -> str:
    """What the sender wrote: the quote header, the quoted invitation and `>` lines set aside."""
    lines = item["text"].splitlines()
    if "quote-below" in item["phenomena"]:
        return "\n".join(
            line for line in lines if not line.startswith(">") and not _QUOTE_HEADER.search(line)
        )
    own = []
    for line in lines:
        if _QUOTE_HEADER.search(line):
            break
        own.append(line)
    return "\n".join(own)


def test_files_parse_and_fields_are_valid(replies: dict[str, list[dict[str, Any]]]) -> None:
    for lang, items in replies.items():
        for item in items:
            assert ID.match(item["id"]) and item["id"].startswith(lang + "-"), item["id"]
            assert item["answer"] in ANSWERS, item["id"]
            assert item["client"] in CLIENTS, item["id"]
            assert isinstance(item["text"], str) and item["text"].strip(), item["id"]
            assert isinstance(item["phenomena"], list), item["id"]
            assert set(item["phenomena"]) <= KNOWN_TAGS, (item["id"], set(item["phenomena"]) - KNOWN_TAGS)
            assert ("companions" in item) == (item["answer"] == "companions"), item["id"]


def test_ids_are_unique(replies: dict[str, list[dict[str, Any]]]) -> None:
    ids = [item["id"] for items in replies.values() for item in items]
    assert len(ids) == len(set(ids))


def test_counts_meet_minimums(replies: dict[str, list[dict[str, Any]]]) -> None:
    for lang, minimum in MINIMUM.items():
        assert len(replies[lang]) >= minimum, lang
    assert sum(len(items) for items in replies.values()) >= 320


def test_every_answer_in_every_language(replies: dict[str, list[dict[str, Any]]]) -> None:
    for lang, items in replies.items():
        assert {item["answer"] for item in items} == ANSWERS, lang


def test_companions_have_names(replies: dict[str, list[dict[str, Any]]]) -> None:
    for items in replies.values():
        for item in items:
            if item["answer"] != "companions":
                continue
            assert item["companions"], item["id"]
            for companion in item["companions"]:
                assert companion["name"].strip(), item["id"]
                assert len(companion["name"].split()) >= 2, item["id"]
                if "email" in companion:
                    assert EMAIL.match(companion["email"]), (item["id"], companion["email"])
                    assert companion["email"] in item["text"], item["id"]


def test_no_two_texts_identical(replies: dict[str, list[dict[str, Any]]]) -> None:
    texts = [item["text"] for items in replies.values() for item in items]
    assert len(texts) == len(set(texts))
    # Nor two identical answers once the shared quoted invitation is set aside.
    own = [" ".join(_own_text(item).casefold().split()) for items in replies.values() for item in items]
    duplicates = {text for text in own if own.count(text) > 1}
    assert not duplicates


def test_replies_are_short(replies: dict[str, list[dict[str, Any]]]) -> None:
    for items in replies.values():
        for item in items:
            own = [line for line in _own_text(item).splitlines() if line.strip()]
            assert 1 <= len(own) <= 15, (item["id"], len(own))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phenomena_per_language(replies: dict[str, list[dict[str, Any]]], lang: str) -> None:
    seen = {tag for item in replies[lang] for tag in item["phenomena"]}
    assert PHENOMENA[lang] <= seen, PHENOMENA[lang] - seen


@pytest.mark.parametrize("lang", LANGUAGES)
def test_surface_forms_per_language(replies: dict[str, list[dict[str, Any]]], lang: str) -> None:
    corpus = "\n".join(item["text"].casefold() for item in replies[lang])
    missing = [form for form in SURFACE[lang] if form not in corpus]
    assert not missing


def test_finnish_negative_verb_in_every_person(replies: dict[str, list[dict[str, Any]]]) -> None:
    words = {w for item in replies["fi"] for w in re.findall(r"\w+", _own_text(item).casefold())}
    assert set(FINNISH_NEGATIVE) <= words, set(FINNISH_NEGATIVE) - words


@pytest.mark.parametrize("lang", LANGUAGES)
def test_quoted_invitation_is_realistic(replies: dict[str, list[dict[str, Any]]], lang: str) -> None:
    quoted = [item for item in replies[lang] if "quote-header" in item["phenomena"]]
    assert len(quoted) >= len(replies[lang]) // 2
    for item in quoted:
        text = item["text"].casefold()
        assert "verkosto@example.org" in text, item["id"]
        assert all(word in text for word in INVITATION_WORDS[lang]), item["id"]
    for item in quoted:
        if "quote-below" not in item["phenomena"]:
            continue
        first = _own_text(item).strip().splitlines()[0]
        header = next(i for i, line in enumerate(item["text"].splitlines()) if _QUOTE_HEADER.search(line))
        assert item["text"].splitlines().index(first) > header, item["id"]


def test_measure_script_json_structure(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["total"] == sum(len(_load(lang)) for lang in LANGUAGES)
    assert 0.0 <= report["accuracy"] <= 1.0
    assert set(report["per_language"]) == set(LANGUAGES)
    for figures in report["per_language"].values():
        assert {"total", "right", "accuracy"} <= set(figures)
    assert set(report["per_answer"]) == ANSWERS
    for figures in report["per_answer"].values():
        assert {"total", "right", "accuracy"} <= set(figures)
    confusion = report["confusion"]
    assert set(confusion["columns"]) == {"yes", "no", "maybe", "other"}
    assert set(confusion["rows"]) == ANSWERS
    assert sum(sum(row.values()) for row in confusion["matrix"].values()) == report["total"]
    assert report["replies_per_second"] > 0
    assert isinstance(report["errors"], list)


def test_measure_script_missing_files(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing" in result.stderr
