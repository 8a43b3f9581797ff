"""calendar_bytes: round trip through icalendar, then independent readers (libical's iTIP check,
ical.js's time zone arithmetic), then our own byte-level asserts for what no validator catches
(calendar-and-mail-conventions.md B and C). libical and ical.js must be installed: a missing
validator fails these tests (see tests/validators.py), it never skips them."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event
from validators import icaljs_start_utc, libical_errors

from automation.model import Meeting
from automation.render.invites import Attendee, calendar_bytes, event_uid

HKI = ZoneInfo("Europe/Helsinki")
NETWORK = "verkosto@example.org"
DOMAIN = "example.org"
ORJAN = Attendee(email="orjan.astrom@example.fi", name="Örjan Åström", language="sv")
# A comma forces a quoted CN, the double quote needs RFC 6868 escaping (^'), ä/ö are multi-octet.
CHAIR = Attendee(email="paivi@example.fi", name='Äimälä, Päivi "PJ"', role="CHAIR", language="fi")
DESCRIPTION = "Tervetuloa, välkommen!\nOhjelma: tekoäly; kahvi klo 8.30."
STAMP = datetime(2024, 2, 14, 10, 15, tzinfo=HKI)

WINTER = Meeting(
    code="2024-03",
    start=datetime(2024, 3, 12, 9, tzinfo=HKI),
    end=datetime(2024, 3, 12, 12, tzinfo=HKI),
    registration_deadline=datetime(2024, 2, 22, 23, 59, 59, tzinfo=HKI),
    place={"fi": "Kuntatalo", "sv": "Kommunhuset"},
    address="Toinen linja 14, Helsinki",
    theme={"fi": "Tekoäly opetuksessa", "sv": "AI i undervisningen"},
    mode="hybrid",
    online_url="https://meet.example.fi/verkosto-2024-03?pwd=a,b;c",
    capacity=40,
)


def on_day(year: int, month: int, day: int) -> Meeting:
    start = datetime(year, month, day, 9, tzinfo=HKI)
    return replace(WINTER, code=start.strftime("%Y-%m"), start=start, end=start + timedelta(hours=3))


def render(
    meeting: Meeting = WINTER,
    *,
    method: str = "REQUEST",
    sequence: int = 0,
    attendee: Attendee = ORJAN,
    memo: dict[object, object] | None = None,
) -> bytes:
    return calendar_bytes(
        meeting,
        method=method,
        sequence=sequence,
        attendee=attendee,
        organizer=NETWORK,
        organizer_name="Verkosto, sihteeristö",
        summary="Verkostotapaaminen: tekoäly, osa 2",
        description=DESCRIPTION,
        location="Kuntatalo, Toinen linja 14, Helsinki",
        stamp=STAMP,
        domain=DOMAIN,
        memo=memo,
    )


def only_event(ics: bytes) -> tuple[Calendar, Event]:
    cal = Calendar.from_ical(ics)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return cal, events[0]


# ---- round trip through icalendar ---------------------------------------------------------------


def test_request_round_trip() -> None:
    cal, event = only_event(render())
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal["VERSION"]) == "2.0"
    assert str(event["UID"]) == event_uid("2024-03", DOMAIN) == "meeting-2024-03@example.org"
    assert event.decoded("SEQUENCE") == 0
    start = event.decoded("DTSTART")
    assert start == datetime(2024, 3, 12, 7, tzinfo=UTC)
    assert start.utcoffset() == timedelta(hours=2)  # EET: DST begins only on 31.3.2024
    assert event.decoded("DTEND") == datetime(2024, 3, 12, 10, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == STAMP
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == DESCRIPTION
    assert str(event["LOCATION"]) == "Kuntatalo, Toinen linja 14, Helsinki"
    assert str(event["URL"]) == WINTER.online_url

    organizer = event["ORGANIZER"]
    assert str(organizer) == f"mailto:{NETWORK}"
    assert organizer.params["CN"] == "Verkosto, sihteeristö"

    attendee = event["ATTENDEE"]
    assert not isinstance(attendee, list), "one attendee per message"
    assert str(attendee) == "mailto:orjan.astrom@example.fi"
    assert attendee.params["CN"] == "Örjan Åström"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["CUTYPE"] == "INDIVIDUAL"
    assert attendee.params["LANGUAGE"] == "sv"


def test_chair_with_comma_and_quote_in_name_round_trips() -> None:
    _, event = only_event(render(attendee=CHAIR))
    attendee = event["ATTENDEE"]
    assert attendee.params["CN"] == 'Äimälä, Päivi "PJ"'
    assert attendee.params["ROLE"] == "CHAIR"
    assert attendee.params["RSVP"] == "TRUE"
    assert str(attendee) == "mailto:paivi@example.fi"


def test_update_keeps_uid_and_raises_sequence() -> None:
    _, first = only_event(render())
    cal, update = only_event(render(on_day(2024, 3, 12), sequence=1))
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(update["UID"]) == str(first["UID"])
    assert update.decoded("SEQUENCE") == 1


def test_cancel_keeps_uid_and_is_cancelled() -> None:
    _, request = only_event(render())
    cal, cancel = only_event(render(method="CANCEL", sequence=1))
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(cancel["UID"]) == str(request["UID"])
    assert str(cancel["STATUS"]) == "CANCELLED"
    assert cancel.decoded("SEQUENCE") == 1
    assert str(cancel["ORGANIZER"]) == f"mailto:{NETWORK}"
    assert str(cancel["ATTENDEE"]) == "mailto:orjan.astrom@example.fi"
    assert cancel.decoded("DTSTART") == datetime(2024, 3, 12, 7, tzinfo=UTC)


# ---- libical: parser errors and RFC 5546 iTIP restrictions for the METHOD ---------------------

VARIANTS = {
    "request": {"method": "REQUEST", "sequence": 0},
    "update": {"method": "REQUEST", "sequence": 1},
    "cancel": {"method": "CANCEL", "sequence": 2},
    "summer-chair": {"method": "REQUEST", "sequence": 0, "attendee": CHAIR, "meeting": on_day(2024, 4, 15)},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_libical_reports_no_errors(variant: str) -> None:
    assert libical_errors(render(**VARIANTS[variant])) == []  # type: ignore[arg-type]


def test_libical_is_alive() -> None:
    """The validator really checks: an invite without ORGANIZER breaks the iTIP rules."""
    broken = re.sub(rb"ORGANIZER[^\r]*\r\n", b"", render())
    errors = libical_errors(broken)
    assert any("ORGANIZER" in e and "INVALID-ITIP" in e for e in errors), errors


# ---- ical.js: UTC start computed from the embedded VTIMEZONE ------------------------------------


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        ((2024, 3, 12), "2024-03-12T07:00:00.000Z"),  # winter, EET +02
        ((2024, 3, 31), "2024-03-31T06:00:00.000Z"),  # first summer day (switch 01:00Z that night)
        ((2024, 4, 15), "2024-04-15T06:00:00.000Z"),  # summer, EEST +03 (the RDATE-list bug: 07:00Z)
        ((2024, 10, 27), "2024-10-27T07:00:00.000Z"),  # switch back at 01:00Z that morning
        ((2024, 10, 28), "2024-10-28T07:00:00.000Z"),  # after the switch back
        ((2030, 7, 1), "2030-07-01T06:00:00.000Z"),  # RRULE, not a list ending in some year
    ],
)
def test_icaljs_reads_intended_utc_start(day: tuple[int, int, int], utc: str) -> None:
    assert icaljs_start_utc(render(on_day(*day))) == utc


def test_icaljs_uses_the_embedded_vtimezone() -> None:
    """Renaming the TZID everywhere leaves ical.js only our VTIMEZONE to go by."""
    renamed = render(on_day(2024, 4, 15)).replace(b"Europe/Helsinki", b"X-Verkosto/Test-Zone")
    assert icaljs_start_utc(renamed) == "2024-04-15T06:00:00.000Z"


def test_icaljs_is_alive() -> None:
    """Without the VTIMEZONE, ical.js would fall back to floating time: the helper refuses."""
    broken = re.sub(rb"BEGIN:VTIMEZONE\r\n.*END:VTIMEZONE\r\n", b"", render(), flags=re.DOTALL)
    with pytest.raises(AssertionError, match="floating"):
        icaljs_start_utc(broken)


# ---- our own asserts: what none of the validators catches ---------------------------------------

PARTSTATS_VEVENT = {"NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE", "DELEGATED"}  # RFC 5545 3.2.12
PARAM = re.compile(r';([A-Za-z0-9-]+)=((?:"[^"]*"|[^;:,"]*)(?:,(?:"[^"]*"|[^;:,"]*))*)')


def content_lines(ics: bytes) -> list[tuple[str, dict[str, list[str]], str]]:
    """(NAME, {PARAM: [values]}, value) per unfolded content line, straight from the bytes."""
    text = ics.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    lines = []
    for line in text.split("\r\n")[:-1]:
        name = re.match(r"[A-Za-z0-9-]+", line)
        assert name, line
        rest = line[name.end() :]
        params: dict[str, list[str]] = {}
        while rest.startswith(";"):
            param = PARAM.match(rest)
            assert param, line
            params[param[1].upper()] = [v.strip('"') for v in re.findall(r'"[^"]*"|[^,]+', param[2])]
            rest = rest[param.end() :]
        assert rest.startswith(":"), line
        lines.append((name[0].upper(), params, rest[1:]))
    return lines


ALL_VARIANTS = [render(**v) for v in VARIANTS.values()]  # type: ignore[arg-type]


@pytest.mark.parametrize("ics", ALL_VARIANTS, ids=list(VARIANTS))
def test_every_line_ends_with_crlf_and_fits_75_octets(ics: bytes) -> None:
    assert ics.endswith(b"END:VCALENDAR\r\n")
    lines = ics.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a multi-octet character


@pytest.mark.parametrize("ics", ALL_VARIANTS, ids=list(VARIANTS))
def test_every_tzid_has_an_rrule_vtimezone(ics: bytes) -> None:
    lines = content_lines(ics)
    used = {tzid for _, params, _ in lines for tzid in params.get("TZID", [])}
    defined = {value for name, _, value in lines if name == "TZID"}
    assert used == {"Europe/Helsinki"}
    assert used <= defined
    # The RRULE form, not icalendar's RDATE list (misread by ical.js/vobject) nor its COMMENT
    # (not allowed in VTIMEZONE): conventions B.
    plain = [(name, value) for name, _, value in lines]
    zone = plain[plain.index(("BEGIN", "VTIMEZONE")) : plain.index(("END", "VTIMEZONE"))]
    names = [name for name, _ in zone]
    assert "RDATE" not in names and "COMMENT" not in names
    assert names.count("RRULE") == 2


@pytest.mark.parametrize("ics", ALL_VARIANTS, ids=list(VARIANTS))
def test_addresses_partstat_and_dtstamp(ics: bytes) -> None:
    lines = content_lines(ics)
    addresses = [(name, params, value) for name, params, value in lines if name in ("ORGANIZER", "ATTENDEE")]
    assert [name for name, _, _ in addresses].count("ORGANIZER") == 1
    assert [name for name, _, _ in addresses].count("ATTENDEE") == 1
    for name, params, value in addresses:
        assert value.startswith("mailto:"), (name, value)
        assert "@" in value and " " not in value
        for partstat in params.get("PARTSTAT", []):
            assert partstat in PARTSTATS_VEVENT, partstat
    attendee_params = next(params for name, params, _ in addresses if name == "ATTENDEE")
    assert attendee_params["PARTSTAT"] == ["NEEDS-ACTION"]
    stamps = [value for name, _, value in lines if name == "DTSTAMP"]
    assert stamps == ["20240214T081500Z"]
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", value) for value in stamps)


# ---- a batch's copies: serialised once, the attendee swapped in ---------------------------------


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_copies_of_a_batch_are_byte_identical_to_copies_serialised_whole(method: str) -> None:
    """Within a batch the calendar is serialised once and each recipient's ATTENDEE lines
    replace a stand-in's: every copy must equal the one serialised on its own."""
    people = [
        ORJAN,
        CHAIR,
        Attendee(email="x@example.fi", name=""),
        Attendee(email="long@example.fi", name="Åsa-Britt Öhman-Lindqvist " * 4, role="OPT-PARTICIPANT"),
        Attendee(email="semi@example.fi", name="a;b:c,d\\e 'f' ^g", language="en"),
        Attendee(email="stand-in@invalid", name="Stand-in"),
    ]
    memo: dict[object, object] = {}
    for person in people:
        shared = render(method=method, sequence=2, attendee=person, memo=memo)
        assert shared == render(method=method, sequence=2, attendee=person), person
        _, event = only_event(shared)
        assert str(event["ATTENDEE"]) == f"mailto:{person.email}"
    assert len(memo) == 1, "one serialisation for the whole batch"
