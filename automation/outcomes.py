"""What a pass over the mailbox did, message by message: logged, counted, the first few kept."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from automation.model import SHOWN

log = logging.getLogger("automation.service")


@dataclass(frozen=True)
class Outcome:
    ref: str
    sender: str
    kind: str
    summary: str
    attention: bool
    duplicate: bool = False
    # Attention items this message settled (a reply to the digest): their messages are moved
    # from the attention folder once the transaction committed.
    settled: tuple[str, ...] = ()


@dataclass
class Outcomes:
    """What a pass did, message by message: each logged as it happens, all counted, the first
    SHOWN kept for the run summary. A backlog of 50,000 messages must not hold 50,000 summaries
    in memory; the register and `automation attention` have what matters of the rest."""

    shown: list[Outcome] = field(default_factory=list)
    count: int = 0  # duplicates included
    new: Counter[str] = field(default_factory=Counter)  # new messages by kind
    attention: int = 0

    def add(self, outcome: Outcome) -> None:
        log.info("%s %s: %s", outcome.kind, outcome.sender, outcome.summary)
        self.count += 1
        if not outcome.duplicate:
            self.new[outcome.kind] += 1
            self.attention += outcome.attention
        if len(self.shown) < SHOWN:
            self.shown.append(outcome)

    def __bool__(self) -> bool:
        return self.count > 0
