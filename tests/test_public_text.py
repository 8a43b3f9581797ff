"""Names only with consent (issue 28, item 1): an initiative on the public site loses its signature
block however it is written, the "Julkaise nimeni" line itself, and the submitter's name unless
they asked for it."""

from __future__ import annotations

import pytest

from automation.render.public_text import public_text

BODY = "Ehdotan, että verkosto selvittää yhteiset tunnukset oppimisalustoille.\nSe säästäisi aikaa."


@pytest.mark.parametrize(
    "signature",
    [
        "t. Matti Meikäläinen / rehtori, Kuopion kaupunki",
        "T. Matti",
        "Terv.\nMatti Meikäläinen\nrehtori\nKuopion kaupunki",
        "Terveisin,\nMatti",
        "Ystävällisin terveisin\n\nMatti Meikäläinen\nKuopion kaupunki",
        "Aurinkoisin terveisin Matti",
        "Mvh\nMatti Meikäläinen",
        "Med vänliga hälsningar\nMatti Meikäläinen, rektor",
        "Best regards,\nMatti Meikäläinen\nPrincipal, City of Kuopio",
        "Kiitos!\nMatti",
        "-Matti",
        "– Matti M.",
        "/Matti",
        "Matti Meikäläinen\nrehtori, Kuopion kaupunki",
        "Matti Meikäläinen / rehtori\nKuopion kaupunki\nwww.kuopio.fi",
    ],
)
def test_the_signature_block_goes_however_it_is_written(signature: str) -> None:
    shown = public_text(f"{BODY}\n\n{signature}\n", hidden_names=["Matti Meikäläinen"])
    assert shown == BODY


def test_the_publish_my_name_line_is_never_shown() -> None:
    for line in ("Julkaise nimeni", "Publicera mitt namn.", "Publish my name"):
        assert public_text(f"{BODY}\n{line}\n\nTerveisin\nMatti") == BODY


def test_the_submitters_name_appears_nowhere_unless_they_asked() -> None:
    text = "Minä, Matti Meikäläinen, ehdotan yhteisiä tunnuksia.\nSe säästäisi aikaa."
    shown = public_text(text, hidden_names=["Matti Meikäläinen"])
    assert "Meikäläinen" not in shown and shown.startswith("Minä, […], ehdotan")
    assert "Matti Meikäläinen" in public_text(text)  # they asked: the caller hides nothing


def test_the_text_itself_stays() -> None:
    text = (
        "Kiitos, että käsittelette tämän aloitteen.\n\n"
        "Ehdotamme kolmea asiaa:\n- yhteiset tunnukset\n- Yhteinen materiaalipankki\n"
        "Best practice is to start small."
    )
    assert public_text(text) == text
    assert public_text("Lyhyt ehdotus.") == "Lyhyt ehdotus."
    # Lines with a phone number or an address go, as before.
    assert public_text("Ehdotus.\nSoita 040 123 4567 tai matti@example.fi\nLoppu.") == "Ehdotus.\nLoppu."
