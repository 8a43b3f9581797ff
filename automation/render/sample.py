"""A complete, realistic template context: what `automation check` renders every template with,
and what `automation preview` fills in where the register has nothing yet."""

from __future__ import annotations

from typing import Any

from automation.config import Settings
from automation.render.formatting import meeting_context


def sample_context(settings: Settings) -> dict[str, Any]:
    meetings = settings.meeting_objects()
    meeting = (
        meeting_context(meetings[0], settings.network.default_language)
        if meetings
        else {
            "code": "2024-03",
            "date": "tiistai 12.3.2024",
            "short_date": "12.3.2024",
            "time": "9.00–12.00",
            "start_time": "9.00",
            "place": "Kuntatalo",
            "address": "",
            "theme": "Tekoäly",
            "mode": "hybrid",
            "online_url": "https://example.org/meet",
            "deadline": "22.2.2024",
            "deadline_time": "23.59",
            "capacity": 40,
            "cancelled": False,
        }
    )
    sample: dict[str, Any] = {
        "network": {
            "name": settings.network.name,
            "address": settings.network.address,
            "coordinator": settings.network.coordinator or "",
        },
        "meeting": meeting,
        "evidence": "Kyllä, tulen",
        "diet": "gluteeniton",
        "organisation": "Espoo",
        "attendance": "remote",
        "already": False,
        "position": 2,
        "open_meetings": [meeting],
        "previous": meeting,
        "changed": ["start", "place"],
        "upcoming": [{**meeting, "open": True}],
        "past": [meeting],
        "counts": {
            "registered": 12,
            "waiting": 2,
            "cancelled": 1,
            "declined": 3,
            "tentative": 1,
            "not_answered": 20,
            "remote": 4,
        },
        "diets": [{"diet": "gluteeniton", "count": 2}],
        "year": 2024,
        "initiative": {
            "reference": "ALOITE-2024-007",
            "title": "Yhteiset tunnukset",
            "text": "Ehdotan…\nToinen rivi",
            "status": "agenda",
            "meeting": "2024-03",
            "submitter_name": "Maija",
            "submitter_email": "m@example.fi",
            "created_at": "2024-02-01T10:00:00+02:00",
            "url": "",
            "attachments": ["liite.pdf"],
        },
        "note": "Hyvä ajatus",
        "attachments": ["liite.pdf"],
        "refused": [{"filename": "x.exe", "reason": "type", "limit": "0"}],
        "summary_text": "# Yhteenveto\n\nTeksti",
        "summary_markdown": "# Yhteenveto\n\nTeksti",
        "summary_language_fallback": True,
        "summary_meeting": "2024-03",
        "summary_language": "fi",
        "summary_sender": "koordinaattori@example.org",
        "site_url": "https://verkosto.example.org",
        "privacy_url": "https://verkosto.example.org/privacy.html",
        "followups": [
            {
                "number": 3,
                "text": "Koota tekoälyohjeet",
                "owner": "Opetushallitus",
                "status": "in_progress",
                "note": "luonnos valmis",
                "meeting": meeting,
            },
            {
                "number": 4,
                "text": "Selvitys materiaalipankista",
                "owner": "Kuntaliitto",
                "status": "open",
                "note": "",
                "meeting": meeting,
            },
        ],
        "followup_meeting": meeting,
        "followup_changed": 3,
        "outgoing": {"organisation": "Opetushallitus", "name": "Pekka", "email": "p@example.fi"},
        "incoming": {"organisation": "Kuntaliitto", "name": "Kaisa", "email": "k@example.fi"},
        "via_calendar": False,
        "companions": ["Liisa Korhonen"],
        "registered_by": "Maija Meikäläinen",
    }
    sample["initiatives"] = [sample["initiative"]]
    sample["agenda"] = [sample["initiative"]]
    sample["fresh"] = [sample["initiative"]]
    sample.update(
        rules_version=settings.rules.version,
        already_member=False,
        reminder=False,
        feedback={"answers": 3, "average": 4.3, "distribution": {"3": 1, "5": 2}, "comments": ["Hyvä päivä"]},
        command="export",
        summary="registrations: 2",
        addresses=["poistunut@example.fi"],
        reason="failed 5.1.1",
    )
    return sample
