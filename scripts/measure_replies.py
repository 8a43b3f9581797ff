#!/usr/bin/env python3
"""Measure the current reply reader on the hand-labelled set in tests/replies/.

Usage: measure_replies.py [--json FILE] [--show-errors] [--dir DIR] [--ids odd|even|all]

`--ids odd` or `--ids even` measures only the replies whose id number is odd or even
("hfi-001" is odd). The held-out set is split so: the odd half may be studied while the reader
is improved, the even half is measured once at the end, unseen, for an honest figure.

Each reply becomes a real email (From, To verkosto@example.org, a language-specific "Re:" subject,
the text as a text/plain UTF-8 body) and goes through `parse_message` and `classify`, exactly as
the daemon reads mail. The kind is mapped to yes / no / maybe / other; a `companions` reply counts
as right when the kind is yes and, if the reader exposes companions, the names match.

It is a measurement: it exits 0 whatever the accuracy. Only a missing or unreadable set is an
error (one line on stderr, exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LANGUAGES = ("fi", "sv", "en")
ANSWERS = ("yes", "no", "maybe", "companions", "other")
READ = ("yes", "no", "maybe", "other")
OWN = "verkosto@example.org"
SUBJECTS = {
    "fi": "Re: Kutsu: verkoston tapaaminen 12.3.2024",
    "sv": "SV: Inbjudan: nätverksträff 12.3.2024",
    "en": "Re: Invitation: network meeting 12.3.2024",
}
DOMAINS = {"fi": "kunta.example.fi", "sv": "kommun.example.fi", "en": "university.example.fi"}


@dataclass
class Outcome:
    id: str
    language: str
    expected: str
    read: str
    kind: str
    right: bool
    reason: str = ""
    evidence: str = ""
    companions_read: list[str] | None = None
    names_note: str = ""
    sender: str = "yes"  # for companions: the sender's own answer ("no" when they send others)
    extra: dict[str, Any] = field(default_factory=dict)
    questions_wanted: int = 0  # questions the label says the coordinator must get
    questions_passed: int = 0  # of those, how many the reader passed on
    standin_wanted: bool = False
    standin_named: bool = False  # the stand-in's name was read (so the sender is told, not them registered)

    @property
    def wrong_act(self) -> bool:
        """Registered or cancelled against the reply: far worse than asking back."""
        wanted = self.sender if self.expected == "companions" else self.expected
        return self.read in ("yes", "no") and self.read != wanted


def load(directory: Path) -> list[dict[str, Any]]:
    replies: list[dict[str, Any]] = []
    missing = [
        str(directory / f"{lang}.jsonl") for lang in LANGUAGES if not (directory / f"{lang}.jsonl").is_file()
    ]
    if missing:
        raise FileNotFoundError(f"reply set missing: {', '.join(missing)}")
    for lang in LANGUAGES:
        path = directory / f"{lang}.jsonl"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            item["_language"] = lang
            replies.append(item)
    return replies


def id_number(item_id: str) -> int:
    """ "hfi-007" → 7: the number after the last hyphen."""
    digits = item_id.rsplit("-", 1)[-1]
    if not digits.isdigit():
        raise ValueError(f"id {item_id!r} does not end in a number")
    return int(digits)


def select(replies: list[dict[str, Any]], ids: str) -> list[dict[str, Any]]:
    """All replies, or the half whose id number is odd or even."""
    if ids == "all":
        return replies
    parity = 1 if ids == "odd" else 0
    return [item for item in replies if id_number(item["id"]) % 2 == parity]


def build_email(item: dict[str, Any], number: int) -> bytes:
    lang = item["_language"]
    msg = EmailMessage()
    local = item["id"].replace("-", ".")
    msg["From"] = f"Vastaaja {number} <{local}@{DOMAINS[lang]}>"
    msg["To"] = f"Verkosto <{OWN}>"
    msg["Subject"] = SUBJECTS[lang]
    msg["Date"] = format_datetime(datetime(2024, 2, 14, 9, 0, number % 60, tzinfo=UTC))
    msg["Message-ID"] = make_msgid(idstring=item["id"], domain=DOMAINS[lang])
    msg["In-Reply-To"] = "<invitation-2024-03-12@example.org>"
    msg["References"] = "<invitation-2024-03-12@example.org>"
    msg.set_content(item["text"], subtype="plain", charset="utf-8")
    return msg.as_bytes()


def _kind_to_answer(kind: Any) -> str:
    from automation.model import Kind

    if kind == Kind.REGISTRATION:
        return "yes"
    if kind == Kind.CANCELLATION:
        return "no"
    tentative = getattr(Kind, "TENTATIVE", None)
    if tentative is not None and kind == tentative:
        return "maybe"
    return "other"


def _companions_of(classification: Any) -> list[str] | None:
    """Names of companions if the reader exposes them anywhere; None when it does not."""
    intent = getattr(classification, "intent", None)
    holders = [classification, intent, getattr(intent, "details", None)]
    for holder in holders:
        if holder is None or not hasattr(holder, "companions"):
            continue
        names = []
        for companion in holder.companions or ():
            if isinstance(companion, dict):
                name = companion.get("name", "")
            elif isinstance(companion, (tuple, list)):
                name = companion[0] if companion else ""
            else:
                name = getattr(companion, "name", str(companion))
            names.append(str(name))
        return names
    return None


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


def read_one(item: dict[str, Any], number: int) -> Outcome:
    from automation.parse.classify import classify
    from automation.parse.message import parse_message

    raw = build_email(item, number)
    expected = item["answer"]
    try:
        classification = classify(parse_message(raw), OWN)
    except Exception as exc:  # noqa: BLE001 - a crash is a misread, the measurement goes on
        return Outcome(item["id"], item["_language"], expected, "other", "crash", False, f"{exc!r}")
    read = _kind_to_answer(classification.kind)
    intent = getattr(classification, "intent", None)
    evidence = getattr(intent, "evidence", "") if intent is not None else ""
    outcome = Outcome(
        item["id"],
        item["_language"],
        expected,
        read,
        str(getattr(classification.kind, "value", classification.kind)),
        False,
        getattr(classification, "reason", ""),
        evidence,
    )
    asked = [_norm(q) for q in getattr(intent, "questions", ()) or ()]
    outcome.questions_wanted = len(item.get("questions", []))
    outcome.questions_passed = sum(
        any(_norm(q) in got or got in _norm(q) for got in asked if got) for q in item.get("questions", [])
    )
    if item.get("standin"):
        outcome.standin_wanted = True
        named = {_norm(n) for n in _companions_of(classification) or []}
        outcome.standin_named = _norm(item["standin"]["name"]) in named
    if expected == "companions":
        outcome.sender = item.get("sender", "yes")
        names = _companions_of(classification)
        outcome.companions_read = names
        # "I can't, but my colleague X comes" is a no for the sender and a yes for X: such
        # items say so with "sender": "no"; otherwise the sender comes too.
        if read != outcome.sender:
            outcome.right = False
        elif names is None:
            outcome.right = True
            outcome.names_note = "yes-part right, names not read"
        else:
            want = {_norm(c["name"]) for c in item.get("companions", [])}
            outcome.right = want == {_norm(n) for n in names}
            outcome.names_note = "names match" if outcome.right else "names differ"
            if not outcome.right:
                outcome.names_note = f"names differ; read {names or 'none'}"
    else:
        outcome.right = read == expected
    return outcome


def _ratio(right: int, total: int) -> float:
    return round(right / total, 4) if total else 0.0


def measure(replies: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Outcome]]:
    started = time.perf_counter()
    outcomes = [read_one(item, number) for number, item in enumerate(replies, 1)]
    elapsed = time.perf_counter() - started
    right = sum(o.right for o in outcomes)
    per_language = {}
    for lang in LANGUAGES:
        group = [o for o in outcomes if o.language == lang]
        ok = sum(o.right for o in group)
        per_language[lang] = {"total": len(group), "right": ok, "accuracy": _ratio(ok, len(group))}
    per_answer = {}
    for answer in ANSWERS:
        group = [o for o in outcomes if o.expected == answer]
        ok = sum(o.right for o in group)
        per_answer[answer] = {"total": len(group), "right": ok, "accuracy": _ratio(ok, len(group))}
    matrix = {row: {col: 0 for col in READ} for row in ANSWERS}
    for o in outcomes:
        matrix[o.expected][o.read] += 1
    comp = [o for o in outcomes if o.expected == "companions"]
    report = {
        "total": len(outcomes),
        "right": right,
        "accuracy": _ratio(right, len(outcomes)),
        "per_language": per_language,
        "per_answer": per_answer,
        "confusion": {"rows": list(ANSWERS), "columns": list(READ), "matrix": matrix},
        "companions": {
            "total": len(comp),
            "read_as_yes": sum(o.read == "yes" for o in comp),
            "read_as": {col: sum(o.read == col for o in comp) for col in READ},
            "names_not_read": sum(o.names_note == "yes-part right, names not read" for o in comp),
            "names_match": sum(o.names_note == "names match" for o in comp),
            "names_differ": sum(o.names_note.startswith("names differ") for o in comp),
            "names_exposed": any(o.companions_read is not None for o in comp),
        },
        "wrong_acts": sum(o.wrong_act for o in outcomes),
        "questions": {
            "wanted": sum(o.questions_wanted for o in outcomes),
            "passed_on": sum(o.questions_passed for o in outcomes),
        },
        "standins": {
            "wanted": sum(o.standin_wanted for o in outcomes),
            "named": sum(o.standin_named for o in outcomes),
        },
        "critical": {
            "yes_read_as_no": matrix["yes"]["no"] + sum(o.read == "no" for o in comp if o.sender == "yes"),
            "no_read_as_yes": matrix["no"]["yes"] + sum(o.read == "yes" for o in comp if o.sender == "no"),
            "maybe_read_as_yes": matrix["maybe"]["yes"],
        },
        "seconds": round(elapsed, 4),
        "replies_per_second": round(len(outcomes) / elapsed, 1) if elapsed > 0 else 0.0,
        "errors": [
            {
                "id": o.id,
                "expected": o.expected,
                "read": o.read,
                "kind": o.kind,
                "reason": o.reason,
                "evidence": o.evidence,
                **({"names": o.names_note} if o.names_note else {}),
                **({"wrong_act": True} if o.wrong_act else {}),
            }
            for o in outcomes
            if not o.right
        ],
    }
    return report, outcomes


def print_report(report: dict[str, Any], show_errors: bool) -> None:
    print(
        f"Reply set: {report['total']} replies; reader right on {report['right']} ({report['accuracy']:.1%})"
    )
    print()
    print("Per language:")
    for lang, fig in report["per_language"].items():
        print(f"  {lang}  {fig['right']:4d}/{fig['total']:<4d} {fig['accuracy']:7.1%}")
    print("Per answer:")
    for answer, fig in report["per_answer"].items():
        print(f"  {answer:<10s} {fig['right']:4d}/{fig['total']:<4d} {fig['accuracy']:7.1%}")
    print()
    print("Confusion (rows expected, columns read):")
    cols = report["confusion"]["columns"]
    print("  " + " " * 11 + "".join(f"{c:>7s}" for c in cols))
    for row in report["confusion"]["rows"]:
        cells = report["confusion"]["matrix"][row]
        print(f"  {row:<11s}" + "".join(f"{cells[c]:7d}" for c in cols))
    comp = report["companions"]
    print()
    # Each reading is named as what it was ("other" is no "no"): a companion reply read as other
    # was not understood at all, one read as no says the sender sends others.
    meaning = {"yes": " (the sender comes too)", "no": " (the sender sends others)"}
    read_as = [
        f"{count} as {col}{meaning.get(col, '')}"
        for col, count in comp["read_as"].items()
        if count and col != "yes"
    ]
    print(
        f"Companions: {comp['read_as_yes']}/{comp['total']} read as yes{meaning['yes']}"
        + "".join(f", {part}" for part in read_as)
        + f"; names not read {comp['names_not_read']}, match {comp['names_match']}, "
        f"differ {comp['names_differ']}"
    )
    crit = report["critical"]
    print(
        f"Critical: yes→no {crit['yes_read_as_no']}, no→yes {crit['no_read_as_yes']}, "
        f"maybe→yes {crit['maybe_read_as_yes']}"
    )
    print(f"Wrongly acted on (registered or cancelled against the reply): {report['wrong_acts']}")
    q, st = report["questions"], report["standins"]
    print(
        f"Questions passed on to the coordinator: {q['passed_on']}/{q['wanted']}; "
        f"stand-ins named: {st['named']}/{st['wanted']}"
    )
    print(f"Speed: {report['replies_per_second']} replies/s ({report['seconds']} s for {report['total']})")
    if show_errors:
        print()
        print(f"Misread ({len(report['errors'])}):")
        for err in report["errors"]:
            why = err["reason"] or err["kind"]
            if err["evidence"] and err["evidence"] not in why:
                why = f"{why} {err['evidence']}"
            note = f" [{err['names']}]" if "names" in err else ""
            print(f"  {err['id']:<8s} expected {err['expected']:<10s} read {err['read']:<6s} {why}{note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--json", metavar="FILE", help="also write the figures as JSON to FILE ('-' = stdout)"
    )
    parser.add_argument("--show-errors", action="store_true", help="list misread replies")
    parser.add_argument("--dir", type=Path, default=ROOT / "tests" / "replies", help="directory of the set")
    parser.add_argument(
        "--ids",
        choices=("all", "odd", "even"),
        default="all",
        help="measure only the replies whose id number is odd or even (a development / test split)",
    )
    args = parser.parse_args(argv)
    try:
        replies = select(load(args.dir), args.ids)
    except (OSError, ValueError) as exc:
        print(f"measure_replies: {exc}", file=sys.stderr)
        return 2
    report, _ = measure(replies)
    if args.json == "-":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report, args.show_errors)
        if args.json:
            Path(args.json).write_text(
                json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
