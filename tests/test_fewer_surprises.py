"""Fewer surprises: a companion already registered is not sent the plain invitation, and a
confirmation gives one way to cancel."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from embedded import MAILDIRS, MARCH_MEETING, cli, network, sent

CONFIG = MAILDIRS + MARCH_MEETING


def setup(tmp_path: Path) -> Path:
    return network(tmp_path, CONFIG, "aino@example.fi,Aino,Espoo,fi\nbo@example.fi,Bo,Borgå,sv\n")


def run(config: Path, now: str, *args: str) -> Result:
    return cli(config, now, *args, exits=(0,))


def test_someone_already_registered_is_not_sent_the_plain_invitation(tmp_path: Path) -> None:
    config = setup(tmp_path)
    # Bo was registered by a colleague before the invitations went out.
    run(config, "2030-02-01T10:00", "register", "2030-03", "bo@example.fi", "--quiet")
    assert "queued 1 invitation(s)" in run(config, "2030-02-12T10:00", "invite", "2030-03").output
    run(config, "2030-02-12T10:00", "run", "--once")
    invited = [str(m["To"]) for m in sent(tmp_path) if "invite" in str(m["Message-ID"])]
    assert any("aino@example.fi" in to for to in invited) and not any("bo@example.fi" in to for to in invited)


def test_a_confirmation_gives_one_way_to_cancel(tmp_path: Path) -> None:
    config = setup(tmp_path)
    for language, words in (("fi", ("Peruutan", "En pääse")), ("sv", ("avanmäler", "Jag kan inte"))):
        text = run(config, "2030-02-01T10:00", "preview", "confirmation", "--lang", language).output
        assert words[0] in text and words[1] not in text, text
    text = run(config, "2030-02-01T10:00", "preview", "confirmation", "--lang", "en").output
    assert text.count("Cancel") == 1 and "I cannot attend" not in text
