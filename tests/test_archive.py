"""The public archive as a reader gets it: pages loaded in headless Chromium, the DOM it built
checked for what must (and must never) be there; the Atom feed parsed as XML.

Chromium is a Debian package (`chromium`); without it the test fails, it is never skipped.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from automation.model import (
    HistoryEntry,
    Meeting,
    PublicFollowup,
    PublicInitiative,
    PublicNetwork,
    PublicPerson,
    PublicSummary,
    SiteData,
)
from automation.render.archive import write_site

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get install -y --no-install-recommends chromium"
ATOM = "{http://www.w3.org/2005/Atom}"
HELSINKI = ZoneInfo("Europe/Helsinki")
BASE_URL = "https://verkosto.example.org/arkisto/"
HOSTILE_TITLE = 'Parempi verkko <script>alert("x")</script>'
HOSTILE_LINK = '<a href="javascript:alert(1)">klik</a>'
INLINE = {"a", "strong", "em", "time", "code", "abbr", "span"}
SUMMARY = """# Keskustelu

Katso [muistio](https://example.org/muistio).

<script>alert(1)</script>

Ja [x](javascript:alert(1)) myös.
"""


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=HELSINKI)


def site_data(**changes: object) -> SiteData:
    past = Meeting(
        code="2024-03",
        start=at("2024-03-12", "09:00"),
        end=at("2024-03-12", "12:00"),
        registration_deadline=at("2024-03-05", "23:59"),
        place={"fi": "Kirjasto Oodi", "sv": "Biblioteket Ode"},
        address="Töölönlahdenkatu 4, Helsinki",
        theme={"fi": "Tekoäly opetuksessa", "sv": "AI i undervisningen", "en": "AI in teaching"},
        mode="hybrid",
        online_url="https://meet.example.org/2024-03",
        capacity=30,
    )
    upcoming = Meeting(
        code="2024-05",
        start=at("2024-05-14", "13:00"),
        end=at("2024-05-14", "16:00"),
        registration_deadline=at("2024-05-07", "23:59"),
        place={"fi": "Tampereen kaupungintalo"},
        address="Keskustori 1, Tampere",
        theme={"fi": "Oppimisanalytiikka", "sv": "Lärandeanalys", "en": "Learning analytics"},
        mode="onsite",
        online_url="",
        capacity=40,
    )
    initiatives = (
        PublicInitiative(
            reference="ALOITE-2024-001",
            title=HOSTILE_TITLE,
            text=f'Ehdotan parempaa verkkoa.\n{HOSTILE_LINK}\n<script>alert("x")</script>',
            status="received",
            meeting="",
            submitter="",
            created_at="2024-03-20T08:00:00+02:00",
        ),
        PublicInitiative(
            reference="ALOITE-2024-002",
            title="Yhteinen materiaalipankki",
            text="Kootaan koulujen materiaalit yhteen paikkaan.\n\nToinen kappale.",
            status="agenda",
            meeting="2024-05",
            submitter="Maija Meikäläinen",
            created_at="2024-03-15T10:00:00+02:00",
            history=(
                HistoryEntry(at="2024-03-15T10:00:00+02:00", status="received"),
                HistoryEntry(
                    at="2024-03-25T12:00:00+02:00", status="preparation", note="Valmistelija nimetty"
                ),
                HistoryEntry(at="2024-04-02T09:00:00+03:00", status="agenda", meeting="2024-05"),
            ),
            attachments=("ehdotus.pdf", "kuvat.zip"),
        ),
        PublicInitiative(
            reference="ALOITE-2024-003",
            title="Tapaamiset myös etänä",
            text="Kaikki tapaamiset hybridinä.",
            status="resolved",
            meeting="2024-03",
            submitter="",
            created_at="2024-02-01T10:00:00+02:00",
            history=(HistoryEntry(at="2024-03-12T12:00:00+02:00", status="resolved", note="Hyväksytty"),),
        ),
    )
    summaries = (
        PublicSummary(meeting="2024-03", language="sv", markdown="Sammandrag.", published_at="2024-03-19"),
        PublicSummary(
            meeting="2024-03", language="fi", markdown=SUMMARY, published_at="2024-03-20T10:00:00+02:00"
        ),
    )
    home = PublicNetwork(
        rules_version="2024-1",
        join_address="verkosto+liity@example.org",
        initiative_address="verkosto+aloite@example.org",
        year=2023,
        period="2023–2024",
        responsible="Suomen Kuntaliitto",
        responsible_name="Kaisa Kehittäjä",
        group=(
            PublicPerson("Outi Opetusneuvos", "Opetus- ja kulttuuriministeriö"),
            PublicPerson("Kaisa Kehittäjä", "Suomen Kuntaliitto"),
            PublicPerson("Pekka Pääsihteeri", "Opetushallitus"),
            PublicPerson("Olli Opettaja", "Opetushallitus"),
        ),
        contacts=(PublicPerson("Kaisa Kehittäjä", "Suomen Kuntaliitto", "kaisa@example.fi"),),
        organisations=(("national", "Opetushallitus"), ("company", "Esimerkki Oy"), ("national", "OAJ")),
        controller="Suomen Kuntaliitto",
        controller_address="Toinen linja 14, Helsinki",
        privacy_contact="tietosuoja@example.fi",
        retention_days=400,
        accessibility_feedback="saavutettavuus@example.fi",
        accessibility_assessed="2024-04-01",
    )
    followups = (
        PublicFollowup(
            1,
            "2024-03",
            "Koota tekoälyn käyttöohjeet",
            "Opetushallitus",
            "in_progress",
            "luonnos",
            updated_at="2024-03-18T12:00:00+02:00",
            language="fi",
        ),
        PublicFollowup(
            2, "2024-03", "Materiaalipankin selvitys", "Suomen Kuntaliitto", "open", "", "ALOITE-2024-003"
        ),
    )
    data = SiteData(
        home=home,
        followups=followups,
        network_name="Digiverkosto",
        network_address="verkosto@example.org",
        languages=("fi", "sv", "en"),
        meetings=(upcoming, past),
        initiatives=initiatives,
        summaries=summaries,
        now=at("2024-04-10", "12:00"),
        base_url=BASE_URL,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


class Dom(HTMLParser):
    """What the browser built: elements with their attributes, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in INLINE:  # a block ends a word; a link inside a sentence does not
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def chromium(page: Path, profile: Path, *extra: str) -> str:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install it with: {INSTALL}")
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
        *extra, page.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


PAGES = [
    f"{prefix}{name}"
    for prefix in ("", "sv/", "en/")
    for name in (
        "index.html",
        "meetings/2024-03.html",
        "meetings/2024-05.html",
        "initiatives.html",
        "followups.html",
        "privacy.html",
        "accessibility.html",
    )  # fmt: skip
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("site")
    write_site(site_data(), TEMPLATES, output)
    return output


@pytest.fixture(scope="module")
def doms(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Dom]]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    pages = {}
    for name in PAGES:
        raw = chromium(site / name, profile, "--dump-dom")
        dom = Dom()
        dom.feed(raw)
        pages[name] = (raw, dom)
    return pages


def test_write_site_returns_every_file(site: Path) -> None:
    written = write_site(site_data(), TEMPLATES, site)
    names = {p.relative_to(site).as_posix() for p in written}
    one_language = {
        "index.html", "meetings/2024-03.html", "meetings/2024-05.html", "initiatives.html",
        "followups.html", "privacy.html", "accessibility.html", "feed.xml", "meetings.ics",
    }  # fmt: skip
    # Finnish (the first language) at the top, Swedish and English each in a folder of its own.
    assert names == {
        "style.css",
        *one_language,
        *(f"{lang}/{name}" for lang in ("sv", "en") for name in one_language),
    }


def test_every_page_is_accessible_and_inert(doms: dict[str, tuple[str, Dom]]) -> None:
    for name, (raw, dom) in doms.items():
        assert dom.tags("html")[0].get("lang") == (name[:2] if name[2:3] == "/" else "fi"), name
        assert len(dom.tags("h1")) == 1, name
        levels = [int(tag[1]) for tag, _ in dom.elements if re.fullmatch(r"h[1-6]", tag)]
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), name
        for landmark in ("header", "nav", "main", "footer"):
            assert dom.tags(landmark), (name, landmark)
        assert dom.tags("a")[0].get("href") == "#main", name  # the skip link comes first
        assert any(m.get("name") == "viewport" for m in dom.tags("meta")), name
        assert not dom.tags("script"), name
        assert "<script" not in raw.lower(), name
        # In markup, not in text: the DOM serialises the escaped text `<a href="javascript:…">`
        # with its quotes as they are, so a bare substring search would match harmless text.
        assert not re.search(r"<[^<>]*=\s*[\"']?\s*javascript:", raw, re.I), name
        values = [value.strip().lower() for _, attrs in dom.elements for value in attrs.values()]
        assert not [v for v in values if v.startswith("javascript:")], name


def test_written_files_hold_no_script_and_no_javascript_link(site: Path) -> None:
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".ics"):
            content = path.read_text(encoding="utf-8").lower()
            assert "<script" not in content and 'href="javascript:' not in content, path


def test_index_lists_upcoming_and_past_meetings(doms: dict[str, tuple[str, Dom]]) -> None:
    raw, dom = doms["index.html"]
    hrefs = [a.get("href") for a in dom.tags("a")]
    assert "meetings/2024-05.html" in hrefs and "meetings/2024-03.html" in hrefs
    assert "meetings/2024-03.html#summary" in hrefs  # the past meeting has a summary
    assert "meetings/2024-05.html#summary" not in hrefs
    assert "tiistai 14.5.2024 klo 13.00–16.00" in dom.text
    assert "Tampereen kaupungintalo, Keskustori 1, Tampere" in dom.text
    assert "Oppimisanalytiikka" in dom.text and "vain paikan päällä" in dom.text
    assert "Auki 7.5.2024 klo 23.59 asti" in dom.text
    upcoming, past = dom.text.split("Menneet tapaamiset")
    assert "Oppimisanalytiikka" in upcoming and "Tekoäly opetuksessa" in past


def test_past_meeting_page_shows_the_sanitised_summary(doms: dict[str, tuple[str, Dom]]) -> None:
    raw, dom = doms["meetings/2024-03.html"]
    assert "Katso muistio." in dom.text  # the Finnish summary first ...
    text = dom.text
    assert text.index("Katso muistio.") < text.index("Sammandrag")  # ... then the Swedish version
    assert '<div class="summary" lang="sv">' in raw
    assert {"href": "https://example.org/muistio", "rel": "noopener noreferrer"} in dom.tags("a")
    assert "alert(1)" not in dom.text  # the script went with its content
    assert "Ja x myös." in dom.text  # the javascript: link is left as its text
    assert [h for h in dom.tags("h3")]  # "# Keskustelu" became an h3 under the h2
    assert "ALOITE-2024-003: Tapaamiset myös etänä" in dom.text
    assert "Julkaistu 20.3.2024" in dom.text


def test_upcoming_meeting_page_lists_its_agenda(doms: dict[str, tuple[str, Dom]]) -> None:
    raw, dom = doms["meetings/2024-05.html"]
    assert "ALOITE-2024-002: Yhteinen materiaalipankki (asialistalla)" in dom.text
    assert {"href": "../initiatives.html#ALOITE-2024-002"} in dom.tags("a")
    assert "ALOITE-2024-001" not in dom.text and "ALOITE-2024-003" not in dom.text
    assert "Yhteenveto" not in dom.text  # nothing to summarise yet
    assert any(link.get("href") == "../style.css" for link in dom.tags("link"))


def test_initiatives_page_escapes_what_people_wrote(doms: dict[str, tuple[str, Dom]]) -> None:
    raw, dom = doms["initiatives.html"]
    assert f"ALOITE-2024-001: {HOSTILE_TITLE}" in dom.text
    assert HOSTILE_LINK in dom.text  # shown as text, not a link
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in raw
    ids = [attrs.get("id") for _, attrs in dom.elements]
    assert {"ALOITE-2024-001", "ALOITE-2024-002", "ALOITE-2024-003"} <= set(ids)
    for status in ("asialistalla", "vastaanotettu", "ratkaistu"):
        assert f"Tila {status}" in dom.text, status
    assert dom.text.count("Aloitteen tekijä") == 1 and "Maija Meikäläinen" in dom.text
    assert "ehdotus.pdf" in dom.text and "kuvat.zip" in dom.text
    assert "25.3.2024 valmistelussa Valmistelija nimetty" in dom.text
    assert {"href": "meetings/2024-05.html"} in dom.tags("a")
    # Line breaks survive as text (white-space: pre-wrap), not as markup.
    assert "Kootaan koulujen materiaalit yhteen paikkaan.\n\nToinen kappale." in raw


def summary_entries(feed: ET.Element) -> list[ET.Element]:
    return [e for e in feed.findall(f"{ATOM}entry") if ":summary-" in (e.findtext(f"{ATOM}id") or "")]


def test_atom_feed_has_one_entry_per_summary(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fi"
    assert feed.findtext(f"{ATOM}title") == "Digiverkosto: tapaamisten yhteenvedot"
    assert feed.findtext(f"{ATOM}updated") == "2024-03-20T10:00:00+02:00"
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    [entry] = summary_entries(feed)
    assert entry.findtext(f"{ATOM}id") == "tag:example.org,2024:summary-2024-03"
    assert entry.findtext(f"{ATOM}title") == "Yhteenveto: tapaaminen 12.3.2024 – Tekoäly opetuksessa"
    assert entry.findtext(f"{ATOM}updated") == "2024-03-20T10:00:00+02:00"
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == BASE_URL + "meetings/2024-03.html"
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""
    assert '<a href="https://example.org/muistio" rel="noopener noreferrer">muistio</a>' in html
    assert "<h3>Keskustelu</h3>" in html
    assert "<script" not in html and "javascript:" not in html


def test_feed_links_are_relative_without_a_base_url(tmp_path: Path) -> None:
    write_site(site_data(base_url=""), TEMPLATES, tmp_path)
    feed = ET.parse(tmp_path / "feed.xml").getroot()
    [entry] = summary_entries(feed)
    assert entry is not None
    assert entry.find(f"{ATOM}link").get("href") == "meetings/2024-03.html"  # type: ignore[union-attr]
    assert not [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]


def test_feed_falls_back_to_another_language(tmp_path: Path) -> None:
    swedish_only = tuple(s for s in site_data().summaries if s.language == "sv")
    write_site(site_data(summaries=swedish_only), TEMPLATES, tmp_path)
    [entry] = summary_entries(ET.parse(tmp_path / "feed.xml").getroot())
    content = entry.find(f"{ATOM}content")
    assert content is not None and "Sammandrag." in (content.text or "")
    assert content.get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    page = (tmp_path / "meetings" / "2024-03.html").read_text(encoding="utf-8")
    assert 'lang="sv"' in page and "Sammandrag." in page


def test_calendar_feed_has_both_meetings(site: Path) -> None:
    cal = Calendar.from_ical((site / "meetings.ics").read_bytes())
    assert str(cal["METHOD"]) == "PUBLISH"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"meeting-2024-03@example.org", "meeting-2024-05@example.org"}
    may = events["meeting-2024-05@example.org"]
    assert str(may["SUMMARY"]) == "Verkoston tapaaminen: Oppimisanalytiikka"
    description = str(may["DESCRIPTION"])
    assert "Ilmoittautuminen viimeistään 7.5.2024 klo 23.59" in description
    assert BASE_URL + "meetings/2024-05.html" in description


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ("på föredragningslistan", "under beredning", "mottaget", "löst", "Hoppa till innehållet")),
        ("en", ("on the agenda", "in preparation", "received", "resolved", "Skip to content")),
        ("fi", ("asialistalla", "valmistelussa", "vastaanotettu", "ratkaistu", "Siirry sisältöön")),
    ],
)
def test_every_language_renders(tmp_path: Path, language: str, words: tuple[str, ...]) -> None:
    others = tuple(lang for lang in ("fi", "sv", "en") if lang != language)
    write_site(site_data(languages=(language, *others)), TEMPLATES, tmp_path)
    initiatives = (tmp_path / "initiatives.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in initiatives
    for word in words:
        assert word in initiatives, word
    for page in ("index.html", "meetings/2024-03.html", "meetings/2024-05.html"):
        html = (tmp_path / page).read_text(encoding="utf-8")
        assert f'<html lang="{language}">' in html and html.count("<h1") == 1


def test_a_meeting_code_cannot_leave_the_archive(tmp_path: Path) -> None:
    data = site_data()
    bad = replace(data.meetings[0], code="../../etc/x")
    with pytest.raises(ValueError, match="cannot be a file name"):
        write_site(replace(data, meetings=(bad,)), TEMPLATES, tmp_path)


def test_each_page_links_to_itself_in_the_other_languages(
    site: Path, doms: dict[str, tuple[str, Dom]]
) -> None:
    """What a reader clicks in Chromium's DOM: every language link and the stylesheet lead to
    a file that exists, and to the same page in the other language."""
    for name, (_, dom) in doms.items():
        page = site / name
        here = name.split("/", 1)[1] if name[2:3] == "/" else name
        links = {a["hreflang"]: a["href"] for a in dom.tags("a") if a.get("hreflang")}
        assert set(links) == {"fi", "sv", "en"} - {dom.tags("html")[0]["lang"]}, name
        for language, href in links.items():
            target = (page.parent / href).resolve()
            assert target.is_file(), (name, href)
            expected = site / here if language == "fi" else site / language / here
            assert target == expected.resolve(), (name, href)
        [style] = [link["href"] for link in dom.tags("link") if link.get("rel") == "stylesheet"]
        assert (page.parent / style).resolve() == (site / "style.css").resolve(), name


def test_the_swedish_version_speaks_swedish_and_shows_its_summary_first(
    doms: dict[str, tuple[str, Dom]],
) -> None:
    text = doms["sv/meetings/2024-03.html"][1].text
    assert "tisdag 12.3.2024" in text and "Hoppa till innehållet" in text
    # The Swedish summary leads; the Finnish one follows as another language version.
    assert text.index("Sammandrag.") < text.index("Katso muistio")
    assert "Hoppa till innehållet" in doms["sv/index.html"][1].text
    english = doms["en/meetings/2024-03.html"][1].text
    assert "Skip to content" in english and "Tuesday 12 March 2024" in english


def test_each_language_has_its_own_feed(site: Path) -> None:
    finnish = ET.parse(site / "feed.xml").getroot()
    swedish = ET.parse(site / "sv" / "feed.xml").getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert swedish.get(lang) == "sv" and finnish.get(lang) == "fi"
    ids = [feed.find(f"{ATOM}id").text for feed in (finnish, swedish)]  # type: ignore[union-attr]
    assert ids[0] != ids[1], "two feeds, two identities"
    [entry] = summary_entries(swedish)
    assert "Sammandrag." in (entry.find(f"{ATOM}content").text or "")  # type: ignore[union-attr]
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == BASE_URL + "sv/meetings/2024-03.html"


def test_home_page_shows_the_network_from_the_config(doms: dict[str, tuple[str, Dom]]) -> None:
    raw, dom = doms["index.html"]
    text = dom.text
    assert [h.get("id") for h in dom.tags("h2")][:6] == [
        "next",
        "upcoming",
        "join",
        "rules",
        "group",
        "contacts",
    ]
    # The next meeting and how and by when to register.
    next_meeting = text.split("Seuraava tapaaminen", 1)[1].split("Tulevat tapaamiset", 1)[0]
    assert "Oppimisanalytiikka" in next_meeting and "Auki 7.5.2024 klo 23.59 asti" in next_meeting
    # How to join and submit an initiative, by email.
    hrefs = {a.get("href") for a in dom.tags("a")}
    assert {"mailto:verkosto+liity@example.org", "mailto:verkosto+aloite@example.org"} <= hrefs
    # The group by organisation (two people of one organisation on one line), the responsible marked.
    assert "Valmisteluryhmä 2023–2024" in text
    assert "Opetushallitus: Pekka Pääsihteeri, Olli Opettaja" in text
    assert "Suomen Kuntaliitto (valmisteluvastuussa): Kaisa Kehittäjä (vastuuhenkilö)" in text
    assert "Opetus- ja kulttuuriministeriö (valmisteluvastuussa)" not in text
    # Contact persons with their address; nobody else's address is on the page.
    assert "Suomen Kuntaliitto: Kaisa Kehittäjä (kaisa@example.fi)" in text
    mails = {h for h in hrefs if h and h.startswith("mailto:")}
    assert mails == {
        "mailto:verkosto@example.org", "mailto:verkosto+liity@example.org",
        "mailto:verkosto+aloite@example.org", "mailto:kaisa@example.fi",
    }  # fmt: skip
    # Organisations grouped by kind, in the config's order within a kind.
    assert "Kansalliset toimijat Opetushallitus OAJ Yritykset Esimerkki Oy" in text
    assert "Kuntaverkostot" not in text  # no kind without organisations


def test_privacy_and_accessibility_are_linked_from_every_page(
    site: Path, doms: dict[str, tuple[str, Dom]]
) -> None:
    for name, (_, dom) in doms.items():
        page = site / name
        targets = {(page.parent / a["href"]).resolve() for a in dom.tags("a") if a.get("href")}
        prefix = name[:3] if name[2:3] == "/" else ""
        for target in ("privacy.html", "accessibility.html"):
            assert (site / prefix / target).resolve() in targets, (name, target)
            assert (site / prefix / target).is_file()


def test_privacy_notice_names_controller_retention_rights_and_authority(
    doms: dict[str, tuple[str, Dom]],
) -> None:
    text = doms["privacy.html"][1].text
    assert "Suomen Kuntaliitto, Toinen linja 14, Helsinki" in text
    assert "anonymisoidaan 400 päivän kuluttua" in text
    for words in ("Lähetä tietoni", "Poista tietoni", "Eroa listalta", "Tietosuojavaltuutetun toimisto"):
        assert words in text, words
    assert {"href": "mailto:tietosuoja@example.fi"} in doms["privacy.html"][1].tags("a")
    english = doms["en/privacy.html"][1].text
    assert "400 days after the meeting" in english and "Send my data" in english


def test_accessibility_statement_has_the_public_sector_form(doms: dict[str, tuple[str, Dom]]) -> None:
    dom = doms["accessibility.html"][1]
    headings = [h for tag, h in dom.elements if tag == "h2"]
    assert len(headings) == 4
    for words in (
        "Digipalvelun saavutettavuuden tila",
        "Ei-saavutettava sisältö",
        "anna palautetta",
        "Valvontaviranomainen",
        "1.4.2024",
        "axe-core",
    ):
        assert words in dom.text, words
    assert {"href": "mailto:saavutettavuus@example.fi"} in dom.tags("a")
    assert "Tillgänglighetsutlåtande" in doms["sv/accessibility.html"][1].text


def test_followups_show_on_their_page_the_meeting_and_the_initiative(
    site: Path, doms: dict[str, tuple[str, Dom]]
) -> None:
    text = doms["followups.html"][1].text
    assert "Koota tekoälyn käyttöohjeet Opetushallitus kesken luonnos" in text
    assert "Materiaalipankin selvitys Suomen Kuntaliitto avoin" in text
    meeting = doms["meetings/2024-03.html"][1]
    assert "Koota tekoälyn käyttöohjeet Opetushallitus kesken" in meeting.text
    assert "Koota tekoälyn" not in doms["meetings/2024-05.html"][1].text
    # The initiative handled at the meeting links to the item it produced.
    initiatives = doms["initiatives.html"][1]
    assert {"href": "followups.html#item-2"} in initiatives.tags("a")
    ids = {attrs.get("id") for _, attrs in doms["followups.html"][1].elements}
    assert {"item-1", "item-2"} <= ids
    assert "Materiaalipankin selvitys Suomen Kuntaliitto öppen" in doms["sv/followups.html"][1].text
    # In Swedish the Finnish item is marked as Finnish; on the Finnish page it needs no mark.
    assert '<td lang="fi">Koota tekoälyn käyttöohjeet</td>' in doms["sv/followups.html"][0]
    assert "<td>Koota tekoälyn käyttöohjeet</td>" in doms["followups.html"][0]


def test_the_feed_has_an_entry_for_each_meetings_follow_up_items(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    [entry] = [e for e in feed.findall(f"{ATOM}entry") if ":followups-" in (e.findtext(f"{ATOM}id") or "")]
    assert entry.findtext(f"{ATOM}id") == "tag:example.org,2024:followups-2024-03"
    assert entry.findtext(f"{ATOM}title") == "Jatkotoimet: tapaaminen 12.3.2024 – Tekoäly opetuksessa"
    link = entry.find(f"{ATOM}link")
    assert link is not None and link.get("href") == BASE_URL + "followups.html#followups-2024-03"
    assert entry.findtext(f"{ATOM}updated") == "2024-03-18T12:00:00+02:00"  # the last change
    content = entry.findtext(f"{ATOM}content") or ""
    assert "<li>Koota tekoälyn käyttöohjeet – Opetushallitus: kesken (luonnos)</li>" in content
    # (follow-up items are not events: the calendar holds only the meetings)
    assert b"Koota" not in (site / "meetings.ics").read_bytes()
