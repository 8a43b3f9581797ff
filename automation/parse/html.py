"""HTML-only mail → plain text, keeping quoted history recognisable for the reply stripper.

Quoted history in HTML comes as `<blockquote>` (Apple, Thunderbird), `div.gmail_quote` (Gmail)
or an Outlook reply header block (`#divRplyFwdMsg`, `#appendonsend`). Those become lines that
start with "> " or are cut, so `reply.py` treats HTML and text mail alike.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "hr"}
_SKIP = {"style", "script", "head", "title"}
_OUTLOOK_CUT_IDS = {"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.skip_depth = 0
        self.stopped = False
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        attributes = {k.lower(): (v or "") for k, v in attrs}
        classes = attributes.get("class", "").lower().split()
        if attributes.get("id", "").lower() in _OUTLOOK_CUT_IDS:
            # Everything after Outlook's reply header is the quoted original.
            self.stopped = True
            return
        if tag in _SKIP:
            self.skip_depth += 1
        quote = tag == "blockquote" or "gmail_quote" in classes or "yahoo_quoted" in classes
        if quote:
            self.quote_depth += 1
        if tag in ("div", "blockquote") or quote:
            self._stack.append(("q" if quote else "") + tag)
        if tag in _BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if tag in _SKIP and self.skip_depth:
            self.skip_depth -= 1
        if tag in ("div", "blockquote") and self._stack:
            opened = self._stack.pop()
            if opened.startswith("q") and self.quote_depth:
                self.quote_depth -= 1
        if tag in _BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.stopped or self.skip_depth:
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and not self.lines[-1]:
            return
        if not self.lines[-1] and self.quote_depth:
            self.lines[-1] = "> " * self.quote_depth
        self.lines[-1] += text

    def _newline(self) -> None:
        if self.lines[-1].strip(" >"):
            self.lines.append("")
        else:
            self.lines[-1] = ""


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - broken HTML must never stop a message; fall back to tags out
        return re.sub(r"<[^>]+>", " ", html)
    lines = [line.strip() for line in parser.lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
