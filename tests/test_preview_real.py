"""`preview` shows the real config's data: the rotation's organisations in the recipient's
language, the real privacy link, the real agenda; sample data only where nothing real exists,
and said to be a sample."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result
from embedded import cli, network

CONFIG = """
[network]
address = "verkosto@example.org"
PUBLIC
[mailbox]
kind = "maildir"
path = "inbox"
[sending]
kind = "maildir"
path = "sent"

[rotation]
first_year = 2029
[[rotation.order]]
organisation = { fi = "Suomen Kuntaliitto", sv = "Finlands Kommunförbund" }
name = "Kaisa"
email = "kaisa@example.fi"
[[rotation.order]]
organisation = { fi = "Opetushallitus", sv = "Utbildningsstyrelsen" }
name = "Pekka"
email = "pekka@example.fi"

[[meetings]]
code = "2030-03"
start = 2030-03-12T09:00:00
end = 2030-03-12T12:00:00
registration_deadline = 2030-02-22
"""
INITIATIVE = (
    "From: Maija <maija@example.fi>\r\nTo: verkosto+aloite@example.org\r\n"
    "Subject: Aloite: Yhteiset tunnukset oppimisalustoille\r\nMessage-ID: <a1@example.fi>\r\n"
    "Date: Mon, 07 Jan 2030 10:00:00 +0200\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Ehdotan, että verkosto selvittää yhteiset tunnukset.\r\n"
)


def setup(tmp_path: Path, public: str = "") -> Path:
    return network(tmp_path, CONFIG.replace("PUBLIC", public))


def run(config: Path, *args: str) -> Result:
    return cli(config, "2030-01-10T10:00", *args, exits=(0,))


def test_rotation_in_the_recipients_language_and_no_invented_privacy_link(tmp_path: Path) -> None:
    config = setup(tmp_path)
    swedish = run(config, "preview", "rotation", "--lang", "sv").output
    assert "Finlands Kommunförbund" in swedish and "Utbildningsstyrelsen" in swedish
    assert "Kuntaliitto" not in swedish.replace("Finlands Kommunförbund", "")
    assert "verkosto.example.org" not in swedish  # no sample privacy link without public_url
    last = swedish.rstrip().split("\n")[-1]
    assert "incoming" not in last and "outgoing" not in last  # real, not samples


def test_the_privacy_link_when_public_url_is_set(tmp_path: Path) -> None:
    config = setup(tmp_path, 'public_url = "https://digiverkosto.fi"')
    finnish = run(config, "preview", "invitation", "--meeting", "2030-03").output
    assert "https://digiverkosto.fi/privacy.html" in finnish
    assert (
        "https://digiverkosto.fi/sv/privacy.html"
        in run(config, "preview", "invitation", "--lang", "sv").output
    )


def test_the_real_agenda_and_samples_said_to_be_samples(tmp_path: Path) -> None:
    config = setup(tmp_path)
    invitation = run(config, "preview", "invitation", "--meeting", "2030-03").output
    assert "[sample data, nothing real yet: agenda" in invitation  # no initiative on the agenda yet
    (tmp_path / "inbox" / "new" / "1.eml").write_text(INITIATIVE, encoding="utf-8")
    run(config, "run", "--once")
    [item] = json.loads(run(config, "initiatives", "list", "--format", "json").output)
    run(config, "initiatives", "set", item["reference"], "agenda", "--meeting", "2030-03")
    invitation = run(config, "preview", "invitation", "--meeting", "2030-03").output
    assert "Yhteiset tunnukset oppimisalustoille" in invitation and item["reference"] in invitation
    assert "ALOITE-2024-007" not in invitation and "agenda" not in invitation.split("\n")[-2]
