"""The network's home on the public site, as published by `automation publish` and by the
daemon's own pass from a real config: the preparatory group follows the rotation across
`turn_of_year` with the clock frozen (time-machine), and the goals and rules on the page are
the text sent to people who join."""

from __future__ import annotations

import email
import html
import mailbox
import re
import traceback
from datetime import datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from click.testing import CliRunner
from test_archive import Dom, chromium

from automation.cli import main

REPO = Path(__file__).resolve().parent.parent
HKI = ZoneInfo("Europe/Helsinki")
CONFIG = f"""
[network]
address = "verkosto@example.org"
name = "Digiverkosto"
public_url = "https://verkosto.example.org"

[mailbox]
kind = "maildir"
path = "inbox"

[sending]
kind = "maildir"
path = "sent"

[templates]
directory = "{REPO / "templates"}"

[publish]
directory = "public"

[privacy]
controller = "Suomen Kuntaliitto"
retention_days = 400

[rotation]
first_year = 2024
turn_of_year = "08-01"
order = [
  {{ organisation = "Suomen Kuntaliitto", name = "Kaisa Kehittäjä", email = "kaisa@example.fi" }},
  {{ organisation = "Opetushallitus", name = "Pekka Pääsihteeri", email = "pekka@example.fi" }},
]

[[organisers]]
email = "kaisa@example.fi"
name = "Kaisa Kehittäjä"
organisation = "Suomen Kuntaliitto"
contact = true

[[organisers]]
email = "pekka@example.fi"
name = "Pekka Pääsihteeri"
organisation = "Opetushallitus"

[[organisations]]
name = "Suomen Kuntaliitto"
kind = "national"

[[organisations]]
name = "DigiKilta"
kind = "municipal_network"

[[meetings]]
code = "2024-09"
start = 2024-09-17T09:00:00
end = 2024-09-17T12:00:00
registration_deadline = 2024-09-10
place = "Kuntatalo"
theme = "Oppimisanalytiikka"
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def run(root: Path, when: datetime, *args: str) -> str:
    """A command at `when` with the clock frozen (no --now: the command reads the clock)."""
    with time_machine.travel(when, tick=False):
        result = CliRunner().invoke(main, ["--config", str(root / "config.toml"), *args])
    assert result.exit_code == 0, result.output + "".join(traceback.format_exception(*result.exc_info))
    return result.output


def seen(page: Path, profile: Path) -> tuple[str, Dom]:
    raw = chromium(page, profile, "--dump-dom")
    dom = Dom()
    dom.feed(raw)
    return raw, dom


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HKI)


def test_the_preparatory_group_follows_the_rotation_across_turn_of_year(root: Path, tmp_path: Path) -> None:
    run(root, at("2024-07-31T23:00"), "publish")
    _, before = seen(root / "public" / "index.html", tmp_path / "profile")
    assert "Valmisteluryhmä 2023–2024" in before.text
    assert "Opetushallitus (valmisteluvastuussa): Pekka Pääsihteeri (vastuuhenkilö)" in before.text
    assert "Suomen Kuntaliitto (valmisteluvastuussa)" not in before.text
    # The daemon's own pass republishes by itself once the year has turned.
    run(root, at("2024-08-01T00:30"), "run", "--once")
    _, after = seen(root / "public" / "index.html", tmp_path / "profile")
    assert "Valmisteluryhmä 2024–2025" in after.text
    assert "Suomen Kuntaliitto (valmisteluvastuussa): Kaisa Kehittäjä (vastuuhenkilö)" in after.text
    assert "Opetushallitus (valmisteluvastuussa)" not in after.text
    # From the same config: the contact person with their address, the organisations by kind,
    # the next meeting with its deadline, and the privacy notice's retention.
    assert "Suomen Kuntaliitto: Kaisa Kehittäjä (kaisa@example.fi)" in after.text
    assert "pekka@example.fi" not in after.text  # not a contact person: name only
    assert "Kansalliset toimijat Suomen Kuntaliitto Kuntaverkostot DigiKilta" in after.text
    assert "Auki 10.9.2024 klo 23.59 asti" in after.text
    _, privacy = seen(root / "public" / "privacy.html", tmp_path / "profile")
    assert "Suomen Kuntaliitto" in privacy.text and "400 päivän" in privacy.text


def _rules_text(markup: str) -> str:
    """The visible words of the goals and rules, from the page's rules block or a mail's HTML."""
    text = re.sub(r"<[^>]+>", " ", markup)
    return " ".join(html.unescape(text).split())


@pytest.mark.parametrize(
    ("language", "asking", "prefix"),
    [
        ("fi", "Liityn verkostoon", ""),
        ("sv", "Jag vill gå med i nätverket", "sv/"),
        ("en", "I want to join", "en/"),
    ],
)
def test_goals_and_rules_on_the_page_equal_the_text_sent_to_people_who_join(
    root: Path, tmp_path: Path, language: str, asking: str, prefix: str
) -> None:
    request = EmailMessage()
    request["From"] = "Uusi Jäsen <uusi@example.fi>"
    request["To"] = "verkosto@example.org"
    request["Subject"] = asking
    request["Message-ID"] = "<join-1@example.fi>"
    request.set_content(asking)
    mailbox.Maildir(root / "inbox", create=True).add(request.as_bytes())
    run(root, at("2024-08-05T10:00"), "run", "--once")
    box = mailbox.Maildir(root / "sent")
    [mail] = [
        message
        for key in box.keys()  # noqa: SIM118 - iterating a Maildir yields messages
        if str(
            (message := email.message_from_bytes(box.get_bytes(key), policy=policy.default))["To"]
        ).endswith("uusi@example.fi>")
    ]
    assert str(mail["Content-Language"]) == language
    sent = _rules_text(mail.get_body(("html",)).get_content())  # type: ignore[union-attr]
    raw, _ = seen(root / "public" / prefix / "index.html", tmp_path / "profile")
    [block] = re.findall(r'<div class="rules">(.*?)</div>', raw, re.S)
    shown = _rules_text(block)
    assert len(shown) > 1500 and "2024-1" in shown  # four goals, seven rules and the version
    assert shown in sent
