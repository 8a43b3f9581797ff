"""`automation check` for the mail templates: every message file in every language renders with
strict variables (with each sample context), has its subject, exists in every language, and
keeps the glossary's terms."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateNotFound

from automation.render import templatefile
from automation.render.emails import EVENT_PARTS, TEMPLATE_NAMES, environments, render_parts

_MIGRATE = "fix: run `python scripts/migrate_templates.py` (it makes <name>.md of the three files)"
_VARIABLES = "fix: use only the variables listed in templates/README.md"


def check_templates(directory: Path, languages: list[str], samples: list[dict[str, Any]]) -> list[str]:
    """One line per problem, naming the file (and line where there is one) and the fix."""
    problems: list[str] = []
    for language in languages:
        for name in TEMPLATE_NAMES:
            problems += _check_message(directory, name, language, samples)
        problems += _check_events(directory, language, samples)
        problems += _old_format(directory, language)
    problems += _missing_translations(directory, languages)
    problems += check_glossary(directory, languages)
    return problems


def _check_message(directory: Path, name: str, language: str, samples: list[dict[str, Any]]) -> list[str]:
    path = directory / templatefile.body_name(name, language)
    if not path.exists():
        if (directory / language / f"{name}.txt").exists():
            return [f"{path}: missing, the message is still in the old three-file format; {_MIGRATE}"]
        return [f"{path}: missing; fix: create it (copy the {name}.md of another language and translate)"]
    parsed = templatefile.parse(path.read_text(encoding="utf-8"))
    problems = [
        f"{path}:{problem.removeprefix('line ')}; fix: see templates/README.md" for problem in parsed.problems
    ]
    if "subject" not in parsed.fields:
        return problems + [f"{path}:1: no subject; fix: begin the file with ---, subject: …, --- lines"]
    people = ({"name": "Maija", "email": "m@example.fi"}, {"name": "", "email": "m@example.fi"})
    for sample, person in ((sample, person) for sample in samples for person in people):
        context = {
            **sample,
            "language": language,
            "recipient": person,
            "reply_address": "verkosto+token@example.org",
        }
        try:
            render_parts(directory, name, language, context)
        except TemplateNotFound as exc:
            return problems + [f"{path}: {exc.message or exc}; fix: create the file it names"]
        except TemplateError as exc:
            return problems + [_located(path, exc)]
    return problems


def _check_events(directory: Path, language: str, samples: list[dict[str, Any]]) -> list[str]:
    text_env, _ = environments(str(directory))
    for part in EVENT_PARTS:
        path = directory / language / part
        if not path.exists():
            return [f"{path}: missing; fix: create it (copy another language's and translate)"]
        try:
            for sample in samples:
                text_env.get_template(f"{language}/{part}").render({**sample, "language": language})
        except TemplateError as exc:
            return [_located(path, exc)]
    return []


def _located(path: Path, exc: TemplateError) -> str:
    line = getattr(exc, "lineno", None) or _line_in(path, exc)
    at = f"{path}:{line}" if line else str(path)
    return f"{at}: {getattr(exc, 'message', None) or exc}; {_VARIABLES}"


def _line_in(path: Path, exc: BaseException) -> int | None:
    """The line of the template where rendering failed: Jinja puts the template's own lines in
    the traceback of an error at render time (an undefined variable has no `lineno`)."""
    trace, line = exc.__traceback__, None
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == str(path):
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _old_format(directory: Path, language: str) -> list[str]:
    """Files of the old format left beside the new ones would be silently ignored."""
    folder = directory / language
    if not folder.is_dir():
        return []
    events = set(EVENT_PARTS)
    return [
        f"{path}: a file of the old template format, not used; {_MIGRATE}"
        for path in sorted(folder.glob("*.txt"))
        if path.name not in events
    ]


def _missing_translations(directory: Path, languages: list[str]) -> list[str]:
    """A message file (or an included part such as _rules.md) in one language but not another;
    the messages every language must have are already reported by name above."""
    present = {
        language: {path.name for path in (directory / language).glob("*.md")}
        if (directory / language).is_dir()
        else set()
        for language in languages
    }
    required = {f"{name}.md" for name in TEMPLATE_NAMES}
    problems = []
    for language in languages:
        for file_name in sorted(set().union(*present.values()) - present[language] - required):
            where = ", ".join(other for other in languages if file_name in present[other])
            problems.append(
                f"{directory / language / file_name}: missing, but it exists in {where}; "
                "fix: translate it into this language"
            )
    return problems


_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def check_glossary(directory: Path, languages: list[str]) -> list[str]:
    """Every template (mail, its parts and the site's pages) against `glossary.toml`: a word the
    glossary avoids, e.g. "reservlista" where the network writes "väntelista", is named with its
    file, line and the term to write instead."""
    path = directory / "glossary.toml"
    if not path.exists():
        return []
    try:
        terms = tomllib.loads(path.read_text(encoding="utf-8")).get("terms", [])
    except tomllib.TOMLDecodeError as exc:
        return [f"{path}: not valid TOML ({exc}); fix the syntax at that line"]
    problems = []
    for language in languages:
        avoided = {
            word.casefold(): str(term.get(language, ""))
            for term in terms
            for word in term.get("avoid", {}).get(language, [])
        }
        if not avoided:
            continue
        pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, avoided)) + r")\w*", re.IGNORECASE)
        files = [*(directory / language).glob("*"), *(directory / "site" / language).glob("*")]
        for file in sorted(f for f in files if f.is_file()):
            source = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), file.read_text(encoding="utf-8"))
            for number, line in enumerate(source.splitlines(), start=1):
                for found in pattern.finditer(line):
                    write = avoided[found.group(1).casefold()]
                    problems.append(
                        f"{file}:{number}: {found.group(0)!r} departs from the glossary"
                        f" ({path.name}); fix: write {write!r}"
                    )
    return problems
