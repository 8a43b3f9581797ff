"""Say it right in three languages (issue 18): names and addresses per language, and the mail
in the reader's language, with the example config a coordinator starts from."""

from __future__ import annotations

import email
import email.policy
import json
import re
import tomllib
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from automation import config as config_module
from automation.errors import ConfigError
from automation.model import localised
from automation.outbox import outgoing
from automation.render.emails import TEMPLATE_NAMES, build_message, render_parts
from automation.render.formatting import meeting_context, received_date
from automation.render.sample import sample_variants
from automation.workflows.lifecycle import Responsible, rotation_mails

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "config.example.toml"
SETTINGS = config_module.load(EXAMPLE)
NOW = datetime(2025, 8, 2, 10, 0, tzinfo=SETTINGS.network.zone)


def finnish_only(settings: config_module.Settings) -> set[str]:
    """Every Finnish name or address of the config that has a Swedish form of its own."""
    values: list[Any] = [settings.network.name]
    values += [o.name for o in settings.organisations] + [o.organisation for o in settings.organisers]
    values += [m.address for m in settings.meetings] + [m.place for m in settings.meetings]
    found = {v["fi"] for v in values if isinstance(v, dict) and v.get("sv") and v["sv"] != v["fi"]}
    assert len(found) >= 6  # the example really gives Swedish forms
    return found


def row(template: str, meeting: str | None, context: dict[str, Any], method: str = "") -> dict[str, Any]:
    return {
        "message_id": f"{template}@example.org",
        "template": template,
        "language": "sv",
        "recipient": "asa@example.fi",
        "name": "Åsa Öberg",
        "meeting": meeting or "",
        "reply_token": "0" * 32,
        "in_reply_to": "",
        "auto_submitted": "",
        "purpose": template,
        "calendar_method": method,
        "calendar_sequence": 0,
        "calendar_role": "",
        "context": json.dumps(context),
    }


def read(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    parts = [str(message["From"]), str(message["Subject"])]
    for part in message.walk():
        if not part.is_multipart():
            parts.append(part.get_payload(decode=True).decode("utf-8"))
    return "\n".join(parts)


def rotation_context() -> dict[str, Any]:
    order = [Responsible(o.organisation, o.name, o.email) for o in SETTINGS.organisers[1:]]
    [mail, *_] = rotation_mails(order, 2024, (8, 1), NOW, [], "fi")
    return mail.context


@pytest.mark.parametrize(
    ("template", "meeting", "context", "method"),
    [
        ("invitation", "2024-03", {}, ""),
        ("confirmation", "2024-09", {"evidence": "Jag kommer"}, "REQUEST"),
        ("organiser_invitation", "2024-09", {}, "REQUEST"),
        ("rotation", None, rotation_context(), ""),
    ],
)
def test_swedish_mail_names_everything_in_swedish(
    template: str, meeting: str | None, context: dict[str, Any], method: str
) -> None:
    out = outgoing(row(template, meeting, context, method), SETTINGS, NOW)
    mail = read(build_message(out, REPO / "templates"))
    leaked = sorted(name for name in finnish_only(SETTINGS) if name in mail)
    assert leaked == []
    assert localised(SETTINGS.network.name, "sv") in mail  # signed with the Swedish name
    if template == "rotation":
        assert "Utbildningsstyrelsen" in mail and "Finlands Kommunförbund" in mail
    else:
        assert "Helsingfors" in mail


def test_a_language_without_its_own_form_gets_the_first_languages(tmp_path: Path) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        'name = { fi = "Porin seutu", sv = "Björneborgsregionen" }',
        'name = { sv = "Björneborgsregionen", fi = "Porin seutu" }',
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    settings = config_module.load(path)
    meeting = settings.meeting("2024-03")
    assert meeting is not None and meeting.text("address", "en") == "Toinen linja 14, 00530 Helsinki"
    assert settings.network.name_in("en") == "Network of Digitalisation Networks"
    plain = tmp_path / "plain.toml"
    plain.write_text('[network]\naddress = "v@example.org"\nname = "Verkosto X"\n', encoding="utf-8")
    assert config_module.load(plain).network.name_in("sv") == "Verkosto X"  # a plain string still works


def test_a_name_in_an_unknown_language_is_named_with_its_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[network]\naddress = "v@example.org"\nlanguages = ["fi", "sv"]\n'
        'name = { fi = "Verkosto", se = "Nätverk" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        config_module.load(path)
    [problem] = caught.value.problems
    assert "[network] name" in problem and "se" in problem and "fi, sv" in problem


# ---- every template in every language: the glossary's terms, dates, no shouting ------------------

GLOSSARY = tomllib.loads((REPO / "templates" / "glossary.toml").read_text(encoding="utf-8"))
ACRONYMS = {"ALOITE", "HTML", "JSON", "CSV", "PDF", "ICS", "UTC", "OKM", "OPH", "ISO", "IMAP", "SMTP"}


def avoided(language: str) -> re.Pattern[str]:
    words = [word for term in GLOSSARY["terms"] for word in term.get("avoid", {}).get(language, [])]
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)


def reader_contexts(language: str) -> list[dict[str, Any]]:
    """The sample contexts with everything a date or name is made of in `language`."""
    found = []
    for meeting in SETTINGS.meeting_objects():
        words = meeting_context(meeting, language)
        for variant in sample_variants(SETTINGS):
            kept = ("mode", "capacity", "cancelled", "online_url", "theme", "address", "bring")
            localised_meeting = {**variant["meeting"], **{k: v for k, v in words.items() if k not in kept}}
            initiative = {
                **variant["initiative"],
                "received": received_date(
                    variant["initiative"]["created_at"], SETTINGS.network.zone, language
                ),
            }
            found.append(
                {
                    **variant,
                    "language": language,
                    "network": {**variant["network"], "name": SETTINGS.network.name_in(language)},
                    "meeting": localised_meeting,
                    "previous": localised_meeting,
                    "open_meetings": [localised_meeting] if variant["open_meetings"] else [],
                    "upcoming": [localised_meeting] if variant["upcoming"] else [],
                    "initiative": initiative,
                    "initiatives": [initiative] if variant["initiatives"] else [],
                    "agenda": [initiative] if variant["agenda"] else [],
                    "fresh": [initiative] if variant["fresh"] else [],
                    "recipient": {"name": "Maija Meikäläinen", "email": "m@example.fi"},
                    "reply_address": "verkosto+token@example.org",
                }
            )
    return found


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_mail_keeps_the_glossary_dates_and_tone(language: str) -> None:
    banned = avoided(language)
    problems: set[str] = set()
    for name in TEMPLATE_NAMES:
        for context in reader_contexts(language):
            subject, text, page = render_parts(REPO / "templates", name, language, context)
            for part, rendered in (("subject", subject), ("text", text), ("html", page)):
                for word in banned.findall(rendered):
                    problems.add(f"{language}/{name} {part}: glossary avoids {word!r}")
                for iso in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", rendered):
                    problems.add(f"{language}/{name} {part}: ISO date {iso}")
            for shout in re.findall(r"\b[A-ZÄÖÅ]{4,}\b", text):
                if shout not in ACRONYMS:
                    problems.add(f"{language}/{name}: capitals {shout!r} in the text part")
    assert sorted(problems) == []


def test_dates_in_running_text_take_their_case() -> None:
    meeting = SETTINGS.meeting("2024-09")
    assert meeting is not None
    assert meeting_context(meeting, "fi")["on_date"] == "tiistaina 17.9.2024"
    assert meeting_context(meeting, "sv")["on_date"] == "tisdagen den 17.9.2024"
    assert meeting_context(meeting, "en")["on_date"] == "on Tuesday 17 September 2024"
    stamp = "2024-02-01T10:00:00+02:00"
    zone = SETTINGS.network.zone
    dates = [received_date(stamp, zone, lang) for lang in ("fi", "sv", "en")]
    assert dates == ["1.2.2024", "1.2.2024", "1 February 2024"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_data_export_names_the_stored_groups_in_plain_words(language: str) -> None:
    context = {
        **reader_contexts(language)[0],
        "summary": "contact: 1\nregistrations: 2\nmessages_received: 5",
    }
    _, text, _ = render_parts(REPO / "templates", "data_export", language, context)
    assert not re.search(r"\b(contact|registrations|messages_received): \d", text)
    assert re.search(r"- \w.*: 2\n", text) and re.search(r"- \w.*: 5\n", text)
