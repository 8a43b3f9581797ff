"""A meeting in draft: no mail and no calendar invitation until it is published; the first run
does not invite the preparatory group to it."""

from __future__ import annotations

import email
from pathlib import Path

from embedded import MAILDIRS, MARCH_MEETING, cli, network, sent

CONFIG = (
    MAILDIRS
    + """
[[organisers]]
email = "valmistelu@example.fi"
name = "Outi Opetusneuvos"
organisation = "Opetushallitus"
"""
    + MARCH_MEETING
    + """
[[meetings]]
code = "2030-04"
start = 2030-04-16T09:00:00
end = 2030-04-16T12:00:00
registration_deadline = 2030-04-02
draft = true
"""
)


def setup(tmp_path: Path) -> Path:
    return network(tmp_path, CONFIG, "aino@example.fi,Aino,Espoo,fi\n")


def about(message: email.message.Message, code: str) -> bool:
    return code in str(message.as_bytes())


def test_a_draft_sends_nothing_until_published(tmp_path: Path) -> None:
    config = setup(tmp_path)
    first = cli(config, "2030-03-20T10:00", "run", "--once")  # both meetings' invitations are due
    assert first.exit_code == 0, first.output
    mails = sent(tmp_path)
    assert mails and not any(about(m, "2030-04") for m in mails), [m["Subject"] for m in mails]
    refused = cli(config, "2030-03-20T10:00", "invite", "2030-04")
    assert (
        refused.exit_code == 2
        and "is a draft" in refused.output
        and "remove the draft line" in refused.output
    )
    assert cli(config, "2030-03-20T10:00", "register", "2030-04", "aino@example.fi").exit_code == 2
    status = cli(config, "2030-03-20T10:00", "status")
    assert "Meeting 2030-04 (16.04.2030 09:00): draft" in status.output
    # The preview works for a draft: that is what one checks before publishing.
    assert cli(config, "2030-03-20T10:00", "preview", "invitation", "--meeting", "2030-04").exit_code == 0
    config.write_text(CONFIG.replace("draft = true\n", ""), encoding="utf-8")
    cli(config, "2030-03-20T10:05", "run", "--once")
    published = [m for m in sent(tmp_path) if about(m, "2030-04")]
    recipients = {m["To"] for m in published}
    assert any("valmistelu@example.fi" in r for r in recipients), recipients
    assert any("aino@example.fi" in r for r in recipients), recipients
