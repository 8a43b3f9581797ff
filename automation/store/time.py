"""Timestamps as stored: ISO 8601 with the offset, to the second."""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
