"""The plain-text part of a mail, made from the same HTML as its HTML part.

One Markdown source per message means the text part cannot drift from the HTML part. The text
is written as people write mail by hand: no asterisks or Markdown link syntax left over, bullets
as "- ", numbered lists as "1. ", a link as "text <url>" (or only the URL when the text is the
URL), a quotation as "> " lines, and the footer after the "-- " signature line mail clients know.
Line breaks of the source (within a paragraph, or `<br>`) are kept, so addresses and signatures
stay on their lines. Input is our own sanitised HTML (render/emails.py), not arbitrary web pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

_BLOCKS = {
    "p", "div", "ul", "ol", "li", "blockquote", "pre", "hr", "table", "tr",
    "h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd",
}  # fmt: skip
_VOID = {"br", "hr", "img", "wbr"}
_BREAK = "\x00"  # a <br>; a source line break right after it is the same break
_SIGNATURE = "-- "  # RFC 3676 §4.3: clients show what follows as the signature
_RULE = "—" * 8


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@lru_cache(maxsize=512)
def html_to_text(fragment: str) -> str:
    """The readable plain text of an HTML fragment made from our Markdown."""
    builder = _TreeBuilder()
    builder.feed(fragment)
    builder.close()
    rules = _count_rules(builder.root)
    state = {"rules_left": rules}
    text = ""
    for block in _blocks(builder.root, state):
        # The signature line is followed directly by the footer, as in hand-written mail.
        text += block if not text or text.endswith(_SIGNATURE + "\n") else "\n\n" + block
        if block == _SIGNATURE:
            text += "\n"
    return text.strip("\n") + "\n"


def _count_rules(node: _Node) -> int:
    return sum(
        (1 if child.tag == "hr" else 0) + _count_rules(child)
        for child in node.children
        if isinstance(child, _Node)
    )


def _blocks(node: _Node, state: dict[str, int]) -> list[str]:
    """The node's content as blocks (paragraphs, lists, quotes), each a string of lines."""
    blocks: list[str] = []
    run: list[_Node | str] = []

    def flush() -> None:
        text = _inline_text(run)
        if text:
            blocks.append(text)
        run.clear()

    for child in node.children:
        if isinstance(child, _Node) and child.tag in _BLOCKS:
            flush()
            block = _block(child, state)
            if block:
                blocks.append(block)
        else:
            run.append(child)
    flush()
    return blocks


def _block(node: _Node, state: dict[str, int]) -> str:
    if node.tag == "hr":
        state["rules_left"] -= 1
        # The last rule of a mail separates the footer: as a signature line it reads as one.
        return _SIGNATURE if state["rules_left"] == 0 else _RULE
    if node.tag in ("ul", "ol"):
        return _list(node, state)
    if node.tag == "blockquote":
        inner = "\n\n".join(_blocks(node, state))
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if node.tag == "pre":
        code = "".join(_raw(node)).strip("\n")
        return "\n".join(f"    {line}" for line in code.split("\n"))
    if node.tag == "tr":
        cells = [_inline_text(cell.children) for cell in node.children if isinstance(cell, _Node)]
        return " | ".join(cells)
    if node.tag == "table":
        rows = [_block(row, state) for row in _rows(node)]
        return "\n".join(row for row in rows if row)
    return "\n".join(_blocks(node, state))


def _rows(table: _Node) -> list[_Node]:
    rows: list[_Node] = []
    for child in table.children:
        if isinstance(child, _Node):
            rows.extend([child] if child.tag == "tr" else _rows(child))
    return rows


def _list(node: _Node, state: dict[str, int]) -> str:
    lines: list[str] = []
    number = int(node.attrs.get("start") or 1)
    for item in node.children:
        if not isinstance(item, _Node) or item.tag != "li":
            continue
        marker = f"{number}. " if node.tag == "ol" else "- "
        number += 1
        body = "\n".join(_blocks(item, state)).split("\n")
        indent = " " * len(marker)
        lines.append(marker + body[0])
        lines.extend(indent + line if line else "" for line in body[1:])
    return "\n".join(lines)


def _inline_text(children: list[_Node | str]) -> str:
    text = "".join(_inline(child) for child in children)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(_BREAK + r" ?\n?", "\n", text)
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _inline(node: _Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return _BREAK
    if node.tag == "img":
        return node.attrs.get("alt", "")
    inner = "".join(_inline(child) for child in node.children)
    if node.tag == "a":
        return _link(inner, node.attrs.get("href", ""))
    return inner


def _link(text: str, href: str) -> str:
    shown = " ".join(text.split())
    if not href or href in (shown, f"mailto:{shown}"):
        return text
    if not shown:
        return href
    return f"{text} <{href}>"


def _raw(node: _Node) -> list[str]:
    return [child if isinstance(child, str) else "".join(_raw(child)) for child in node.children]
