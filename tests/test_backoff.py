"""The login/sender backoff (issue 17, item 10): doubling, then at most one attempt per 15 min."""

from __future__ import annotations

from datetime import timedelta

from automation.backoff import backoff_delay


def test_backoff_doubles_then_caps_at_fifteen_minutes() -> None:
    delays = [backoff_delay(n) for n in range(1, 8)]
    assert delays[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert delays[4:] == [timedelta(minutes=15)] * 3
    assert backoff_delay(10_000) == timedelta(minutes=15)  # no overflow after days of refusals
    assert backoff_delay(0) == timedelta()
