"""One Markdown file per message: the migration from the old three files keeps every message as
it was, and the text part made from the Markdown reads as plain text.

What "as it was" means (decided here, explained in scripts/migrate_templates.py): the subject
and the HTML part are identical to the old ones; the text part has the same words in the same
order as the old `.txt` (case folded: where it shouted "TÄHÄN" the HTML had bold), and only its
layout differs ("- " bullets, "text <url>" links). The old files are kept, as they were just
before the migration, in tests/fixtures/templates-before-migration.tar.gz, so this stays a test
of the migration however the live templates are edited later.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from automation import config as config_module
from automation.cli import main
from automation.render import markdown_html
from automation.render.emails import TEMPLATE_NAMES, mailto, render_parts
from automation.render.sample import sample_variants

REPO = Path(__file__).resolve().parent.parent
ARCHIVE = REPO / "tests" / "fixtures" / "templates-before-migration.tar.gz"
EXAMPLE = REPO / "config.example.toml"
LANGUAGES = ("fi", "sv", "en")
SETTINGS = config_module.load(EXAMPLE)


def contexts() -> list[dict[str, Any]]:
    found = []
    for variant in sample_variants(SETTINGS):
        for person in ("Maija Meikäläinen", ""):
            found.append(
                {
                    **variant,
                    "recipient": {"name": person, "email": "m@example.fi"},
                    "reply_address": "v+t@example.org",
                }
            )
    return found


CONTEXTS = contexts()


def archived_messages() -> list[str]:
    """The messages as they were at the migration (templates added since are not in it)."""
    with tarfile.open(ARCHIVE) as archive:
        names = {Path(member.name).name for member in archive.getmembers()}
    found = sorted(n.removesuffix(".subject.txt") for n in names if n.endswith(".subject.txt"))
    assert set(TEMPLATE_NAMES) >= set(found) and len(found) == 38
    return found


ARCHIVED = archived_messages()


def migrate(directory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "migrate_templates.py"),
            str(directory),
            "--config",
            str(EXAMPLE),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def before_and_after(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    base = tmp_path_factory.mktemp("migration")
    for target in ("old", "new"):
        with tarfile.open(ARCHIVE) as archive:
            archive.extractall(base / target, filter="data")
    return base / "old", base / "new", migrate(base / "new")


def old_rendering(directory: Path, language: str, name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The reference: how the old renderer made the three parts from the three files."""
    loader = FileSystemLoader(str(directory))
    text_env = Environment(loader=loader, undefined=StrictUndefined, keep_trailing_newline=True)
    md_env = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        finalize=markdown_html.finalize,
    )
    for environment in (text_env, md_env):
        environment.globals["mailto"] = mailto
    subject = " ".join(text_env.get_template(f"{language}/{name}.subject.txt").render(context).split())
    text = text_env.get_template(f"{language}/{name}.txt").render(context)
    fragment = markdown_html.to_html(md_env.get_template(f"{language}/{name}.md"), context)
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{fragment}\n</body></html>\n"
    )
    return subject, text, page


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def test_the_migration_turns_every_message_into_one_file(before_and_after: tuple[Path, Path, Any]) -> None:
    _, new, result = before_and_after
    assert result.returncode == 0, result.stderr
    assert f"{len(ARCHIVED) * len(LANGUAGES)} migrated, 0 left" in result.stdout
    for language in LANGUAGES:
        assert sorted(p.name for p in (new / language).glob("*.txt")) == []
        for name in ARCHIVED:
            assert (new / language / f"{name}.md").read_text(encoding="utf-8").startswith("---\nsubject: ")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_reads_as_it_did_before_the_migration(
    before_and_after: tuple[Path, Path, Any], language: str
) -> None:
    old, new, _ = before_and_after
    compared = 0
    for name in ARCHIVED:
        for context in CONTEXTS:
            context = {**context, "language": language}
            subject, text, page = old_rendering(old, language, name, context)
            new_subject, new_text, new_page = render_parts(new, name, language, context)
            where = f"{language}/{name} for {context['recipient']['name'] or 'no name'}"
            assert new_subject == subject, where
            assert new_page == page, where
            assert words(new_text) == words(text), where
            compared += 1
    assert compared == len(ARCHIVED) * len(CONTEXTS)


def test_running_the_migration_again_changes_nothing(before_and_after: tuple[Path, Path, Any]) -> None:
    _, new, _ = before_and_after
    files = {path: path.read_bytes() for path in new.rglob("*") if path.is_file()}
    again = migrate(new)
    assert again.returncode == 0 and "0 migrated, 0 left" in again.stdout
    assert {path: path.read_bytes() for path in new.rglob("*") if path.is_file()} == files


def test_a_message_whose_text_says_something_else_is_kept_and_named(tmp_path: Path) -> None:
    folder = tmp_path / "fi"
    folder.mkdir()
    (folder / "custom.subject.txt").write_text("Aihe\n")
    (folder / "custom.txt").write_text("Hei,\n\nTapaaminen alkaa kello 9.\n")
    (folder / "custom.md").write_text("Hei,\n\nTapaaminen alkaa **kello 10**.\n")
    result = migrate(tmp_path)
    assert result.returncode == 1
    assert "fi/custom.md: not migrated" in result.stderr and "“9” → “10”" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["custom.md", "custom.subject.txt", "custom.txt"]
    forced = migrate(tmp_path, "--force")
    assert forced.returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["custom.md"]
    _, text, _ = render_parts(tmp_path, "custom", "fi", {})
    assert text == "Hei,\n\nTapaaminen alkaa kello 10.\n"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_text_part_is_plain_text_with_every_link(language: str) -> None:
    """No Markdown left in the text part: no asterisks, no [text](url), no tags; every link of
    the HTML part is in the text, written out."""
    for name in TEMPLATE_NAMES:
        for context in CONTEXTS:
            _, text, page = render_parts(
                REPO / "templates", name, language, {**context, "language": language}
            )
            where = f"{language}/{name}"
            assert "**" not in text and "](" not in text and "<br" not in text and "\\" not in text, where
            for href in re.findall(r'href="([^"]+)"', page):
                # An address shown as itself is written once, without "mailto:".
                assert html.unescape(href).removeprefix("mailto:") in text, (where, href)
            assert "\n-- \n" in text, where  # the footer after a signature line


def test_a_link_reads_as_text_and_address() -> None:
    from automation.render.plaintext import html_to_text

    fragment = markdown_html.convert(
        "Hei,\n\n- **Aika:** ti 12.3.\n- [Kyllä](mailto:a@b.fi?subject=x)\n\n"
        "Sivu: [https://x.fi](https://x.fi) ja [ohjeet](https://x.fi/o)<br>\nrivi\n\n---\n\n*alaviite*"
    )
    assert html_to_text(fragment) == (
        "Hei,\n\n- Aika: ti 12.3.\n- Kyllä <mailto:a@b.fi?subject=x>\n\n"
        "Sivu: https://x.fi ja ohjeet <https://x.fi/o>\nrivi\n\n-- \nalaviite\n"
    )


def write_config(tmp_path: Path) -> Path:
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\na@example.fi,A,,fi\n")
    text = EXAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    import shutil

    shutil.copytree(REPO / "templates", tmp_path / "templates")
    return path


def check(config: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    return result.exit_code, result.output.strip().splitlines()


def test_check_names_a_template_missing_in_one_language(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    (tmp_path / "templates" / "sv" / "thanks.md").unlink()
    (tmp_path / "templates" / "en" / "_rules.md").unlink()
    (tmp_path / "templates" / "fi" / "_extra.md").write_text("Lisäosa\n")
    code, lines = check(config)
    assert code == 2
    assert any("sv/thanks.md: missing" in line and "fix:" in line for line in lines), lines
    assert any("en/_rules.md: missing, but it exists in fi, sv" in line for line in lines), lines
    assert any("sv/_extra.md: missing, but it exists in fi" in line for line in lines), lines
    assert any("en/_extra.md: missing, but it exists in fi" in line for line in lines), lines


def test_check_names_an_old_format_file_and_a_file_without_subject(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    templates = tmp_path / "templates"
    (templates / "fi" / "digest.txt").write_text("Hei\n")
    waitlisted = templates / "sv" / "waitlisted.md"
    waitlisted.write_text(waitlisted.read_text(encoding="utf-8").split("---\n", 2)[2], encoding="utf-8")
    typo = templates / "en" / "promoted.md"
    typo.write_text(typo.read_text(encoding="utf-8").replace("subject: ", "subjcet: "), encoding="utf-8")
    code, lines = check(config)
    assert code == 2
    assert any(
        "fi/digest.txt: a file of the old template format" in line and "migrate_templates" in line
        for line in lines
    )
    assert any("sv/waitlisted.md:1: no subject" in line for line in lines), lines
    assert any("en/promoted.md:2: unknown key 'subjcet'" in line for line in lines), lines


def test_check_names_the_line_of_a_misspelt_variable_in_a_rarely_taken_branch(tmp_path: Path) -> None:
    """The variant samples take the other branch of `{% if %}`: a typo there is found too."""
    config = write_config(tmp_path)
    confirmation = tmp_path / "templates" / "fi" / "confirmation.md"
    lines = confirmation.read_text(encoding="utf-8").split("\n")
    lines.insert(6, "{% if not recipient.name %}{{ meeting.plase }}{% endif %}")
    confirmation.write_text("\n".join(lines), encoding="utf-8")
    code, output = check(config)
    assert code == 2
    assert any("fi/confirmation.md:7" in line and "plase" in line for line in output), output


def test_text_someone_wrote_reads_as_written_in_both_parts() -> None:
    """A quoted initiative and a summary in a code block: Markdown-looking text stays text and
    shows no escaping backslashes, in the HTML part and in the text part."""
    written = "Ehdotan #1: *kaikille* [tunnus](https://x.example) \\o/ <b>"
    context = {**CONTEXTS[0], "language": "fi"}
    context["initiative"] = {**context["initiative"], "text": written + "\n- toinen rivi"}
    _, text, page = render_parts(REPO / "templates", "initiative_new", "fi", context)
    assert f"> {written}\n> - toinen rivi\n" in text
    assert html.escape(written, quote=False) in page and "\\#" not in page and "<b>" not in page
    context["summary_text"] = "# Yhteenveto\n\n*Tärkeää*"
    _, text, page = render_parts(REPO / "templates", "summary_confirm", "fi", context)
    assert "    # Yhteenveto\n" in text and "\\#" not in page and "# Yhteenveto" in page
