"""Our outgoing messages, read back by the standard library's parser (what mail clients see).

The message bytes are joined by automation/render/mime.py, and mass mailings render their parts
once with a name placeholder (automation/render/personal.py): both must be invisible to readers.
"""

from __future__ import annotations

import base64
import email
import email.policy
import html
import re
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meetings import MEETING

from automation import config as config_module
from automation.render import mime, personal
from automation.render.emails import Outgoing, build_message, environments, render_parts
from automation.render.sample import sample_context

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
SETTINGS = config_module.load(REPO / "config.example.toml")
CONTEXT = sample_context(SETTINGS)
HOSTILE_NAMES = [
    "Maija Meikäläinen",
    'Virtanen, Matti "Masa"',
    "O'Brien & <Sons>",
    "*bold* _under_ [link](http://x.example) `code` \\ #",
    "Åsa Öberg-Ström",
    "李小龍",
    "",
    "x" * 150,
    "1. Listaus",
]


def outgoing(**changes: Any) -> Outgoing:
    base = Outgoing(
        message_id="confirmation.2024-03.abc@example.org",
        template="invitation",
        language="fi",
        recipient="maija@example.fi",
        name="Maija Meikäläinen",
        sender="verkosto@example.org",
        sender_name="Opetuksen digiverkosto",
        reply_to="verkosto+token123@example.org",
        in_reply_to="",
        auto_submitted="auto-generated",
        unsubscribe="verkosto+unsubscribe@example.org",
        date=datetime(2024, 2, 14, 8, 0, tzinfo=UTC),
        context=CONTEXT,
    )
    return replace(base, **changes)


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_every_line_ends_with_crlf_and_fits_the_smtp_limit() -> None:
    data = build_message(outgoing(name="Åsa " * 60, calendar_method="REQUEST", meeting=MEETING), TEMPLATES)
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare LF reaches the SMTP server"
    assert b"\r" not in data.replace(b"\r\n", b""), "a bare CR reaches the SMTP server"
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998, "RFC 5322: no line over 998 octets"
    # 78 is RFC 5322's SHOULD: kept by every line that folding could break (one unbreakable
    # word, like List-Unsubscribe's URL, may be longer)
    foldable = [line for line in lines if b" " in line.partition(b": ")[2].strip()]
    assert max(len(line) for line in foldable) <= 78, [line for line in foldable if len(line) > 78]
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), "headers are 7-bit (encoded words) for an ASCII address"


def test_a_reader_sees_the_headers_we_meant() -> None:
    message = parsed(build_message(outgoing(name='Virtanen, Matti "Masa"', in_reply_to="x@y.fi"), TEMPLATES))
    assert message["To"].addresses[0].display_name == 'Virtanen, Matti "Masa"'
    assert message["To"].addresses[0].addr_spec == "maija@example.fi"
    assert message["From"].addresses[0].display_name == "Opetuksen digiverkosto"
    assert message["Reply-To"].addresses[0].addr_spec == "verkosto+token123@example.org"
    assert message["Subject"].startswith("Kutsu: verkoston tapaaminen")
    assert message["Message-ID"] == "<confirmation.2024-03.abc@example.org>"
    assert message["In-Reply-To"] == message["References"] == "<x@y.fi>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] == "<mailto:verkosto+unsubscribe@example.org?subject=unsubscribe>"
    assert message["Content-Language"] == "fi"
    assert message.get_content_type() == "multipart/alternative"
    assert not message.defects


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_names_arrive_as_written_in_headers_text_and_html(name: str) -> None:
    message = parsed(build_message(outgoing(name=name), TEMPLATES))
    assert message["To"].addresses[0].display_name == name
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    assert text is not None and page is not None
    greeting = f"Hei {name}," if name else "Hei,"
    # Text travels with CRLF line ends (RFC 2045's canonical form); readers show line breaks.
    assert text.get_content().replace("\r\n", "\n").startswith(greeting + "\n")
    assert html.unescape(re.sub(r"<[^>]+>", "", page.get_content())).count(greeting) == 1
    assert "Qq" not in page.get_content() + text.get_content() or "Qq" in name, "a placeholder leaked"


def test_calendar_parts_carry_the_exact_ics_bytes_inline_and_attached() -> None:
    data = build_message(outgoing(calendar_method="REQUEST", meeting=MEETING), TEMPLATES)
    message = parsed(data)
    assert message.get_content_type() == "multipart/mixed"
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_content_type() == "application/ics"]
    assert len(inline) == len(attached) == 1
    assert inline[0].get_param("method") == "REQUEST"
    assert attached[0].get_filename() == "invite.ics"
    ics = inline[0].get_payload(decode=True)
    assert ics == attached[0].get_payload(decode=True)
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"METHOD:REQUEST\r\n" in ics


def test_text_attachments_keep_their_bytes_and_non_ascii_file_names() -> None:
    csv = 'nimi;organisaatio\r\nÄänekoski;"kunta; iso"\r\n'
    data = build_message(
        outgoing(attachments=({"filename": "osallistujat-kevät.csv", "subtype": "csv", "content": csv},)),
        TEMPLATES,
    )
    (part,) = [p for p in parsed(data).walk() if p.get_content_disposition() == "attachment"]
    assert part.get_filename() == "osallistujat-kevät.csv"
    assert part.get_content_type() == "text/csv"
    assert part.get_payload(decode=True) == csv.encode("utf-8")


def test_a_resent_message_is_byte_identical() -> None:
    first = build_message(outgoing(calendar_method="REQUEST", meeting=MEETING), TEMPLATES)
    again = build_message(outgoing(calendar_method="REQUEST", meeting=MEETING), TEMPLATES)
    assert first == again
    other = build_message(outgoing(message_id="other@example.org"), TEMPLATES)
    assert re.findall(rb'boundary="([^"]+)"', first)[0] not in other


@pytest.mark.parametrize("name", ["Jorg", "Virtanen, Matti", "Pörrö Äijälä", ""])
def test_a_non_ascii_address_keeps_its_name_whatever_the_name(name: str) -> None:
    """RFC 6532 addresses (answered over SMTPUTF8) with plain, quoted and encoded names."""
    line = mime.address_header("To", mime.address(name, "jörg@exämple.de"))
    to = email.policy.default.header_factory("To", line.removeprefix("To: "))
    assert to.addresses[0].addr_spec == "jörg@exämple.de"  # type: ignore[attr-defined]
    assert to.addresses[0].display_name == name  # type: ignore[attr-defined]


def test_a_line_break_in_a_header_value_is_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        mime.header("Subject", "Hei\r\nBcc: everyone@example.org")
    with pytest.raises(ValueError, match="line break"):
        mime.address("Maija\nBcc: x@example.org", "maija@example.fi")


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_TEXT, page=_TEXT, subject=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=200)
)
def test_any_text_round_trips_through_the_stdlib_parser(text: str, page: str, subject: str) -> None:
    body = mime.Multipart(
        "alternative",
        (
            mime.Leaf("text/plain", text.encode("utf-8"), params=(("charset", "utf-8"),)),
            mime.Leaf("text/html", page.encode("utf-8"), params=(("charset", "utf-8"),)),
            mime.Leaf("text/calendar", page.encode("utf-8"), "base64", (("method", "REQUEST"),)),
        ),
    )
    subject = " ".join(subject.split())
    data = mime.message_bytes([mime.header("Subject", subject)], body, "seed@example.org", [])
    message = parsed(data)
    assert str(message["Subject"] or "") == subject
    plain, rich, calendar = list(message.iter_parts())
    # Line ends are the reader's: CR, LF and CRLF all arrive as one line break.
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert plain.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == expected
    assert rich.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n") == page.replace(
        "\r\n", "\n"
    ).replace("\r", "\n")
    assert calendar.get_payload(decode=True) == page.encode("utf-8")
    assert base64.b64decode(calendar.get_payload()) == page.encode("utf-8")


# ---- a mass mailing rendered once -----------------------------------------------------------------


def every_template() -> list[tuple[str, str]]:
    return sorted(
        (path.parent.name, path.name.removesuffix(".md"))
        for path in TEMPLATES.glob("*/*.md")
        if not path.name.startswith("_")
    )


@pytest.mark.parametrize(("language", "template"), every_template())
def test_shared_rendering_reads_exactly_like_rendering_per_person(language: str, template: str) -> None:
    """Every template, hostile names: the parts of a batch rendered once, the name put in
    afterwards, must read the same as the parts rendered for that person alone."""
    memo: dict[Any, Any] = {}
    for name in HOSTILE_NAMES:
        context = {**CONTEXT, "language": language, "reply_address": "v+t@example.org"}
        context["recipient"] = {"name": name, "email": "m@example.fi"}
        shared = render_parts(TEMPLATES, template, language, context, memo, key=("batch", template))
        alone = _rendered_plainly(template, language, context)
        assert shared[:2] == alone[:2]
        assert html.unescape(shared[2]) == html.unescape(alone[2])


def _rendered_plainly(template: str, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """The reference: Jinja on the real context, Markdown and nh3 on its output, the text made of
    that HTML, the shared footer after both, no placeholder."""
    from automation.render.emails import _footer
    from automation.render.markdown_html import to_html
    from automation.render.plaintext import html_to_text

    text_env, md_env = environments(str(TEMPLATES))
    subject = " ".join(text_env.get_template(f"{language}/{template}.md:subject").render(context).split())
    safe = to_html(md_env.get_template(f"{language}/{template}.md"), context)
    text = html_to_text(safe)
    footer = _footer(md_env, language, context)
    if footer:
        text = text.rstrip("\n") + "\n" + html_to_text(footer).strip() + "\n"
        safe = f"{safe}\n{footer}"
    page = (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n<body>\n{safe}\n</body></html>\n"
    )
    return subject, text, page


@pytest.mark.parametrize(
    "line",
    [
        "Hei {{ recipient.name|upper }}",
        "Hei {{ recipient.name.split()[0] }}",
        "{% if recipient.name == 'Maija' %}Moi{% endif %} {{ recipient.name }}",
        "Osoitteesi {{ recipient.email }}",
        "Vastaa: {{ reply_address|upper }}",
        "{% set r = recipient %}{{ r.name }}",
    ],
)
def test_a_template_that_transforms_the_name_is_rendered_per_person(tmp_path: Path, line: str) -> None:
    (tmp_path / "fi").mkdir()
    (tmp_path / "fi" / "custom.md").write_text(f"---\nsubject: Aihe\n---\n{line}\n")
    _, md_env = environments(str(tmp_path))
    assert not personal.name_only(md_env, md_env.get_template("fi/custom.md"))
    memo: dict[Any, Any] = {}
    for name in ("Maija Meikäläinen", "Pekka"):
        context = {
            "recipient": {"name": name, "email": f"{name[:3]}@example.fi"},
            "reply_address": "v+t@x.fi",
        }
        _, text, _ = render_parts(tmp_path, "custom", "fi", context, memo, key="same batch")
        assert text == render_parts(tmp_path, "custom", "fi", context)[1]  # no batch: for the person


def test_the_coordinators_plain_templates_are_rendered_once_per_batch() -> None:
    text_env, md_env = environments(str(TEMPLATES))
    for language in ("fi", "sv", "en"):
        for part, env in ((".md:subject", text_env), (".md", md_env)):
            template = env.get_template(f"{language}/invitation{part}")
            assert personal.name_only(env, template), f"{language}/invitation{part} is rendered per person"
