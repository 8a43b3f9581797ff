"""One file per message and language: `templates/<lang>/<name>.md`.

    ---
    subject: Kutsu: verkoston tapaaminen {{ meeting.short_date }}
    ---
    Hei{% if recipient.name %} {{ recipient.name }}{% endif %},
    …

The front matter (between the two `---` lines, `key: value`) holds the subject; the rest is the
body in Markdown, from which both the HTML and the plain-text part are made. Jinja sees the two
as separate templates: `<lang>/<name>.md` is the body (the front matter blanked to empty lines,
so an error's line number is still the file's), `<lang>/<name>.md:subject` the subject.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from jinja2 import Environment, FileSystemLoader, TemplateNotFound

SUBJECT = ":subject"
FIELDS = ("subject",)
_FENCE = "---"
_FIELD = re.compile(r"([A-Za-z_]+)\s*:\s?(.*)")


@dataclass(frozen=True)
class Parsed:
    fields: dict[str, str]
    body: str  # the front matter replaced by as many empty lines
    problems: tuple[str, ...]  # "line N: …"


def parse(source: str) -> Parsed:
    """Front matter and body of a message file. Without front matter the whole file is body."""
    lines = source.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return Parsed({}, source, ())
    fields: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() == _FENCE:
            body = "\n" * number + "\n".join(lines[number:])
            return Parsed(fields, body, tuple(problems))
        match = _FIELD.fullmatch(line.strip())
        if match is None:
            if line.strip():
                problems.append(f"line {number}: {line.strip()!r} is not 'key: value'")
            continue
        key, value = match.group(1), match.group(2).strip()
        if key not in FIELDS:
            problems.append(f"line {number}: unknown key {key!r} (known: {', '.join(FIELDS)})")
        fields[key] = value
    return Parsed(fields, source, (f"line 1: the front matter has no closing {_FENCE!r} line",))


def write(subject: str, body: str) -> str:
    """A message file's text: the subject in the front matter, then the body."""
    return f"{_FENCE}\nsubject: {' '.join(subject.split())}\n{_FENCE}\n{body}"


def body_name(name: str, language: str) -> str:
    return f"{language}/{name}.md"


def subject_name(name: str, language: str) -> str:
    return body_name(name, language) + SUBJECT


class GlancingLoader(FileSystemLoader):
    """Serves a message file as its two templates (subject, body).

    Jinja re-reads a template whose file changed (the coordinator edits them while the daemon
    runs) by a stat() on every use. Here a file is looked at again at most once a second, so an
    edit is live within a second and a mass mailing does not stat."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        wanted_subject = template.endswith(SUBJECT)
        file_name = template.removesuffix(SUBJECT)
        source, filename, uptodate = super().get_source(environment, file_name)
        if file_name.endswith(".md"):
            parsed = parse(source)
            if wanted_subject:
                if "subject" not in parsed.fields:
                    raise TemplateNotFound(template, f"{filename}: no 'subject:' in the front matter")
                source = parsed.fields["subject"]
            else:
                source = parsed.body
        looked = time.monotonic()

        def fresh() -> bool:
            nonlocal looked
            now = time.monotonic()
            if now - looked < 1.0:
                return True
            looked = now
            return bool(uptodate())

        return source, filename, fresh
