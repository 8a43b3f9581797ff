"""The first lines of a message's new text as the coordinator sees them: links defanged."""

from __future__ import annotations

import re


def excerpt(text: str, lines: int = 4) -> str:
    """The first lines of the new text, for the coordinator's list and digest. Links are
    defanged: a forged message must not put a clickable link into our mail to the coordinator
    (`attention show` has the message as it came)."""
    kept = [line.strip() for line in text.splitlines() if line.strip()][:lines]
    return _LINK.sub(_defanged, "\n".join(kept)[:400])


_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.I)


def _defanged(found: re.Match[str]) -> str:
    scheme, _, rest = found.group(0).rpartition("://")
    host, slash, path = rest.partition("/")
    plain = (scheme.replace("t", "x", 2) + "[://]" if scheme else "") + host.replace(".", "[.]")
    return plain + slash + path
