"""iCalendar parts of received mail → what an iMIP REPLY says (RFC 5546 §3.2.3, RFC 6047).

Only UID, ATTENDEE, PARTSTAT, SEQUENCE and COMMENT are read: times in replies are never
trusted (Outlook writes Windows zone names), and ORGANIZER is optional in Exchange replies.
"""

from __future__ import annotations

from icalendar import Calendar

from automation.model import CalendarReply


def parse_calendar(payload: bytes) -> tuple[str, CalendarReply | None]:
    """(METHOD, the reply if it is one). Unparseable calendar data gives ("", None)."""
    try:
        calendar = Calendar.from_ical(payload)
    except Exception:  # noqa: BLE001 - icalendar raises many types on broken input
        return "", None
    method = str(calendar.get("METHOD", "")).upper()
    if method not in ("REPLY", "COUNTER", "REFRESH"):
        return method, None
    for event in calendar.walk("VEVENT"):
        attendees = event.get("ATTENDEE")
        if attendees is None:
            # Still a reply (it must never be answered as a human message); matching will fail
            # and show it to the coordinator.
            return method, CalendarReply(method, str(event.get("UID", "")), "", "", 0)
        if not isinstance(attendees, list):
            attendees = [attendees]
        # Several ATTENDEE lines happen (delegation); the caller picks the invited one.
        first = attendees[0]
        partstat = str(first.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
        return method, CalendarReply(
            method=method,
            uid=str(event.get("UID", "")),
            attendee=_mailto(str(first)),
            partstat=partstat,
            sequence=_int(event.get("SEQUENCE", 0)),
            comment=str(event.get("COMMENT", ""))[:2000],
        )
    return method, None


def _mailto(value: str) -> str:
    value = value.strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    return value.strip().lower()


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0
