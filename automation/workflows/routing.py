"""Which workflow decides a message: one ordered table over the gathered facts. Pure.

The shell reads the facts first (the owners of the reply tokens in the recipients, which plus
addresses it was sent to, whether any meeting is configured, whether the coordinator answers
for it), and the table says who decides. The first row that holds wins; a reply token's scope
comes before everything a From could claim, and a machine is never answered. The shell then
calls the named workflow and commits what it decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from automation.model import Classification, Kind
from automation.workflows import commands, feedback, followups, initiatives, membership
from automation.workflows.digest import DIGEST_SCOPE, read_answers
from automation.workflows.summaries import SUMMARY_SCOPE

# The scope of an initiative notification's token: initiative:<reference>, or initiative:digest
# for the daily digest of new initiatives. Matched without the colon, as it always was.
INITIATIVE_SCOPE = "initiative"


class Workflow(StrEnum):
    """Who decides. The shell has one function for each."""

    AS_TOLD = "as-told"  # the coordinator says what the message means
    BOUNCE = "bounce"
    IGNORED = "ignored"  # a machine: never answered
    DIGEST_ANSWER = "digest-answer"
    UNSUBSCRIBE = "unsubscribe"
    PRIVACY = "privacy"  # the answer to "confirm the export/erasure"
    JOINING = "joining"  # the answer to "accept the rules"
    FEEDBACK = "feedback"
    JOIN_REQUEST = "join-request"
    SUMMARY_CONFIRMED = "summary-confirmed"
    FOLLOWUP_REPLY = "followup-reply"
    INITIATIVE_ACT = "initiative-act"
    INITIATIVE_INTAKE = "initiative-intake"
    SUMMARY = "summary"
    COMMAND = "command"
    REFUSED = "refused"  # a #command without the token that allows it: kept, nothing changed
    REPLY = "reply"  # a person's answer about a meeting: the registration workflow


# What the table can ask about a message besides its kind, command and tokens.
TOLD = "told"
DIGEST_LINES = "digest-lines"  # "#3 kyllä" lines
INITIATIVE_ACTION = "initiative-action"  # "#hyväksy", "#valmistelu" …
FOLLOWUP_ACTION = "followup-action"  # "#tehty 2" …
PLUS_JOIN = "plus-join"  # sent to verkosto+liity@
PLUS_INITIATIVE = "plus-initiative"  # sent to the initiatives' plus address
MEETINGS = "meetings"  # the config has meetings
INTENT = "intent"  # the reader made something of it


@dataclass(frozen=True)
class Token:
    """One of our reply tokens in the recipients, with what the store says it was issued for."""

    scope: str  # the token row's "meeting" column: a code, or "<kind>:<what>"
    owner: str  # the address it was sent to


@dataclass(frozen=True)
class Facts:
    """What the shell read before routing; nothing here is decided yet."""

    tokens: tuple[Token, ...] = ()  # in the order of the recipients; tokens we do not know left out
    plus: frozenset[str] = frozenset()  # PLUS_JOIN, PLUS_INITIATIVE
    meetings: bool = True
    told: bool = False


@dataclass(frozen=True)
class When:
    """A row's condition: every field given must hold (an empty field asks nothing)."""

    kinds: frozenset[Kind] = frozenset()
    machine: bool = False
    token: str = ""  # a known reply token whose scope starts with this
    command: str = ""  # the reader's command
    marks: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    when: When
    workflow: Workflow
    reason: str = ""  # for REFUSED: what the coordinator is shown


@dataclass(frozen=True)
class Route:
    """The table's answer: the workflow, and the token that led there (if one did)."""

    workflow: Workflow
    scope: str = ""  # the token's scope as stored
    owner: str = ""  # the token's owner
    prefix: str = ""  # the row's token prefix
    reason: str = ""

    @property
    def about(self) -> str:
        """The token's scope without its kind: the day of a digest, the command of a privacy
        confirmation, the meeting of a feedback request …"""
        return self.scope.removeprefix(self.prefix)


def _kinds(*kinds: Kind) -> frozenset[Kind]:
    return frozenset(kinds)


def _marks(*marks: str) -> frozenset[str]:
    return frozenset(marks)


TABLE: tuple[Row, ...] = (
    # The coordinator's word (resolving an item, registering by hand) is the authority.
    Row(When(marks=_marks(TOLD)), Workflow.AS_TOLD),
    Row(When(kinds=_kinds(Kind.BOUNCE)), Workflow.BOUNCE),
    Row(When(machine=True), Workflow.IGNORED),
    Row(When(token=DIGEST_SCOPE), Workflow.DIGEST_ANSWER),
    # "#3 kyllä" without the digest's token must not be read as someone's own yes.
    Row(
        When(marks=_marks(DIGEST_LINES)),
        Workflow.REFUSED,
        "answers to the digest (#N lines) without the digest's token: nothing changed",
    ),
    # Leaving always works, also as a reply to a mail that carries some other token.
    Row(When(command="unsubscribe"), Workflow.UNSUBSCRIBE),
    Row(When(token=commands.PRIVACY_SCOPE), Workflow.PRIVACY),
    Row(When(token=membership.JOIN_SCOPE), Workflow.JOINING),
    Row(When(token=feedback.FEEDBACK_SCOPE), Workflow.FEEDBACK),
    Row(When(command="join"), Workflow.JOIN_REQUEST),
    Row(When(marks=_marks(PLUS_JOIN)), Workflow.JOIN_REQUEST),
    Row(When(token=SUMMARY_SCOPE), Workflow.SUMMARY_CONFIRMED),
    Row(When(token=followups.SCOPE), Workflow.FOLLOWUP_REPLY),
    Row(When(token=INITIATIVE_SCOPE), Workflow.INITIATIVE_ACT),
    Row(When(kinds=_kinds(Kind.INITIATIVE)), Workflow.INITIATIVE_INTAKE),
    Row(When(marks=_marks(PLUS_INITIATIVE)), Workflow.INITIATIVE_INTAKE),
    Row(
        When(marks=_marks(INITIATIVE_ACTION)),
        Workflow.REFUSED,
        "an initiative #command without the token of a notification: nothing changed",
    ),
    Row(
        When(marks=_marks(FOLLOWUP_ACTION)),
        Workflow.REFUSED,
        "a follow-up #command without the token of a follow-up mail: nothing changed",
    ),
    Row(When(kinds=_kinds(Kind.SUMMARY), marks=_marks(MEETINGS)), Workflow.SUMMARY),
    Row(When(kinds=_kinds(Kind.COMMAND), marks=_marks(INTENT)), Workflow.COMMAND),
    Row(When(), Workflow.REPLY),
)


def marks(facts: Facts, seen: Classification, reply_text: str) -> frozenset[str]:
    """The facts about a message the table's rows can ask for."""
    found = set(facts.plus)
    if facts.told:
        found.add(TOLD)
    if facts.meetings:
        found.add(MEETINGS)
    if seen.intent is not None:
        found.add(INTENT)
    if read_answers(reply_text):
        found.add(DIGEST_LINES)
    if initiatives.has_action(reply_text):
        found.add(INITIATIVE_ACTION)
    if followups.has_action(reply_text):
        found.add(FOLLOWUP_ACTION)
    return frozenset(found)


def route(facts: Facts, seen: Classification, reply_text: str) -> Route:
    """The first row of TABLE that holds for the message."""
    present = marks(facts, seen, reply_text)
    command = seen.intent.command if seen.intent is not None else ""
    for row in TABLE:
        when = row.when
        if when.kinds and seen.kind not in when.kinds:
            continue
        if when.machine and not seen.kind.is_machine:
            continue
        if when.command and command != when.command:
            continue
        if not when.marks <= present:
            continue
        if when.token:
            token = next((t for t in facts.tokens if t.scope.startswith(when.token)), None)
            if token is None:
                continue
            return Route(row.workflow, token.scope, token.owner, when.token, row.reason)
        return Route(row.workflow, reason=row.reason)
    raise AssertionError("the table's last row holds for every message")
