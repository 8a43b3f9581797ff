"""Bounces: score the failing address; at the threshold stop mailing it and tell the coordinator.

Pure. A permanent failure (5.x.x) scores 1, a temporary one (4.x.x that gave up) 0.5, a delay
or a positive report nothing. Bounces are never answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from automation.model import Decision, RecordBounce, SendMail
from automation.parse.bounce import Bounce


def decide_bounce(
    bounce: Bounce,
    addresses: Sequence[str],
    scores: Mapping[str, float],
    threshold: float,
    coordinator: str,
    language: str,
) -> Decision:
    if not addresses:
        return Decision((), f"bounce for no address of ours ({bounce.reason})")
    delayed = "delayed" in bounce.reason or "deliverable" in bounce.reason or "delivered" in bounce.reason
    points = 0.0 if delayed and not bounce.permanent else (1.0 if bounce.permanent else 0.5)
    effects: list[object] = []
    newly: list[str] = []
    for address in addresses:
        before = scores.get(address, 0.0)
        crossed = before < threshold <= before + points
        effects.append(RecordBounce(address, points, bounce.reason[:200], crossed))
        if crossed:
            newly.append(address)
    if newly and coordinator:
        effects.append(
            SendMail(
                template="undeliverable",
                recipient=coordinator,
                name="",
                language=language,
                purpose="undeliverable",
                meeting=None,
                revision="-".join(sorted(newly)),
                auto_submitted="auto-generated",
                reply_token=False,
                context={"addresses": newly, "reason": bounce.reason[:200]},
            )
        )
    summary = f"bounce for {', '.join(addresses)} ({bounce.reason}, +{points:g})"
    if newly:
        summary += f"; undeliverable now: {', '.join(newly)}"
    return Decision(tuple(effects), summary)  # type: ignore[arg-type]
