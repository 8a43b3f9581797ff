"""The routing table: which workflow decides, from the gathered facts alone. No database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from automation.model import Classification, Intent, Kind
from automation.workflows.routing import (
    PLUS_INITIATIVE,
    PLUS_JOIN,
    TABLE,
    Facts,
    Token,
    Workflow,
    route,
)

PERSON = "maija@example.fi"
COORDINATOR = "koordinaattori@example.fi"


def seen(kind: Kind = Kind.REGISTRATION, command: str | None = None) -> Classification:
    intent = Intent(kind, "fi", command=command) if command is not None else Intent(kind, "fi")
    return Classification(kind, "test", "fi", intent)


def token(scope: str, owner: str = PERSON) -> Token:
    return Token(scope, owner)


def facts(
    *tokens: Token, plus: frozenset[str] = frozenset(), meetings: bool = True, told: bool = False
) -> Facts:
    return Facts(tuple(tokens), plus, meetings, told)


@pytest.mark.parametrize(
    ("given", "reading", "text", "expected"),
    [
        # a person's answer about a meeting, with or without the invitation's token
        (facts(), seen(Kind.REGISTRATION), "Tulen", Workflow.REPLY),
        (facts(token("2024-03")), seen(Kind.CANCELLATION), "En pääse", Workflow.REPLY),
        (facts(token("2024-03")), seen(Kind.CALENDAR_REPLY), "", Workflow.REPLY),
        (facts(), Classification(Kind.UNKNOWN, "?"), "Hmm", Workflow.REPLY),
        # machines: a bounce is read, the rest never answered, whatever token they carry
        (facts(token("digest:2024-02-14", COORDINATOR)), seen(Kind.BOUNCE), "", Workflow.BOUNCE),
        (facts(token("2024-03")), seen(Kind.AUTO_REPLY), "#3 kyllä", Workflow.IGNORED),
        (facts(), seen(Kind.BULK), "", Workflow.IGNORED),
        # the coordinator's word comes before everything, machines included
        (facts(told=True), seen(Kind.AUTO_REPLY), "", Workflow.AS_TOLD),
        (facts(token("digest:2024-02-14"), told=True), seen(), "#3 kyllä", Workflow.AS_TOLD),
        # the digest
        (
            facts(token("digest:2024-02-14", COORDINATOR)),
            seen(Kind.UNKNOWN),
            "#3 kyllä",
            Workflow.DIGEST_ANSWER,
        ),
        (facts(), seen(Kind.UNKNOWN), "#3 kyllä", Workflow.REFUSED),
        # leaving works through any token, and before the privacy token's own answer
        (facts(token("2024-03")), seen(Kind.COMMAND, "unsubscribe"), "", Workflow.UNSUBSCRIBE),
        (facts(token("privacy:erase")), seen(Kind.COMMAND, "unsubscribe"), "", Workflow.UNSUBSCRIBE),
        (facts(token("privacy:erase")), seen(Kind.REGISTRATION), "Kyllä", Workflow.PRIVACY),
        (facts(token("join:2024")), seen(Kind.REGISTRATION), "Hyväksyn", Workflow.JOINING),
        (facts(token("feedback:2024-03")), seen(Kind.UNKNOWN), "4/5", Workflow.FEEDBACK),
        # joining: asked in words or by writing to the +liity address
        (facts(), seen(Kind.COMMAND, "join"), "", Workflow.JOIN_REQUEST),
        (facts(plus=frozenset({PLUS_JOIN})), seen(Kind.UNKNOWN), "", Workflow.JOIN_REQUEST),
        # submissions
        (facts(token("summary:2024-03:fi", COORDINATOR)), seen(), "Kyllä", Workflow.SUMMARY_CONFIRMED),
        (facts(token("followup:2024-03")), seen(Kind.UNKNOWN), "#tehty 2", Workflow.FOLLOWUP_REPLY),
        (
            facts(token("initiative:VERK-2024-001")),
            seen(Kind.UNKNOWN),
            "#valmisteluun",
            Workflow.INITIATIVE_ACT,
        ),
        (facts(token("initiative:digest")), seen(Kind.UNKNOWN), "#valmisteluun", Workflow.INITIATIVE_ACT),
        (facts(), seen(Kind.INITIATIVE), "Ehdotan", Workflow.INITIATIVE_INTAKE),
        (facts(plus=frozenset({PLUS_INITIATIVE})), seen(Kind.UNKNOWN), "", Workflow.INITIATIVE_INTAKE),
        (facts(), seen(Kind.UNKNOWN), "#valmisteluun", Workflow.REFUSED),
        (facts(), seen(Kind.UNKNOWN), "#tehty 2", Workflow.REFUSED),
        (facts(), seen(Kind.SUMMARY), "# Muistio", Workflow.SUMMARY),
        # a summary with no meeting configured is a person's message like any other
        (facts(meetings=False), seen(Kind.SUMMARY), "# Muistio", Workflow.REPLY),
        (facts(), seen(Kind.COMMAND, "export"), "", Workflow.COMMAND),
        (facts(), Classification(Kind.COMMAND, "no intent"), "", Workflow.REPLY),
    ],
)
def test_the_table_names_the_workflow(
    given: Facts, reading: Classification, text: str, expected: Workflow
) -> None:
    assert route(given, reading, text).workflow == expected


def test_a_token_route_carries_the_tokens_scope_and_owner() -> None:
    chosen = route(facts(token("digest:2024-02-14", COORDINATOR)), seen(Kind.UNKNOWN), "#1 kyllä")
    assert (chosen.about, chosen.owner) == ("2024-02-14", COORDINATOR)
    # an initiative's scope keeps its kind: the workflow reads the reference out of it
    chosen = route(facts(token("initiative:VERK-2024-001")), seen(Kind.UNKNOWN), "#valmisteluun")
    assert chosen.scope == "initiative:VERK-2024-001"


def test_the_first_token_of_a_kind_wins_and_unrelated_tokens_do_not_count() -> None:
    given = facts(token("2024-03"), token("privacy:export", "a@x.fi"), token("privacy:erase", "b@x.fi"))
    chosen = route(given, seen(Kind.REGISTRATION), "Kyllä")
    assert (chosen.workflow, chosen.about, chosen.owner) == (Workflow.PRIVACY, "export", "a@x.fi")


def test_a_scoped_token_outranks_what_the_mail_says_it_is() -> None:
    """A reply to the digest that the reader takes for an initiative is still the digest's."""
    given = facts(token("digest:2024-02-14", COORDINATOR), plus=frozenset({PLUS_INITIATIVE}))
    assert route(given, seen(Kind.INITIATIVE), "#1 kyllä").workflow == Workflow.DIGEST_ANSWER


def test_refusals_say_why_and_every_row_is_reachable() -> None:
    assert "digest's token" in route(facts(), seen(Kind.UNKNOWN), "#3 kyllä").reason
    assert {row.workflow for row in TABLE} == set(Workflow)


def test_the_table_imports_no_shell() -> None:
    """workflows/ is below the shell: routing must not reach the store, the mailbox or a job."""
    shell = {"app", "service", "intake", "facts", "desk", "submissions", "people", "jobs", "outbox"}
    folder = Path(__file__).resolve().parent.parent / "automation" / "workflows"
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                assert not (
                    parts[0] == "automation"
                    and len(parts) > 1
                    and parts[1] in shell | {"inbox", "transports"}
                ), f"{path.name} imports {name}"
