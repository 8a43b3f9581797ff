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
            "on_date": "tiistaina 12.3.2024",
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
            "bring": "Kannettava tietokone",
            "cancelled": False,
        }
    )
    sample: dict[str, Any] = {
        "network": {
            "name": settings.network.name_in(settings.network.default_language),
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
            "received": "1.2.2024",
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
        digest_kind="daily",
        digest_day="14.2.2024",
        items=[
            {
                "number": 3,
                "received": "13.2.2024 15.02",
                "sender": "maija@example.fi",
                "subject": "Re: Kutsu",
                "reason": "unclear",
                "why": "unclear reply about 2024-03",
                "excerpt": "Katsotaan\nPalaan asiaan",
                "meeting": "2024-03",
            }
        ],
        meetings=[
            {
                "code": "2024-03",
                "counts": {"registered": 12, "waiting": 2, "tentative": 1, "cancelled": 1, "declined": 3},
                "changed": {"registered": 2},
                "new": False,
            }
        ],
        failed=[{"recipient": "x@example.fi", "error": "550 5.1.1 no such user"}],
        waiting_initiatives=[
            {"reference": "ALOITE-2024-007", "title": "Yhteiset tunnukset", "created_at": ""}
        ],
        done=[{"number": 3, "word": "kyllä", "result": "done", "detail": "maija@example.fi registered"}],
        side="sending",
        since="2.12.2026 klo 9.15",
        next_attempt="2.12.2026 klo 9.16",
    )
    return sample


def sample_variants(settings: Settings) -> list[dict[str, Any]]:
    """The sample context and two others that take the other branch of every `{% if %}` the
    templates have: a hybrid meeting, and a remote one where every optional value is empty or
    the opposite flag is set. `check` renders each template with all three, so a typo in a
    branch the sample never takes is still caught."""
    base = sample_context(settings)
    meeting = base["meeting"]
    hybrid_meeting = {
        **meeting,
        "mode": "hybrid",
        "online_url": meeting.get("online_url") or "https://example.org/meet",
    }
    hybrid = {
        **base,
        "meeting": hybrid_meeting,
        "previous": {**meeting, "mode": "onsite"},
        "changed": ["mode", "online_url", "address"],
        "attendance": "onsite",
        "initiative": {
            **base["initiative"],
            "status": "resolved",
            "meeting": "",
            "url": "https://example.org/i/7",
        },
        "command": "unsubscribe",
        "reminder": True,
        "already_member": False,
        "refused": [
            {"filename": "a.bin", "reason": reason, "limit": "5"}
            for reason in ("too_many", "too_large", "mismatch", "other")
        ],
    }
    remote_meeting = {
        **meeting,
        "mode": "remote",
        "online_url": meeting.get("online_url") or "https://example.org/meet",
        "theme": "",
        "address": "",
        "capacity": "",
        "bring": "",
        "cancelled": True,
    }
    empty_initiative = {
        **base["initiative"],
        "status": "rejected",
        "text": "",
        "meeting": "",
        "submitter_name": "",
        "attachments": [],
    }
    quiet = {
        **base,
        "meeting": remote_meeting,
        "previous": remote_meeting,
        "changed": ["start", "end", "online_url"],
        "evidence": "",
        "diet": "",
        "organisation": "",
        "attendance": "",
        "already": True,
        "open_meetings": [],
        "upcoming": [],
        "past": [],
        "agenda": [],
        "initiatives": [],
        "fresh": [],
        "refused": [],
        "attachments": [],
        "via_calendar": True,
        "summary_language_fallback": False,
        "site_url": "",
        "command": "erase",
        "already_member": True,
        "reminder": True,
        "note": "",
        "initiative": empty_initiative,
        "companions": [],
        "registered_by": "",
        "feedback": {"answers": 0, "average": None, "distribution": {}, "comments": []},
        "addresses": [],
        "reason": "",
    }
    return [base, hybrid, quiet]
