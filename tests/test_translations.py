"""Follow-up items and organisation names in the reader's language (issue 28, item 5): the
invitation, the participant list, the owners' mails and the site show the item as the summary in
the reader's language wrote it, the owner's organisation by its name in that language, and
English running text gives an organisation its article."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from automation import config
from automation.model import PublicFollowup, SiteData
from automation.render.archive import write_site
from automation.render.emails import render_parts
from automation.render.followups import item_context
from automation.render.translations import followup_version, with_article

sys.path.insert(0, str(Path(__file__).parent))
from test_languages import EXAMPLE, reader_contexts  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FINNISH = (
    "# Yhteenveto\n\n## Jatkotoimet\n\n"
    "- Koota tekoälyn käyttöohjeet — Kuntaliitto\n- Selvittää tunnukset — OPH\n"
)
ENGLISH = (
    "# Summary\n\n## Follow-up\n\n- Compile guidelines on AI — Association of Finnish Municipalities\n"
    "- Look into shared logins — Finnish National Agency for Education\n"
)


@pytest.fixture
def settings(tmp_path: Path) -> config.Settings:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "summaries").mkdir()
    (tmp_path / "summaries" / "2024-03.md").write_text(FINNISH, encoding="utf-8")
    return config.load(path)


def row(position: int, text: str, owner: str) -> dict[str, Any]:
    return {
        "id": position,
        "meeting": "2024-03",
        "position": position,
        "text": text,
        "owner": owner,
        "language": "fi",
        "status": "open",
        "note": "",
    }


ROWS = [row(1, "Koota tekoälyn käyttöohjeet", "Kuntaliitto"), row(2, "Selvittää tunnukset", "OPH")]


def invitation(settings: config.Settings, language: str) -> str:
    meetings = {m.code: m for m in settings.meeting_objects()}
    context = {
        **reader_contexts(language)[0],
        "followups": [item_context(r, meetings, language, settings) for r in ROWS],
    }
    return " ".join(render_parts(REPO / "templates", "invitation", language, context)[1].split())


def test_the_invitation_shows_the_items_as_the_readers_summary_wrote_them(
    settings: config.Settings, tmp_path: Path
) -> None:
    (tmp_path / "summaries" / "2024-03.en.md").write_text(ENGLISH, encoding="utf-8")
    english = invitation(settings, "en")
    assert "Compile guidelines on AI – Association of Finnish Municipalities" in english
    assert "Koota tekoälyn" not in english
    assert "Koota tekoälyn käyttöohjeet – Kuntaliitto" in invitation(settings, "fi")  # as written


def test_an_untranslated_item_names_its_owner_in_the_readers_language(settings: config.Settings) -> None:
    swedish = invitation(settings, "sv")
    assert "Koota tekoälyn käyttöohjeet – Finlands Kommunförbund" in swedish
    assert "Selvittää tunnukset – Utbildningsstyrelsen" in swedish
    assert followup_version(settings, ROWS[1], "en").owner == "Finnish National Agency for Education"


def test_a_translation_that_does_not_line_up_is_not_used(settings: config.Settings, tmp_path: Path) -> None:
    (tmp_path / "summaries" / "2024-03.en.md").write_text(
        "## Follow-up\n\n- Only one line — Sitra\n", encoding="utf-8"
    )
    version = followup_version(settings, ROWS[0], "en")
    assert (version.text, version.owner, version.language) == (
        "Koota tekoälyn käyttöohjeet",
        "Association of Finnish Municipalities",
        "fi",
    )


def test_the_site_shows_the_item_in_the_pages_language(settings: config.Settings, tmp_path: Path) -> None:
    (tmp_path / "summaries" / "2024-03.en.md").write_text(ENGLISH, encoding="utf-8")
    versions = tuple(
        (lang, v.text, v.owner, v.language)
        for lang in ("fi", "sv", "en")
        for v in [followup_version(settings, ROWS[0], lang)]
    )
    item = PublicFollowup(1, "2024-03", "Koota tekoälyn käyttöohjeet", "Kuntaliitto", "open", language="fi")
    from dataclasses import replace

    data = SiteData(
        network_name=settings.network.name,
        network_address=settings.network.address,
        languages=("fi", "sv", "en"),
        meetings=tuple(settings.meeting_objects()),
        initiatives=(),
        summaries=(),
        now=datetime(2024, 4, 1, 12, tzinfo=settings.network.zone),
        followups=(replace(item, versions=versions),),
    )
    write_site(data, REPO / "templates", tmp_path / "site")
    english = (tmp_path / "site" / "en" / "followups.html").read_text(encoding="utf-8")
    assert "Compile guidelines on AI" in english and "Association of Finnish Municipalities" in english
    assert "Koota tekoälyn" not in english
    swedish = (tmp_path / "site" / "sv" / "followups.html").read_text(encoding="utf-8")
    assert 'lang="fi">Koota tekoälyn käyttöohjeet' in swedish and "Finlands Kommunförbund" in swedish


def test_english_running_text_gives_an_organisation_its_article() -> None:
    assert (
        with_article("Association of Finnish Municipalities") == "the Association of Finnish Municipalities"
    )
    assert with_article("Finnish National Agency for Education", start=True).startswith("The Finnish")
    assert with_article("Aalto University") == "Aalto University"
    assert with_article("Finnish Education Employers") == "Finnish Education Employers"
    context = {
        **reader_contexts("en")[0],
        "year": 2024,
        "outgoing": {
            "organisation": "Association of Finnish Municipalities",
            "name": "",
            "email": "a@example.fi",
        },
        "incoming": {
            "organisation": "Finnish National Agency for Education",
            "name": "",
            "email": "b@example.fi",
        },
    }
    text = " ".join(render_parts(REPO / "templates", "rotation", "en", context)[1].split())
    moved = (
        "moves from the Association of Finnish Municipalities to the Finnish National Agency for Education"
    )
    assert moved in text.replace("**", "")
    assert "Many thanks to the Association of Finnish Municipalities" in text
    assert "The Finnish National Agency for Education now coordinates" in text


def test_the_reviewed_wording_reads_right() -> None:
    def text(name: str, language: str, **extra: Any) -> str:
        context = {**reader_contexts(language)[0], **extra}
        return " ".join(render_parts(REPO / "templates", name, language, context)[1].split())

    sides = {
        "year": 2024,
        "outgoing": {"organisation": "Opetushallitus", "name": "", "email": "a@example.fi"},
        "incoming": {"organisation": "Kuntaliitto", "name": "", "email": "b@example.fi"},
    }
    # The organisation's name is not inflected: a head noun takes the case.
    assert "Lämmin kiitos organisaatiolle Opetushallitus kuluneen toimintavuoden" in text(
        "rotation", "fi", **sides
    )
    assert "Halutessasi voit lisätä nämä tiedot omille riveilleen" in text("invitation", "fi")
    assert "Nätverket träffas minst två gånger per år" in text("join_welcome", "sv")
    assert "Network of Digitalisation Networks Secretariat" in text("invitation", "en")
