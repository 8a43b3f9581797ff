"""The public calendar feed: every meeting, stable UIDs, no personal data.

METHOD:PUBLISH without ORGANIZER or ATTENDEE, so subscribing clients show the events and never
mail "accepted" notices anywhere (pretix learned this: pretix/pretix#3211).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from icalendar import Calendar, Event

from automation.model import Meeting
from automation.render.invites import PRODID, event_uid, vtimezone


def public_calendar(
    meetings: Sequence[Meeting],
    *,
    name: str,
    domain: str,
    stamp: datetime,
    summary: Callable[[Meeting], str],
    description: Callable[[Meeting], str],
    language: str,
) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    zones = {m.start.tzinfo for m in meetings}
    for zone in sorted(zones, key=str):
        cal.add_component(vtimezone(zone, min(m.start.year for m in meetings)))  # type: ignore[arg-type]
    for meeting in sorted(meetings, key=lambda m: m.start):
        event = Event()
        event.add("uid", event_uid(meeting.code, domain))
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.end)
        event.add("summary", summary(meeting))
        event.add("description", description(meeting))
        location = ", ".join(
            p for p in (meeting.text("place", language), meeting.text("address", language)) if p
        )
        if location:
            event.add("location", location)
        if meeting.online_url:
            event.add("url", meeting.online_url)
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        cal.add_component(event)
    return bytes(cal.to_ical())
