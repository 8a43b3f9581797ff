"""Turn mail templates of the old three-file format into one Markdown file per message.

    python scripts/migrate_templates.py [TEMPLATES_DIR] [--config FILE] [--force] [--dry-run]

Old: `<lang>/<name>.subject.txt`, `<name>.txt` (text part), `<name>.md` (HTML part).
New: `<lang>/<name>.md` with the subject in its front matter; both parts are made from it.

The Markdown file becomes the message (its HTML part stays byte for byte what it was), the
subject moves into the front matter, and the variables comment at the top of the `.txt` moves
along. Before a message's old files are deleted, the old and the new rendering are compared
with every sample context (`automation check`'s, from the config): subject and HTML must be
identical, and the text part must have the same words in the same order (only layout and case
may differ: "- " bullets, "text <url>" links, no capitals for emphasis). A message whose `.txt`
says something its `.md` does not is left as it was and reported (exit 1): make the two say the
same, or pass --force to let the `.md` win. Included parts (`_rules.txt`/`_rules.md`) lose
their `.txt` once no old `.txt` includes it. Safe to run again: messages already migrated are left alone.
"""

from __future__ import annotations

import argparse
import difflib
import html
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError

from automation.config import load
from automation.errors import AutomationError
from automation.render import markdown_html, templatefile
from automation.render.emails import mailto, render_parts
from automation.render.sample import sample_variants

REPO = Path(__file__).resolve().parent.parent
_LEADING_COMMENT = re.compile(r"\A\s*\{#.*?#\}\n?", re.DOTALL)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("templates", nargs="?", type=Path, default=REPO / "templates")
    parser.add_argument(
        "--config", type=Path, help="for the sample contexts (default: config.toml or the example)"
    )
    parser.add_argument(
        "--force", action="store_true", help="migrate even where .txt and .md differ (.md wins)"
    )
    parser.add_argument("--dry-run", action="store_true", help="compare and report, change nothing")
    args = parser.parse_args(argv)
    config = args.config or next(p for p in (Path("config.toml"), REPO / "config.example.toml") if p.exists())
    try:
        samples = contexts(sample_variants(load(config)))
    except AutomationError as exc:
        print(f"{config}: {exc}", file=sys.stderr)
        return 2
    directory: Path = args.templates
    migrated, refused = 0, 0
    for language_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        for subject_file in sorted(language_dir.glob("*.subject.txt")):
            name = subject_file.name.removesuffix(".subject.txt")
            problem = migrate_one(directory, language_dir.name, name, samples, args.force, args.dry_run)
            if problem:
                refused += 1
                print(f"{language_dir / name}.md: not migrated: {problem}", file=sys.stderr)
            else:
                migrated += 1
                print(f"{language_dir / name}.md: migrated{' (dry run)' if args.dry_run else ''}")
        if not args.dry_run:
            for part in unused_partials(language_dir):
                part.unlink()
                print(f"{part}: deleted (its .md is included instead)")
    print(f"{migrated} migrated, {refused} left in the old format")
    return 1 if refused else 0


def contexts(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each sample with a named and a nameless recipient (greetings branch on the name)."""
    found = []
    for variant in variants:
        for person in ("Maija Meikäläinen", ""):
            found.append(
                {
                    **variant,
                    "recipient": {"name": person, "email": "m@example.fi"},
                    "reply_address": "verkosto+token@example.org",
                }
            )
    return found


def migrate_one(
    directory: Path, language: str, name: str, samples: list[dict[str, Any]], force: bool, dry_run: bool
) -> str:
    """'' when `name` was migrated (or would be), else why not."""
    folder = directory / language
    subject_file, text_file, md_file = (
        folder / f"{name}{suffix}" for suffix in (".subject.txt", ".txt", ".md")
    )
    if not md_file.exists() or not text_file.exists():
        return f"{name}.subject.txt needs both {name}.txt and {name}.md beside it"
    md_source = md_file.read_text(encoding="utf-8")
    if templatefile.parse(md_source).fields:
        return f"{name}.md already has front matter while {name}.subject.txt still exists; delete one"
    text_source = text_file.read_text(encoding="utf-8")
    comment = _LEADING_COMMENT.match(text_source)
    keep_comment = comment is not None and not _LEADING_COMMENT.match(md_source)
    carried = re.sub(r"\b(_\w+)\.txt\b", r"\1.md", comment.group(0)) if comment and keep_comment else ""
    body = carried + md_source
    subject = " ".join(subject_file.read_text(encoding="utf-8").split())
    new_source = templatefile.write(subject, body)
    difference = compare(directory, language, name, new_source, samples)
    if difference and not force:
        return difference
    if not dry_run:
        md_file.write_text(new_source, encoding="utf-8")
        subject_file.unlink()
        text_file.unlink()
    return ""


def compare(directory: Path, language: str, name: str, new_source: str, samples: list[dict[str, Any]]) -> str:
    """'' when the new file renders as the old three did, with every sample; else the first
    difference."""
    text_env, md_env = old_environments(directory)
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "templates"
        shutil.copytree(directory, trial)
        (trial / language / f"{name}.md").write_text(new_source, encoding="utf-8")
        # The shared footer is added to every message by the renderer, not by the message's own
        # files: it is left out here so only the message is compared.
        for footer in trial.glob("*/_footer.md"):
            footer.unlink()
        for number, sample in enumerate(samples, start=1):
            context = {**sample, "language": language}
            try:
                old = old_parts(text_env, md_env, language, name, context)
                new = render_parts(trial, name, language, context)
            except TemplateError as exc:
                return f"sample {number} does not render: {exc}"
            if old[0] != new[0]:
                return f"sample {number}: subject {old[0]!r} became {new[0]!r}"
            if old[2] != new[2]:
                return f"sample {number}: the HTML part changed"
            words_old, words_new = words(old[1]), words(new[1])
            if words_old != words_new:
                said = changes(words_old, words_new)
                return f"sample {number}: the .txt and the .md say different things: {said}"
    return ""


def old_environments(directory: Path) -> tuple[Environment, Environment]:
    """How the old format was rendered: .txt and .subject.txt as plain text, .md with every
    value inserted as text (as the renderer does today, so only the format is compared)."""
    loader = FileSystemLoader(str(directory))
    text = Environment(loader=loader, undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    md = Environment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        finalize=markdown_html.finalize,
    )
    for environment in (text, md):
        environment.globals["mailto"] = mailto
    return text, md


def old_parts(
    text_env: Environment, md_env: Environment, language: str, name: str, context: dict[str, Any]
) -> tuple[str, str, str]:
    """(subject, text, html) as the old renderer made them."""
    subject = " ".join(text_env.get_template(f"{language}/{name}.subject.txt").render(context).split())
    text = text_env.get_template(f"{language}/{name}.txt").render(context)
    fragment = markdown_html.to_html(md_env.get_template(f"{language}/{name}.md"), context)
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{fragment}\n</body></html>\n"
    )
    return subject, text, page


def words(text: str) -> list[str]:
    """The words in order, case folded: where the old text part shouted (TÄHÄN) the HTML part
    had bold, and the new text part, like hand-written mail, has neither."""
    return re.findall(r"\w+", text.casefold())


def changes(old: list[str], new: list[str]) -> str:
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            found.append(f"“{' '.join(old[i1:i2])}” → “{' '.join(new[j1:j2])}”")
    return "; ".join(found[:5])


def unused_partials(folder: Path) -> Iterator[Path]:
    """`_part.txt` files with a `_part.md` beside them that no old `.txt` includes any more."""
    remaining = [p.read_text(encoding="utf-8") for p in folder.glob("*.txt") if not p.name.startswith("_")]
    for part in sorted(folder.glob("_*.txt")):
        if part.with_suffix(".md").exists() and not any(part.name in source for source in remaining):
            yield part


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
