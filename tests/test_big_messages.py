"""Big messages (a 25 MB presentation, 35 MB on the wire) are handled like small ones: read,
answered, attachments kept or refused by the limit, filed intact, over IMAP and from a Maildir.
Their memory cost is measured by `benchmarks/run.py` (step 6), not here."""

from __future__ import annotations

import email
import json
import os
from collections.abc import Callable, Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from faults import Rig, folder_messages, parsed, sent, write_config
from mails import outlook_reply, with_attachment
from servers import ImapUser, SmtpSink

from automation.inbox.spool import Reducer
from automation.parse.attachments import extract
from automation.parse.message import parse_message

BIG = 25 * 1024 * 1024
YES = "Kyllä, tulen. Liitteenä esitykseni."


@pytest.fixture
def rig(tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink) -> Iterator[Rig]:
    config = write_config(tmp_path, imap_user, smtp_sink)
    made = Rig(
        tmp_path, imap_user, smtp_sink, config, dict(os.environ, TEST_IMAP_PASSWORD=imap_user.password)
    )
    yield made
    made.close()


def attachment_of(data: bytes) -> bytes:
    message = email.message_from_bytes(data, policy=policy.default)
    part = next(p for p in message.walk() if p.get_filename())
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload


def test_a_35_mb_reply_registers_and_is_filed_intact(rig: Rig) -> None:
    big = with_attachment("esittaja@espoo.fi", YES, BIG)
    assert len(big) > 33 * 1024 * 1024  # as large on the wire as the Outlook mail
    rig.user.maildir.joinpath("new", "big.eml").write_bytes(big)
    os.chown(rig.user.maildir / "new" / "big.eml", *_owner(rig.user.maildir))

    result = rig.cli("run", "--once")

    assert "1 new message(s)" in result.out, result
    [row] = rig.registrations()
    assert (row["email"], row["status"]) == ("esittaja@espoo.fi", "registered")
    [answer] = sent(rig.sink)
    assert answer.recipient == "esittaja@espoo.fi"
    filed = folder_messages(rig.user, "Handled")
    assert len(filed) == 1 and attachment_of(filed[0]) == attachment_of(big), (
        "the filed copy lost its attachment"
    )


def test_initiative_attachments_are_kept_or_refused_by_the_limit_whatever_the_message_size(rig: Rig) -> None:
    """One initiative with a 3 MB presentation (kept: under the 5 MB default limit) beside a
    25 MB one (refused as too large, and the sender is told), both in messages over the size
    at which a message is streamed instead of read whole."""
    small = with_attachment(
        "aloittaja@espoo.fi", "Ehdotan teemaa.", 3 * 1024 * 1024, subject="Aloite: arviointi"
    )
    large = with_attachment("toinen@espoo.fi", "Ehdotan toista.", BIG, subject="Aloite: toinen", seed=2)
    for name, data in (("a.eml", small), ("b.eml", large)):
        path = rig.user.maildir / "new" / name
        path.write_bytes(data)
        os.chown(path, *_owner(rig.user.maildir))

    rig.cli("run", "--once")

    listed = {
        row["submitter"]: row for row in json.loads(rig.query("initiatives", "list", "--format", "json").out)
    }
    assert set(listed) == {"aloittaja@espoo.fi", "toinen@espoo.fi"}, listed
    saved = list((rig.root / "attachments").rglob("esitys.pptx"))
    assert len(saved) == 1 and saved[0].read_bytes() == attachment_of(small), saved
    answers = {m.recipient: parsed(d.data) for m, d in zip(sent(rig.sink), rig.sink.messages, strict=True)}
    refused = answers["toinen@espoo.fi"].get_body(("plain",))
    assert refused is not None and "esitys.pptx" in refused.get_content(), "the sender is not told"
    kept = answers["aloittaja@espoo.fi"].get_body(("plain",))
    assert kept is not None and "esitys.pptx" in kept.get_content()


def test_the_maildir_source_streams_big_messages_and_files_them_whole(tmp_path: Path) -> None:
    from automation.inbox.maildir import MaildirSource

    inbox, handled = tmp_path / "inbox", tmp_path / "handled"
    source = MaildirSource(inbox, handled, None, lambda refs: set())
    big = with_attachment("esittaja@espoo.fi", YES, 4 * 1024 * 1024)
    (inbox / "new" / "big").write_bytes(big)
    [raw] = list(source.fetch_new(0, 0))
    assert raw.spool is not None and len(raw.data) < 100_000, "read whole instead of streamed"
    message = parse_message(raw.data, spooled=True)
    assert "Kyllä, tulen" in message.reply_text
    assert [(a.filename, a.size) for a in message.attachments] == [("esitys.pptx", 4 * 1024 * 1024)]
    source.finish([raw], [])
    raw.discard_spool()
    [filed] = [p.read_bytes() for p in (handled / "new").iterdir()]
    assert filed == big


@pytest.mark.parametrize(
    "build",
    [
        lambda: with_attachment("a@espoo.fi", YES, 2 * 1024 * 1024),
        lambda: outlook_reply("b@espoo.fi", "Tulen. " + "x" * 3_000_000),  # one huge text part
    ],
    ids=["attachment", "huge-text"],
)
def test_the_reduced_message_reads_as_the_original(tmp_path: Path, build: Callable[[], bytes]) -> None:
    original = build()
    reducer = Reducer(tmp_path)
    for start in range(0, len(original), 65_536):  # chunk borders fall anywhere
        reducer.feed(original[start : start + 65_536])
    reduced = reducer.close()
    whole, read = parse_message(original), parse_message(reduced, spooled=True)
    same: list[Any] = [whole.sender, whole.subject, whole.message_id, whole.reply_text[:1000]]
    assert [read.sender, read.subject, read.message_id, read.reply_text[:1000]] == same
    assert [(a.filename, a.size) for a in read.attachments] == [
        (a.filename, a.size) for a in whole.attachments
    ]
    assert extract(reduced, 10 * 1024 * 1024, tmp_path)[0] == extract(original, 10 * 1024 * 1024)[0]


def test_a_spooled_marker_written_by_a_sender_is_not_believed(tmp_path: Path) -> None:
    """A small message claiming a part was spooled (to make a file be read from the spool
    directory, or a size be believed) is read as it is."""
    forged = with_attachment("a@espoo.fi", YES, 1000).replace(
        b"Content-Disposition: attachment",
        b"X-Automation-Spooled: part-1; size=1\nContent-Disposition: attachment",
    )
    (tmp_path / "part-1").write_bytes(b"%PDF forged")
    [attachment] = parse_message(forged).attachments
    assert attachment.size == 1000
    kept, _ = extract(forged, 10_000)
    assert [k.data[:4] for k in kept] == [b"PK\x03\x04"]
    # Through the reader the marker is removed and its own is the only one.
    reducer = Reducer(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    reducer.feed(forged)
    assert reducer.close().count(b"X-Automation-Spooled") == 1


def _owner(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_uid, stat.st_gid


def test_hostile_mail_through_the_streaming_reader_still_gives_a_result(tmp_path: Path) -> None:
    """Every deterministic bomb of the hostile-mail tests, streamed as a big message would be:
    the reader returns a message the parser reads, quickly, and never more than it was given."""
    import time

    from hostile_mail import BOMBS

    for name, build in sorted(BOMBS.items()):
        data = build()
        spool = tmp_path / str(abs(hash(name)))
        spool.mkdir()
        started = time.monotonic()
        reducer = Reducer(spool)
        for start in range(0, len(data), 1024 * 1024):
            reducer.feed(data[start : start + 1024 * 1024])
        reduced = reducer.close()
        parse_message(reduced, spooled=True)
        assert time.monotonic() - started < 10, f"{name}: too slow"
        spooled = sum(p.stat().st_size for p in spool.iterdir())
        marks = 64 * reducer.parts  # one X-Automation-Spooled line per spooled part
        assert len(reduced) <= len(data) + marks + 4096 and spooled <= len(data), name
