"""A rendered Markdown template → sanitised HTML, every value inserted as the text it is.

A value (a name, a reply's line, an initiative's text) must never become Markdown: a reply's
"[x](url)" is not a link in our mail and "#1" is not a heading. Escaping values for Markdown
does not hold everywhere: inside a code block or a raw HTML block (the `<blockquote>` that
quotes an initiative) Markdown keeps the backslashes, so people saw "\\#1". Instead each value
is replaced by a placeholder of letters while Markdown runs and put back, HTML-escaped, after:
the value reads the same in every context, and the conversion of one template is the same for
every recipient (so it is cached). Values marked safe (the coordinator's summary, which is
Markdown, and the `mailto()` links) go into the Markdown as they are.
"""

from __future__ import annotations

import html
import re
import secrets
import string
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import markdown
import nh3
from jinja2 import Template
from markupsafe import Markup

# Letters only (survives Markdown anywhere); random per process, so nobody's text contains it.
_PREFIX = "Qv" + "".join(secrets.choice(string.ascii_letters) for _ in range(20))
_WIDTH = 4  # letters of the value's number: 26**4 values per mail
_PLACEHOLDER = re.compile(_PREFIX + f"([a-z]{{{_WIDTH}}})")
_values: ContextVar[list[str] | None] = ContextVar("markdown_values", default=None)
# Building a Markdown converter costs more than converting one mail: build it once, reset it
# between mails (the daemon renders in one thread).
_MARKDOWN = markdown.Markdown(extensions=["sane_lists"])
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]!#])")


def finalize(value: Any) -> Any:
    """Jinja's `finalize` for Markdown templates: a text value becomes a placeholder."""
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    values = _values.get()
    if values is None:  # rendered outside to_html(): escape for Markdown as well as we can
        return _MARKDOWN_SPECIAL.sub(r"\\\1", value)
    values.append(value)
    number, letters = len(values) - 1, ""
    for _ in range(_WIDTH):
        number, digit = divmod(number, 26)
        letters = string.ascii_lowercase[digit] + letters
    return Markup(_PREFIX + letters)


def to_html(template: Template, context: dict[str, Any]) -> str:
    """The template rendered with `context`, as sanitised HTML."""
    values: list[str] = []
    token = _values.set(values)
    try:
        source = str(template.render(context))
    finally:
        _values.reset(token)
    return convert(source, tuple(values))


@lru_cache(maxsize=512)
def convert(source: str, values: tuple[str, ...] = ()) -> str:
    rendered = _MARKDOWN.reset().convert(source)
    if values:
        rendered = _PLACEHOLDER.sub(lambda found: html.escape(values[_number(found.group(1))]), rendered)
    return str(nh3.clean(rendered, link_rel="noopener noreferrer"))


def _number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + string.ascii_lowercase.index(letter)
    return number
