"""Render a mass mailing once, not once per person, without changing a single byte of it.

An invitation to a thousand contacts differs between them only by the name in the greeting.
Such a template is rendered once with a placeholder for the name and the name is put in
afterwards. That is exact only when the template uses the name as a plain value: printed as it
is (`{{ recipient.name }}`) or tested for being there (`{% if recipient.name %}`). Anything
else — a filter, a comparison, the address, an include — and the template is rendered for each
person as before. The reply address (with the person's token) may be printed or given to
`mailto()`; it is put in afterwards like the name. The coordinator edits templates, so this is decided from
each template's syntax tree, again whenever the file changes.
"""

from __future__ import annotations

import html
import re
import secrets
import string

from jinja2 import Environment, Template, nodes

# Letters only: survives HTML escaping, our Markdown escaping and Markdown itself unchanged.
# Random per process, so no text anyone writes can contain it.
NAME = "Qq" + "".join(secrets.choice(string.ascii_letters) for _ in range(24))
# The reply address (it carries the person's token) printed plainly or given to `mailto()` for
# the one-click answers: an address of these characters is the same in a URL, in HTML and in text.
ADDRESS = "Qa" + "".join(secrets.choice(string.ascii_letters) for _ in range(24))
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.+_-]+@[A-Za-z0-9.-]+")

_PERSONAL = {"recipient", "reply_address"}
_checked: dict[int, tuple[Template, bool]] = {}


def name_only(environment: Environment, template: Template) -> bool:
    """True when the template uses nothing personal but `recipient.name`, and that plainly."""
    known = _checked.get(id(template))
    if known is not None and known[0] is template:
        return known[1]
    assert environment.loader is not None and template.name is not None
    source = environment.loader.get_source(environment, template.name)[0]
    verdict = _plain(environment.parse(source), None)
    _checked[id(template)] = (template, verdict)
    return verdict


def _plain(node: nodes.Node, parent: nodes.Node | None) -> bool:
    if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        return False  # another template's use of the name is not seen here
    if isinstance(node, nodes.Name) and node.name == "reply_address" and node.ctx == "load":
        printed = isinstance(parent, nodes.Output)
        linked = isinstance(parent, nodes.Call) and _calls(parent, "mailto") and node in parent.args
        return printed or linked
    if isinstance(node, nodes.Name) and node.name in _PERSONAL:
        return False  # the whole `recipient`, or assigned to
    if (
        isinstance(node, nodes.Getattr)
        and isinstance(node.node, nodes.Name)
        and node.node.name == "recipient"
    ):
        printed = isinstance(parent, nodes.Output)
        tested = isinstance(parent, nodes.If) and parent.test is node
        return node.attr == "name" and (printed or tested)
    return all(_plain(child, node) for child in node.iter_child_nodes())


def _calls(call: nodes.Call, function: str) -> bool:
    return isinstance(call.node, nodes.Name) and call.node.name == function


def fill(text: str, name: str, address: str | None = None) -> str:
    text = text.replace(NAME, name)
    return text if address is None else text.replace(ADDRESS, address)


def fill_html(text: str, name: str, address: str | None = None) -> str:
    text = text.replace(NAME, html.escape(name))
    return text if address is None else text.replace(ADDRESS, address)
