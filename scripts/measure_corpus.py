"""Classify every message of a labelled corpus with `automation inspect`'s classifier and print,
per expected category, how many were classified as expected.

    python scripts/measure_corpus.py [CORPUS_DIR]      (default: ../shared/corpus)

Not a test: the corpus belongs to another repository and is measured, not copied.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from automation.model import Kind
from automation.parse.classify import classify
from automation.parse.message import parse_message

# Our kinds that count as each corpus category. A person's reply that says neither yes nor no
# is `unknown` for us; malformed mail only has to survive, so any kind counts.
HUMAN = {
    Kind.REGISTRATION,
    Kind.CANCELLATION,
    Kind.UNKNOWN,
    Kind.INITIATIVE,
    Kind.SUMMARY,
    Kind.COMMAND,
}
ACCEPTED: dict[str, set[Kind]] = {
    "human-reply": HUMAN,
    "other": HUMAN,
    "auto-reply": {Kind.AUTO_REPLY},
    "bounce": {Kind.BOUNCE},
    "imip-reply": {Kind.CALENDAR_REPLY},
    "list-or-bulk": {Kind.BULK},
    "malformed": set(Kind),
}


def main() -> int:
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    misses: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    for relative, label in sorted(expected.items()):
        category = label["category"]
        raw = (corpus / relative).read_bytes()
        result = classify(parse_message(raw), own_address="verkosto@example.org")
        totals[category] += 1
        if result.kind in ACCEPTED[category]:
            right[category] += 1
        else:
            misses[category].append(f"{Path(relative).name}: {result.kind} ({result.reason})")
    elapsed = time.perf_counter() - started
    print(f"{'category':<14} {'expected':>8} {'as expected':>12}")
    for category in sorted(totals):
        print(f"{category:<14} {totals[category]:>8} {right[category]:>12}")
    print(
        f"{'total':<14} {sum(totals.values()):>8} {sum(right.values()):>12}"
        f"   ({elapsed * 1000:.0f} ms for all)"
    )
    for category, lines in sorted(misses.items()):
        for line in lines:
            print(f"  miss [{category}] {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
