"""A reply that answers two meetings ("Maaliskuun tapaamiseen en ehdi, syksyn tapaamiseen kyllä"):
which other open meeting it names, and the answer to it as a classification of its own. Pure.

The shell decides the reply for the meeting it answers, then decides each other answer for the
meeting it names, as if it had come on its own, and commits all of it in one transaction. An
answer is acted on only when exactly one other open meeting fits what the reply names (its month,
or its season), and only for a sender whose reply token proved who they are; otherwise it is
passed on to the coordinator, as before.
"""

from __future__ import annotations

from dataclasses import replace

from automation.model import Classification, Decision, Kind, Match, Meeting

_SPRING_MONTHS = range(1, 7)


def _named(when: str, meeting: Meeting) -> bool:
    """The reader names a meeting by its month number ("3") or its season ("autumn")."""
    month = meeting.start.month
    return when == str(month) or when == ("spring" if month in _SPRING_MONTHS else "autumn")


def other_answers(
    seen: Classification, match: Match, open_meetings: tuple[Meeting, ...]
) -> list[tuple[Meeting, Classification]]:
    """Each other open meeting the reply answers clearly, with the answer as its own reply."""
    intent = seen.intent
    if intent is None or not match.meeting or not match.authorised or seen.kind.is_machine:
        return []
    found: list[tuple[Meeting, Classification]] = []
    for when, kind, sentence in intent.other_answers:
        fitting = [m for m in open_meetings if m.code != match.meeting and _named(when, m)]
        if len(fitting) != 1 or kind not in (Kind.REGISTRATION, Kind.CANCELLATION):
            continue  # none open, or two autumn meetings: the coordinator reads it
        answer = replace(
            intent,
            kind=kind,
            evidence=sentence,
            companions=(),
            questions=(),
            abstained="",
            elsewhere=(),
            other_answers=(),
        )
        found.append((fitting[0], replace(seen, kind=kind, intent=answer)))
    return found


def without_acted(seen: Classification, acted: list[tuple[Meeting, Classification]]) -> Classification:
    """The reply for its own meeting, without the sentences acted on for another: they are no
    longer "about another meeting (not acted on)"."""
    if seen.intent is None or not acted:
        return seen
    said = {answer.intent.evidence for _, answer in acted if answer.intent is not None}
    rest = tuple(s for s in seen.intent.elsewhere if s not in said)
    return replace(seen, intent=replace(seen.intent, elsewhere=rest))


def combined(first: Decision, more: list[Decision]) -> Decision:
    """One decision for the whole reply: every meeting's effects, committed together."""
    if not more:
        return first
    effects = first.effects + tuple(e for d in more for e in d.effects)
    return Decision(effects, "; ".join([first.summary, *(d.summary for d in more)]))
