"""Meetings shared by the pure tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from automation.model import Meeting

HKI = ZoneInfo("Europe/Helsinki")
MEETING = Meeting(
    code="2024-03",
    start=datetime(2024, 3, 12, 9, tzinfo=HKI),
    end=datetime(2024, 3, 12, 12, tzinfo=HKI),
    registration_deadline=datetime(2024, 2, 22, 23, 59, 59, tzinfo=HKI),
    place={"": "Kuntatalo"},
    address="",
    theme={"": "AI"},
    mode="onsite",
    online_url="",
    capacity=2,
)
AUTUMN = replace(
    MEETING,
    code="2024-09",
    start=datetime(2024, 9, 17, 9, tzinfo=HKI),
    end=datetime(2024, 9, 17, 12, tzinfo=HKI),
    registration_deadline=datetime(2024, 9, 1, 23, 59, tzinfo=HKI),
)
