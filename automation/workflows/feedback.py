"""Feedback after a meeting: a score 1-5 and free text, by reply. Pure.

Kept without the address (a hash counts one answer per person), so the organisers' pack shows
averages and anonymous comments only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from automation.model import Inbound, Meeting, SendMail, StoreFeedback

FEEDBACK_SCOPE = "feedback:"
_SCORE = re.compile(r"(?<![\d.,/])([1-5])(?:\s*/\s*5)?(?!\d|[.,]\d)")


def read_feedback(text: str) -> tuple[int | None, str]:
    """The first number 1-5 is the score; the rest of the text is the comment."""
    found = _SCORE.search(text)
    score = int(found.group(1)) if found else None
    comment = (text[: found.start()] + text[found.end() :]).strip() if found else text.strip()
    return score, comment[:2000]


def person_key(meeting: str, email: str) -> str:
    return hashlib.sha256(f"{meeting}:{email.lower()}".encode()).hexdigest()[:24]


def store(message: Inbound, meeting: str, email: str, language: str) -> StoreFeedback:
    score, comment = read_feedback(message.reply_text)
    return StoreFeedback(meeting, person_key(meeting, email), score, comment, language)


def requests(meeting: Meeting, participants: Sequence[tuple[str, str, str]]) -> list[SendMail]:
    """(email, name, language) of each participant → the feedback question."""
    return [
        SendMail(
            template="feedback_request",
            recipient=email,
            name=name,
            language=language,
            purpose="feedback",
            meeting=FEEDBACK_SCOPE + meeting.code,
            revision="1",
            auto_submitted="auto-generated",
            context={"meeting_code": meeting.code},
        )
        for email, name, language in participants
    ]


def summary(rows: Sequence[tuple[int | None, str]]) -> dict[str, object]:
    scores = [score for score, _ in rows if score is not None]
    return {
        "answers": len(rows),
        "average": round(sum(scores) / len(scores), 1) if scores else None,
        "distribution": {str(n): scores.count(n) for n in range(1, 6)},
        "comments": [comment for _, comment in rows if comment],
    }
