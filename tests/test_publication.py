"""What the public site tells people must be true (issue 28): the privacy notice names the
controller, its DPO and the legal basis the config gives; the accessibility statement has every
part Act 306/2019 asks for; `check` refuses to let a published site go without them."""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation import config
from automation.cli import main
from automation.errors import ConfigError
from automation.model import SiteData
from automation.publish import public_network
from automation.render.archive import write_site

REPO = Path(__file__).resolve().parent.parent
NETWORK = """
[network]
address = "verkosto@example.org"
public_url = "https://verkosto.example.org"

[network.name]
fi = "Digitalisaatioverkostojen verkosto"
sv = "Digitaliseringsnätverkens nätverk"
en = "Network of Digitalisation Networks"

[templates]
directory = "TEMPLATES"

[[organisers]]
email = "kaisa@example.fi"
name = "Kaisa Kehittäjä"
organisation = "Suomen Kuntaliitto"
contact = true

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
""".replace("TEMPLATES", str(REPO / "templates"))
PRIVACY = """
[privacy]
authority = true
controller_address = "PL 380, 00531 Helsinki"
controller_contact = "kirjaamo@oph.fi"
dpo = "tietosuoja@oph.fi"

[privacy.controller]
fi = "Opetushallitus"
sv = "Utbildningsstyrelsen"
en = "Finnish National Agency for Education"

[accessibility]
assessed = 2024-04-01

[accessibility.assessed_by]
fi = "Opetushallitus (itsearviointi)"
sv = "Utbildningsstyrelsen (självbedömning)"
en = "the Finnish National Agency for Education (self-assessment)"
"""


def settings_of(tmp_path: Path, text: str) -> config.Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\n", encoding="utf-8")
    return config.load(path)


def pages(tmp_path: Path, text: str, day: str = "2024-05-02") -> dict[str, str]:
    """The privacy notice and accessibility statement as a reader sees their text, per language."""
    settings = settings_of(tmp_path, text)
    now = datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=settings.network.zone)
    data = SiteData(
        network_name=settings.network.name,
        network_address=settings.network.address,
        languages=tuple(settings.network.languages),
        meetings=(),  # the statements do not depend on them
        initiatives=(),
        summaries=(),
        now=now,
        base_url=settings.network.public_url,
        home=public_network(settings, now),
    )
    output = tmp_path / f"site-{day}"
    write_site(data, REPO / "templates", output)
    found = {}
    for prefix in ("", "sv/", "en/"):
        for name in ("privacy.html", "accessibility.html"):
            raw = (output / prefix / name).read_text(encoding="utf-8")
            main_part = raw[raw.index("<main") : raw.index("</main>")]
            found[prefix + name] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main_part)).split())
    return found


def check(tmp_path: Path, text: str) -> list[str]:
    settings_of(tmp_path, text)
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "config.toml"), "check"])
    assert "Traceback" not in result.output
    return result.output.strip().splitlines() if result.exit_code else []


def test_check_refuses_a_published_site_without_controller_dpo_or_assessment(tmp_path: Path) -> None:
    lines = check(tmp_path, NETWORK)
    for key in ("[privacy] controller:", "[privacy] dpo:", "[accessibility] assessed:"):
        [line] = [line for line in lines if key in line]
        assert "config.toml" in line and "public_url" in line and "fix: add" in line
    assert check(tmp_path, NETWORK + PRIVACY) == []
    # Not published: a trial installation needs none of it.
    assert check(tmp_path, NETWORK.replace('public_url = "https://verkosto.example.org"', "")) == []


def test_the_network_itself_is_no_controller(tmp_path: Path) -> None:
    text = NETWORK + PRIVACY.replace('fi = "Opetushallitus"', 'fi = "Digitalisaatioverkostojen verkosto"')
    [line] = check(tmp_path, text)
    assert "[privacy] controller" in line and "not a legal person" in line


def test_an_authority_cannot_claim_legitimate_interest(tmp_path: Path) -> None:
    basis = 'authority = true\nlegal_basis = "legitimate_interest"'
    text = NETWORK + PRIVACY.replace("authority = true", basis)
    with pytest.raises(ConfigError) as caught:
        settings_of(tmp_path, text)
    [problem] = caught.value.problems
    assert "[privacy]" in problem and "legitimate_interest" in problem and '"public_task"' in problem


def test_the_privacy_notice_names_the_controller_its_dpo_and_the_public_task(tmp_path: Path) -> None:
    found = pages(tmp_path, NETWORK + PRIVACY)
    fi, sv, en = found["privacy.html"], found["sv/privacy.html"], found["en/privacy.html"]
    assert "Rekisterinpitäjä: Opetushallitus, PL 380, 00531 Helsinki, kirjaamo@oph.fi" in fi
    assert "Tietosuojavastaava: tietosuoja@oph.fi" in fi
    assert "Personuppgiftsansvarig: Utbildningsstyrelsen" in sv and "Dataskyddsombud: tietosuoja@oph.fi" in sv
    assert "Controller: Finnish National Agency for Education" in en
    assert "Data protection officer: tietosuoja@oph.fi" in en
    # An authority's basis is its public task; neither consent nor legitimate interest is claimed.
    assert "Yleistä etua koskeva tehtävä (6 artiklan 1 kohdan e alakohta)" in fi
    assert "Käsittelyn vastustaminen: kirjoita ”Eroa listalta”" in fi
    for page in (fi, sv, en):
        claimed = r"Suostumus|Samtycke|Consent|oikeutettu etu|berättigade intresse|legitimate"
        assert not re.search(claimed, page)
    assert "A task carried out in the public interest (Article 6(1)(e))" in en


def test_the_privacy_notice_says_mail_stays_in_the_mailbox_and_contact_addresses_are_public(
    tmp_path: Path,
) -> None:
    found = pages(tmp_path, NETWORK + PRIVACY)
    fi, sv, en = found["privacy.html"], found["sv/privacy.html"], found["en/privacy.html"]
    assert "ne säilyvät kokonaisuudessaan verkoston sähköpostilaatikossa" in fi
    assert "sisältöä ei tallenneta" not in fi and "innehåll sparas inte" not in sv
    assert "message bodies are not stored" not in en
    assert "yhteyshenkilöiden nimet, organisaatiot ja sähköpostiosoitteet" in fi
    assert "kontaktpersonerna med namn, organisation och e-postadress" in sv
    assert "the contact persons with their names, organisations and email addresses" in en
    assert "but not your messages from the mailbox" in en


def test_consent_is_claimed_only_when_configured_and_only_for_those_who_gave_it(tmp_path: Path) -> None:
    text = NETWORK + PRIVACY.replace("authority = true", 'legal_basis = "consent"')
    fi, en = (pages(tmp_path, text)[name] for name in ("privacy.html", "en/privacy.html"))
    assert "Suostumus (6 artiklan 1 kohdan a alakohta)" in fi and "vain heidän osaltaan" in fi
    assert "Suostumuksen peruminen: kirjoita ”Eroa listalta”" in fi
    assert "only their data is processed on this basis" in en
    default = NETWORK + PRIVACY.replace("authority = true", "")
    assert (
        "Rekisterinpitäjän oikeutettu etu (6 artiklan 1 kohdan f alakohta)"
        in pages(tmp_path, default)["privacy.html"]
    )


def test_the_accessibility_statement_has_every_part_the_act_requires(tmp_path: Path) -> None:
    found = pages(tmp_path, NETWORK + PRIVACY)
    fi, sv, en = found["accessibility.html"], found["sv/accessibility.html"], found["en/accessibility.html"]
    assert "https://verkosto.example.org/" in fi and "https://verkosto.example.org/sv/" in sv
    assert "Sinulla on oikeus pyytää saavutettavassa muodossa sisältöä, joka ei ole saavutettavaa" in fi
    assert "Du har rätt att begära innehåll som inte är tillgängligt" in sv
    assert "You have the right to request content that is not accessible" in en
    for page in (fi, sv, en):
        assert "Traficom" in page and "saavutettavuus@traficom.fi" in page and "29 534 5000" in page
    assert "Seloste on laadittu 1.4.2024" in fi and "Arvioija: Opetushallitus (itsearviointi)" in fi
    assert "Bedömningen gjordes av: Utbildningsstyrelsen (självbedömning)" in sv
    assert "prepared on 1 April 2024" in en
    # The network's name is not forced into a Finnish case it cannot take.
    assert "verkoston Digitalisaatioverkostojen verkosto" not in fi
    assert "Lupa- ja valvontavirasto" not in fi


def test_the_assessment_date_does_not_move_with_each_publish(tmp_path: Path) -> None:
    first = pages(tmp_path, NETWORK + PRIVACY, "2024-05-02")["accessibility.html"]
    later = pages(tmp_path, NETWORK + PRIVACY, "2024-11-20")["accessibility.html"]
    assert first == later and "1.4.2024" in later and "20.11.2024" not in later
    unassessed = NETWORK.replace('public_url = "https://verkosto.example.org"', "")
    page = pages(tmp_path, unassessed, "2024-11-20")["accessibility.html"]
    assert "Sivuston saavutettavuutta ei ole vielä arvioitu." in page and "20.11.2024" not in page


def test_check_names_a_template_that_departs_from_the_glossary(tmp_path: Path) -> None:
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    mail = templates / "sv" / "promoted.md"
    mail.write_text(mail.read_text(encoding="utf-8") + "\nDu stod på reservlistan.\n", encoding="utf-8")
    page = templates / "site" / "en" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace("{% endblock %}", "the waitlist{% endblock %}"),
        encoding="utf-8",
    )
    lines = check(tmp_path, NETWORK.replace(str(REPO / "templates"), str(templates)) + PRIVACY)
    [swedish] = [line for line in lines if "promoted.md" in line]
    assert "'reservlistan' departs from the glossary" in swedish and "fix: write 'väntelista'" in swedish
    assert any("site/en/index.html" in line and "'waitlist'" in line for line in lines)


def test_swedish_mail_says_one_word_for_the_waiting_list() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_languages import reader_contexts

    from automation.render.emails import render_parts

    for name in ("waitlisted", "waitlist_final", "promoted", "meeting_reminder", "participant_list"):
        _, text, _ = render_parts(REPO / "templates", name, "sv", reader_contexts("sv")[0])
        assert "reservlist" not in text
    _, text, _ = render_parts(REPO / "templates", "waitlisted", "sv", reader_contexts("sv")[0])
    assert "väntelistan" in text


def test_follow_up_mails_put_the_date_in_its_case() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_languages import reader_contexts

    from automation.render.emails import render_parts

    said = {}
    for language in ("fi", "sv", "en"):
        context = {**reader_contexts(language)[0]}
        context["followup_meeting"] = context["meeting"]
        context["followups"] = [{"number": 1, "text": "x", "owner": "y", "status": "open", "note": ""}]
        for name in ("followup_assigned", "followup_reminder"):
            said[language, name] = " ".join(
                render_parts(REPO / "templates", name, language, context)[1].split()
            )
    assert re.search(
        r"\w+na \d+\.\d+\.\d{4} pidetyssä tapaamisessa sovittiin", said["fi", "followup_assigned"]
    )
    assert re.search(r"seuraava tapaaminen on \w+na \d", said["fi", "followup_reminder"])
    assert re.search(r"vid träffen \w+en den \d", said["sv", "followup_assigned"])
    assert "the meeting on on " not in said["en", "followup_assigned"]
    assert re.search(
        r"at the meeting on \w+day \d+ \w+ \d{4}, follow-up items were agreed",
        said["en", "followup_assigned"],
    )
