"""A backlog is read by a second process while the first writes the register (inbox/readahead.py).

What a user notices: every message of a backlog is handled once, in the order it arrived (the
last seat goes to whoever answered first), exactly as if it had been read inline; a reader
process that dies or cannot start changes nothing but the speed."""

from __future__ import annotations

import email
import json
import mailbox
import sys
import time
from collections import Counter
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from imapclient import IMAPClient
from mails import apple_reply, gmail_reply, outlook_reply, plain
from servers import ImapUser, SmtpSink
from test_integration import write_config

from automation.cli import main
from automation.inbox import readahead
from automation.inbox.base import RawMail
from automation.inbox.readahead import ReadAhead
from automation.parse.classify import classify
from automation.parse.message import parse_message

ADDRESS = "verkosto@example.org"
REPO = Path(__file__).resolve().parent.parent

ANSWERS = [
    ("fi", "Kyllä, me tullaan kolmestaan."),
    ("fi", "Valitettavasti en pääse tällä kertaa."),
    ("fi", "Tulen luultavasti, vahvistan ensi viikolla."),
    ("sv", "Tyvärr hinner jag inte den här gången."),
    ("sv", "Jag hänger på!"),
    ("en", "I'm game, see you there."),
    ("en", "Hopefully I can make it."),
]


def backlog(count: int) -> list[bytes]:
    """Replies as Outlook, Gmail and Apple Mail send them, some plain mail among them."""
    shapes = [outlook_reply, gmail_reply, apple_reply]
    mails = []
    for n in range(count):
        language, text = ANSWERS[n % len(ANSWERS)]
        sender = f"person{n}@example.fi"
        if n % 10 == 9:
            mails.append(plain(sender, "Kysymys", "Onko paikalla pysäköintiä?"))
        elif shapes[n % 3] is outlook_reply:
            mails.append(outlook_reply(sender, text, language=language))
        else:
            mails.append(shapes[n % 3](sender, text))
    return mails


def raw_mails(datas: list[bytes]) -> Iterator[RawMail]:
    for n, data in enumerate(datas):
        yield RawMail(ref=f"test:{n}", data=data)


def inline(data: bytes) -> tuple[str, str, str, str]:
    message = parse_message(data)
    seen = classify(message, ADDRESS)
    return message.key, str(seen.kind), seen.reason, seen.intent.evidence if seen.intent else ""


TWO_CPUS = pytest.mark.skipif(readahead._cpus() < 2, reason="a reader starts only with two CPUs")


def handled_like(mail: RawMail, read: object) -> None:
    """What handle() costs: reading the message where nobody read it ahead, and the register's
    writes (a few milliseconds, so that the reader's start-up is not the whole backlog)."""
    if read is None:
        inline(mail.data)
    time.sleep(0.004)


@TWO_CPUS
def test_a_backlog_is_read_by_the_second_process_exactly_as_it_is_read_inline() -> None:
    datas = backlog(12 * readahead.BATCH)
    got = []
    with ReadAhead(ADDRESS) as ahead:
        for mail, read in ahead.read(raw_mails(datas)):
            handled_like(mail, read)
            got.append((mail, read))
        shared = ahead.shared
    assert [mail.ref for mail, _ in got] == [f"test:{n}" for n in range(len(datas))]
    assert shared > 0, "the reader process read nothing of a 600-message backlog"
    ahead_read = [(mail, read) for mail, read in got if read is not None]
    assert len(ahead_read) >= shared * readahead.BATCH
    for mail, read in ahead_read:
        message, seen = read
        evidence = seen.intent.evidence if seen.intent else ""
        assert (message.key, str(seen.kind), seen.reason, evidence) == inline(mail.data)


@TWO_CPUS
def test_the_reader_runs_this_package_from_any_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon started from a directory that holds another `automation` (an old checkout)."""
    decoy = tmp_path / "automation" / "inbox"
    decoy.mkdir(parents=True)
    for folder in (decoy.parent, decoy):
        (folder / "__init__.py").write_text("raise SystemExit('the wrong automation package')\n")
    monkeypatch.chdir(tmp_path)
    got = []
    with ReadAhead(ADDRESS) as ahead:
        for mail, read in ahead.read(raw_mails(backlog(8 * readahead.BATCH))):
            handled_like(mail, read)
            got.append(read)
    assert ahead.shared > 0 and sum(read is not None for read in got) >= ahead.shared * readahead.BATCH


def test_a_few_messages_start_no_second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(ReadAhead, "_start", lambda self: started.append(self))
    with ReadAhead(ADDRESS) as ahead:
        got = list(ahead.read(raw_mails(backlog(readahead.BATCH - 1))))
    assert started == [] and len(got) == readahead.BATCH - 1
    assert all(read is None for _, read in got)  # read where they are handled, as always


def test_on_one_cpu_no_second_process_is_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readahead.os, "sched_getaffinity", lambda pid: {0})
    with ReadAhead(ADDRESS) as ahead:
        got = list(ahead.read(raw_mails(backlog(4 * readahead.BATCH))))
        assert ahead.process is None
    assert [mail.ref for mail, _ in got] == [f"test:{n}" for n in range(4 * readahead.BATCH)]
    assert all(read is None for _, read in got)


@TWO_CPUS
def test_a_reader_that_dies_midway_loses_and_repeats_nothing() -> None:
    datas = backlog(10 * readahead.BATCH)
    seen: list[str] = []
    killed = False
    with ReadAhead(ADDRESS) as ahead:
        for mail, read in ahead.read(raw_mails(datas)):
            handled_like(mail, read)
            seen.append(mail.ref)
            if not killed and ahead.shared and ahead.process is not None:
                ahead.process.kill()  # while it holds a batch or waits for the next
                killed = True
    assert killed, "the reader never took part: nothing was tested"
    assert seen == [f"test:{n}" for n in range(len(datas))]


def test_a_reader_that_cannot_start_leaves_the_writer_reading_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    datas = backlog(4 * readahead.BATCH)
    with ReadAhead(ADDRESS) as ahead:
        got = list(ahead.read(raw_mails(datas)))
    assert [mail.ref for mail, _ in got] == [f"test:{n}" for n in range(len(datas))]
    assert ahead.shared == 0


@pytest.mark.parametrize("cpus", [1, 2])
def test_mail_fetched_ahead_but_never_handled_leaves_no_spool_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    monkeypatch.setattr(readahead.os, "sched_getaffinity", lambda pid: set(range(cpus)))
    spools = []
    mails = []
    for n, data in enumerate(backlog(12 * readahead.BATCH)):  # more than the queue holds
        spool = tmp_path / f"spool{n}"
        spool.mkdir()
        spools.append(spool)
        mails.append(RawMail(ref=f"test:{n}", data=data, spool=spool))
    with ReadAhead(ADDRESS) as ahead:
        for mail, _ in ahead.read(iter(mails)):
            mail.discard_spool()  # as poll() does once a message is handled
            if mail.ref == "test:3":
                break  # the database went away: the pass stops here
    left = [s.name for s in spools if s.exists()]
    fetched = len(mails) - len(left)
    assert left == [f"spool{n}" for n in range(fetched, len(mails))], "a fetched message's spool stayed"
    assert fetched > 2 * readahead.BATCH  # some were fetched ahead and never handed out


def test_the_run_summary_of_a_long_backlog_lists_the_first_and_counts_the_rest(tmp_path: Path) -> None:
    """A coordinator running `run --once` after a long pause gets a readable summary (and the
    daemon a flat memory): the first SHOWN lines, then the rest counted by kind."""
    from automation.service import SHOWN

    count = SHOWN + 60
    (tmp_path / "contacts.csv").write_text("email,name,organisation,language\n", encoding="utf-8")
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    for n in range(count):
        question = n % 20 == 19
        text = "Voiko osallistua etänä?" if question else "Kyllä, tulen."
        box.add(plain(f"person{n}@example.fi", "Tapaaminen 12.3.", text))
    (tmp_path / "config.toml").write_text(
        f"""
[network]
address = "{ADDRESS}"

[mailbox]
kind = "maildir"
path = "inbox"
handled_folder = "handled"

[sending]
kind = "maildir"
path = "sent"

[templates]
directory = "{REPO / "templates"}"

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = "Kuntatalo"
theme = "Tekoäly"
""",
        encoding="utf-8",
    )
    args = ["--config", str(tmp_path / "config.toml"), "--now", "2024-02-14T10:00", "run", "--once"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{count} new message(s)" in result.output
    listed = [line for line in lines if "@example.fi" in line and "→" not in line]
    assert len(listed) == SHOWN
    [more, more_sent] = [line for line in lines if "… and" in line]
    questions = count // 20
    shown_questions = sum(1 for line in listed if line.startswith("  ATTENTION unknown"))
    rest = Counter(
        registration=count - questions - (SHOWN - shown_questions), unknown=questions - shown_questions
    )
    by_kind = ", ".join(f"{n} {kind}" for kind, n in rest.most_common() if n)
    assert more.startswith(f"  … and 60 more: {by_kind}. ")
    assert f"{questions} of this pass's messages wait for you in `automation attention`" in more
    # Each is answered: a confirmation, or "did you mean to register?" for a question.
    assert (
        f"sent to Maildir {tmp_path / 'sent'} ({count - questions} confirmation, {questions} unclear)"
        in outbox_line(lines)
    )
    assert more_sent == f"  … and {count - SHOWN} more"
    desk = CliRunner().invoke(main, [*args[:4], "attention", "--json"])
    assert desk.exit_code == 0, desk.output
    assert len(json.loads(desk.output)) == questions


def outbox_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("Outbox: "))


# ---- through Dovecot and SMTP ----------------------------------------------------------------------


def test_a_backlog_through_dovecot_keeps_first_come_first_served(
    tmp_path: Path, imap_user: ImapUser, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = 8 * readahead.BATCH
    capacity = people - 40
    monkeypatch.setenv("TEST_IMAP_PASSWORD", imap_user.password)
    config = write_config(tmp_path, imap_user, smtp_sink, capacity)
    lines = [
        f"person{n}@example.fi,Person {n},Org {n % 7},{('fi', 'sv', 'en')[n % 3]}" for n in range(people)
    ]
    (tmp_path / "contacts.csv").write_text(
        "email,name,organisation,language\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )

    def cli(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--now", "2024-02-14T10:00", *args])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    cli("invite", "2024-03")
    cli("run", "--once")
    invitations = {m.envelope_to[0]: parse(m.data) for m in smtp_sink.wait_for(people)}
    smtp_sink.clear()

    # Everyone answers yes while the daemon is down; person0 first, then person1, ...
    client = IMAPClient(imap_user.host, port=imap_user.port, ssl=False)
    client.login(imap_user.username, imap_user.password)
    for n in range(people):
        invitation = invitations[f"person{n}@example.fi"]
        text = ("Kyllä, tulen.", "Jag kommer gärna.", "Yes, I'll be there.")[n % 3]
        client.append(
            "INBOX",
            outlook_reply(
                f"person{n}@example.fi",
                text,
                to=str(invitation["Reply-To"]),
                references=str(invitation["Message-ID"]),
            ),
        )
    output = cli("run", "--once")
    assert f"{people} new message(s)" in output
    rows = json.loads(cli("registrations", "2024-03", "--format", "json"))
    status = {r["email"]: r["status"] for r in rows}
    assert len(status) == people
    assert [status[f"person{n}@example.fi"] for n in range(people)] == ["registered"] * capacity + [
        "waiting"
    ] * (people - capacity)
    client.select_folder("INBOX", readonly=True)
    assert client.search(["ALL"]) == []
    assert client.select_folder("Handled", readonly=True)[b"EXISTS"] == people
    client.logout()
    answers = smtp_sink.wait_for(people)
    assert sorted(m.envelope_to[0] for m in answers) == sorted(invitations)  # one answer each

    # A second pass reads nothing again and sends nothing again.
    assert "0 new message(s)" in cli("run", "--once")
    assert len(smtp_sink.messages) == people


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]
