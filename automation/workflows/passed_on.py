"""What a registration decision says beside the answer: the questions, stand-ins and other meetings
a reply mentions, passed on to the coordinator, and the phrases that name companions. Pure."""

from __future__ import annotations

from automation.model import Attention, Classification, Match


def _instead(names: list[str]) -> str:
    return f"; named to come instead (not registered): {', '.join(names)}" if names else ""


def _standins(seen: Classification) -> list[str]:
    """The people a no names as coming in the sender's place: the reader reads them as the
    people the reply brings."""
    return [name for name, _ in seen.intent.companions] if seen.intent else []


def _passed_on(seen: Classification, who: str, standins: list[str] | None = None) -> tuple[Attention, ...]:
    """What a person asked or named beside their answer reaches the coordinator as an attention
    item (and so the digest), with the sender and the sentence: the answer is acted on, the
    question is not lost."""
    notes = [Attention(f"question from {who}: “{question}”") for question in _questions(seen)]
    elsewhere = seen.intent.elsewhere if seen.intent else ()
    notes += [Attention(f"{who} wrote about another meeting (not acted on): “{said}”") for said in elsewhere]
    if standins:
        notes.append(Attention(f"{who} named a stand-in (not registered): {', '.join(standins)}"))
    return tuple(notes)


def _questions(seen: Classification) -> list[str]:
    return list(seen.intent.questions) if seen.intent else []


def _with(names: list[str]) -> str:
    return f" with {', '.join(names)}" if names else ""


def _via(match: Match) -> str:
    return f" (via {match.via}'s invitation)" if match.via else ""
