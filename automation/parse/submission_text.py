"""What the text of a submission says besides its content: a summary's front matter (meeting,
language, version) and an initiative's line asking to publish the sender's name."""

from __future__ import annotations

import re

# An initiative's sender asks for their name on the public site: "Julkaise nimeni".
PUBLISH_NAME = re.compile(r"^\W*(?:julkaise nimeni|publicera mitt namn|publish my name)\b", re.I | re.M)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def read_summary(text: str) -> tuple[dict[str, str], str]:
    found = _FRONT.match(text)
    if not found:
        return {}, text.strip()
    meta = {}
    for line in found.group(1).splitlines():
        key, _, value = line.partition(":")
        if key.strip():
            meta[key.strip().lower()] = value.strip()
    return meta, text[found.end() :].strip()
