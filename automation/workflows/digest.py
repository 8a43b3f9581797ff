"""The coordinator's digest and the answers to it. Pure.

Every day at `[digest] hour` when something needs a human (open attention items, mail that
failed for good, addresses found undeliverable since the last digest), and once a week
otherwise, the coordinator gets what is going on. They answer with lines such as `#3 kyllä`,
`#4 ei`, `#5 ohita` (or the Swedish and English words); each line settles that item through
the same dispatcher a clear reply takes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from automation.model import SendMail

DIGEST_SCOPE = "digest:"  # the digest's reply token: digest:<day>, owned by the coordinator
WEEK = 7
START = "start"

# The words of an answer line, by what they mean; compared in lower case.
WORDS: Mapping[str, tuple[str, ...]] = {
    "yes": ("kyllä", "joo", "ilmoittaudu", "ja", "yes", "register"),
    "no": ("ei", "peru", "nej", "avboka", "no", "cancel"),
    "maybe": ("ehkä", "kanske", "maybe"),
    "initiative": ("aloite", "initiativ", "initiative"),
    "ignore": ("ohita", "hoppa", "ignorera", "ignore", "skip"),
}
_ANSWER_OF = {word: answer for answer, words in WORDS.items() for word in words}
_LINE = re.compile(r"^[ \t]*#(\d{1,6})[ \t]+([^\W\d_]+)(?:[ \t]+(\S+))?", re.M)


@dataclass(frozen=True)
class Line:
    """One answer line: the item's number, what it means (or "" for a word we do not know),
    the word as written and a meeting code when one was given (`#3 kyllä 2024-03`)."""

    number: int
    answer: str
    word: str
    meeting: str | None


def read_answers(text: str) -> list[Line]:
    """The `#N word` lines of a reply, each item once (the first line about it wins)."""
    lines: dict[int, Line] = {}
    for found in _LINE.finditer(text):
        number, word, meeting = int(found.group(1)), found.group(2), found.group(3)
        lines.setdefault(number, Line(number, _ANSWER_OF.get(word.lower(), ""), word, meeting))
    return list(lines.values())


def kind_due(today: date, last_day: date | None, needs_a_human: bool) -> str:
    """ "daily" when something needs the coordinator, "weekly" when a week passed without a
    digest, else "" (the caller sends at most one a day, at or after the hour). "start" on the
    first day of an installation with nothing to tell: nothing is sent, the week counts from
    there (a new installation does not open with an empty digest)."""
    if needs_a_human:
        return "daily"
    if last_day is None:
        return START
    if (today - last_day).days >= WEEK:
        return "weekly"
    return ""


def changes(
    now: Mapping[str, Mapping[str, int]], before: Mapping[str, Mapping[str, int]]
) -> list[dict[str, Any]]:
    """Per meeting, the counts and how each moved since the last digest."""
    rows = []
    for code, counts in now.items():
        earlier = before.get(code, {})
        moved = {k: v - int(earlier.get(k, 0)) for k, v in counts.items() if v != int(earlier.get(k, 0))}
        rows.append({"code": code, "counts": dict(counts), "changed": moved, "new": code not in before})
    return rows


def digest_mail(
    coordinator: str,
    language: str,
    day: str,
    kind: str,
    items: Sequence[Mapping[str, Any]],
    meetings: Sequence[Mapping[str, Any]],
    failed: Sequence[Mapping[str, Any]],
    undeliverable: Sequence[str],
    initiatives: Sequence[Mapping[str, Any]],
) -> SendMail:
    return SendMail(
        template="digest",
        recipient=coordinator,
        name="",
        language=language,
        purpose=f"digest-{kind}",
        meeting=DIGEST_SCOPE + day,
        revision=day,
        auto_submitted="auto-generated",
        context={
            "digest_kind": kind,
            "digest_day": day,
            "items": [dict(i) for i in items],
            "meetings": [dict(m) for m in meetings],
            "failed": [dict(f) for f in failed],
            "addresses": list(undeliverable),
            "waiting_initiatives": [dict(i) for i in initiatives],
        },
    )


def answer_mail(
    coordinator: str, language: str, revision: str, in_reply_to: str, done: Sequence[Mapping[str, Any]]
) -> SendMail:
    """The one answer to a reply to the digest: what was done with each line."""
    return SendMail(
        template="digest_answer",
        recipient=coordinator,
        name="",
        language=language,
        purpose="digest-answer",
        meeting=None,
        revision=revision,
        in_reply_to=in_reply_to,
        reply_token=False,
        # The coordinator's own acts: outside the daily limit of automatic answers.
        auto_submitted="auto-generated",
        context={"done": [dict(d) for d in done]},
    )
