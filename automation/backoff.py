"""Exponential backoff for attempts a server keeps refusing (a login, our sender).

Shared by the SMTP side and, if it wants, the IMAP side: a directory account is locked out by a
few failed logins a minute, so after repeated refusals we try at most once per `cap`.
"""

from __future__ import annotations

from datetime import timedelta

FIRST = timedelta(minutes=1)
CAP = timedelta(minutes=15)


def backoff_delay(failures: int, first: timedelta = FIRST, cap: timedelta = CAP) -> timedelta:
    """The wait after the `failures`-th refusal in a row: first, 2×first, 4×first … up to cap."""
    if failures <= 0:
        return timedelta()
    return min(first * 2 ** min(failures - 1, 30), cap)
