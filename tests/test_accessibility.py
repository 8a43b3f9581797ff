"""Accessibility is tested, not claimed: axe-core in headless Chromium over every page the
publisher writes, in every language, with the WCAG 2.1 A and AA rule sets. The accessibility
statement's conformance line rests on this test."""

from __future__ import annotations

from pathlib import Path

from axe import violations
from test_archive import PAGES, TEMPLATES, site_data

from automation.render.archive import write_site


def test_every_page_in_every_language_has_no_axe_violation(tmp_path: Path) -> None:
    site = tmp_path / "public"
    written = write_site(site_data(), TEMPLATES, site)
    pages = sorted(p.relative_to(site).as_posix() for p in written if p.suffix == ".html")
    assert set(PAGES) <= set(pages) and len(pages) == 21  # 7 pages in each of 3 languages
    found = violations(site, pages, tmp_path)
    assert {name: v for name, v in found.items() if v} == {}


def test_the_check_finds_a_violation_when_there_is_one(tmp_path: Path) -> None:
    """The harness itself: a page without a language, a nameless link and low contrast fails."""
    site = tmp_path / "bad"
    site.mkdir()
    (site / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main>"
        '<p style="color:#bbb">Harmaa teksti</p><a href="x.html"></a></main></body></html>',
        encoding="utf-8",
    )
    found = violations(site, ["page.html"], tmp_path)
    assert {v["id"] for v in found["page.html"]} >= {"html-has-lang", "link-name", "color-contrast"}
