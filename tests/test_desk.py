"""The coordinator's desk (issue 14): attention items resolved like a clear reply, registrations
by hand, the digest by email and the answers to it. Real Dovecot, real SMTP sink, real SQLite."""

from __future__ import annotations

import email
import itertools
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from imapclient import IMAPClient
from mails import outlook_reply, plain
from servers import DovecotServer, ImapUser, SmtpSink, loopback_config

from automation.cli import main
from automation.workflows.digest import read_answers

REPO = Path(__file__).resolve().parent.parent
NOW = "2024-02-14T10:00"
COORDINATOR = "koordinaattori@example.org"
FAILED_DKIM = "mx.example.org; dkim=fail header.d=example.fi; spf=fail smtp.mailfrom=example.fi"
# What an outgoing mail is, apart from the moment and the tokens of one installation.
ROW = "purpose, template, recipient, language, meeting, calendar_method, auto_submitted"


@dataclass
class Desk:
    """One installation: its own Dovecot user, SMTP sink, config and database."""

    root: Path
    user: ImapUser
    sink: SmtpSink
    config: Path

    def cli(self, *args: str, now: str = NOW, expect: int = 0) -> str:
        result = CliRunner().invoke(
            main,
            ["--config", str(self.config), "--now", now, *args],
            env={"TEST_IMAP_PASSWORD": self.user.password},
        )
        assert result.exit_code == expect, result.output + repr(result.exception)
        return result.output

    def run(self, now: str = NOW) -> str:
        return self.cli("run", "--once", now=now)

    def deliver(self, raw: bytes) -> None:
        client = self._imap()
        client.append("INBOX", raw)
        client.logout()

    def folder(self, name: str) -> list[EmailMessage]:
        client = self._imap()
        try:
            if not client.folder_exists(name):
                return []
            client.select_folder(name, readonly=True)
            fetched = client.fetch(client.search(["ALL"]), [b"BODY.PEEK[]"])
            return [_parsed(data[b"BODY[]"]) for data in fetched.values()]
        finally:
            client.logout()

    def _imap(self) -> IMAPClient:
        client = IMAPClient(self.user.host, port=self.user.port, ssl=False)
        client.login(self.user.username, self.user.password)
        return client

    def sent_to(self, address: str) -> list[EmailMessage]:
        return [_parsed(m.data) for m in self.sink.messages if m.envelope_to == [address]]

    def invitation(self, address: str, meeting: str = "2024-03") -> EmailMessage:
        for msg in self.sent_to(address):
            if str(msg["Message-ID"]).startswith(f"<invite.{meeting}."):
                return msg
        raise AssertionError(f"no invitation to {address}")

    def reply(
        self, address: str, text: str, *, sender: str = "", extra: dict[str, str] | None = None
    ) -> bytes:
        """A reply to `address`'s invitation (its reply token), from `sender` (default: them)."""
        invitation = self.invitation(address)
        raw = outlook_reply(
            sender or address, text, to=str(invitation["Reply-To"]), references=str(invitation["Message-ID"])
        )
        return _with_headers(raw, extra or {})

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.root / "automation.db")

    def last_outbox(self) -> int:
        with self.db() as db:
            return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM outbox").fetchone()[0])

    def outbox(self, after: int) -> list[tuple[Any, ...]]:
        with self.db() as db:
            rows = db.execute(
                f"SELECT {ROW} FROM outbox WHERE id > ? AND purpose NOT LIKE 'digest%' ORDER BY id", [after]
            ).fetchall()
        return sorted(rows)

    def registration(self, address: str, meeting: str = "2024-03") -> dict[str, Any] | None:
        rows = json.loads(self.cli("registrations", meeting, "--format", "json"))
        found = [
            {k: r[k] for k in ("email", "name", "organisation", "language", "status", "diet", "attendance")}
            for r in rows
            if r["email"] == address
        ]
        return found[0] if found else None

    def items(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = json.loads(self.cli("attention", "--json"))
        return items


def _parsed(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def _with_headers(raw: bytes, headers: dict[str, str]) -> bytes:
    msg = _parsed(raw)
    for name, value in headers.items():
        msg[name] = value
    return msg.as_bytes()


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


# One Dovecot serves the whole session: every desk needs a login no other test has used
# (id() of a fresh list is reused once the old one is freed, so it named two tests' users alike).
_LOGINS = itertools.count(1)


@pytest.fixture
def desks(tmp_path: Path, dovecot: DovecotServer) -> Iterator[Callable[..., Desk]]:
    made: list[Desk] = []

    def make(capacity: int = 60, name: str = "") -> Desk:
        root = tmp_path / (name or f"desk{len(made)}")
        root.mkdir()
        username = f"desk-{next(_LOGINS)}"
        user = ImapUser(dovecot.host, dovecot.port, username, "pw-" + username, Path())
        maildir = dovecot.add_user(username, user.password)
        user = ImapUser(dovecot.host, dovecot.port, username, user.password, maildir)
        sink = SmtpSink()
        sink.start()
        (root / "contacts.csv").write_text(
            "email,name,organisation,language\n"
            "maija@example.fi,Maija Meikäläinen,Espoon kaupunki,fi\n"
            "anna@example.fi,Anna Åström,Vasa stad,sv\n"
            "john@example.org,John Smith,Example Ltd,en\n",
            encoding="utf-8",
        )
        config = root / "config.toml"
        config.write_text(
            f"""
[network]
address = "verkosto@example.org"
coordinator = "{COORDINATOR}"

{loopback_config(user, sink, "TEST_IMAP_PASSWORD")}

[templates]
directory = "{REPO / "templates"}"

[security]
trusted_authserv_id = "mx.example.org"

[digest]
hour = 8

[[meetings]]
code = "2024-03"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = "Kuntatalo"
theme = "Tekoäly"
capacity = {capacity}

[[meetings]]
code = "2024-09"
start = 2024-09-10T09:00:00
end = 2024-09-10T12:00:00
registration_deadline = 2024-08-20
place = "Oodi"
""",
            encoding="utf-8",
        )
        desk = Desk(root, user, sink, config)
        made.append(desk)
        desk.run()  # invitations to 2024-03 are due (28 days before): each contact has a token
        desk.sink.wait_for(3)
        return desk

    yield make
    for desk in made:
        desk.sink.stop()


# ---- attention items resolve exactly as a clear reply --------------------------------------------


@dataclass(frozen=True)
class Case:
    """One reason a message is set aside: the message, what resolves it, the clear reply
    that would have reached the same decision, and what the person was before."""

    reason: str
    unclear: Callable[[Desk], bytes]
    answer: tuple[str, ...]
    clear: Callable[[Desk], bytes]
    registered_first: bool = False


CASES = [
    Case(
        "unclear",
        lambda d: d.reply("maija@example.fi", "Mietin vielä asiaa ja palaan siihen."),
        ("--as", "yes"),
        lambda d: d.reply("maija@example.fi", "Kyllä, tulen"),
    ),
    Case(
        "no-meeting",
        lambda d: plain("maija@example.fi", "Tapaaminen", "Ehkä tulen."),
        ("--as", "maybe", "--meeting", "2024-03"),
        lambda d: d.reply("maija@example.fi", "Ehkä tulen."),
    ),
    Case(
        "unverified-cancellation",
        lambda d: d.reply("maija@example.fi", "En pääse.", sender="pekka@example.fi"),
        ("--as", "no"),
        lambda d: d.reply("maija@example.fi", "Peruutan ilmoittautumiseni."),
        registered_first=True,
    ),
    Case(
        "forged",
        lambda d: d.reply("maija@example.fi", "Kyllä, tulen", extra={"Authentication-Results": FAILED_DKIM}),
        ("--as", "yes"),
        lambda d: d.reply("maija@example.fi", "Kyllä, tulen"),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.reason for c in CASES])
def test_each_attention_reason_resolves_to_what_a_clear_reply_does(
    desks: Callable[..., Desk], case: Case
) -> None:
    held, clear = desks(name="held"), desks(name="clear")
    for desk in (held, clear):
        if case.registered_first:
            desk.deliver(desk.reply("maija@example.fi", "Kyllä, tulen"))
            desk.run()
            assert desk.registration("maija@example.fi")["status"] == "registered"  # type: ignore[index]

    held.deliver(case.unclear(held))
    held.run()
    items = held.items()
    assert [i["reason"] for i in items] == [case.reason], items
    item = items[0]
    assert item["number"] >= 1 and item["received"] and item["subject"]
    assert item["sender"] in ("maija@example.fi", "pekka@example.fi")
    assert {"number", "received", "sender", "subject", "reason", "meeting"} <= set(item)
    assert len(held.folder("Attention")) == 1
    listing = held.cli("attention")
    assert f"#{item['number']}" in listing and case.reason in listing
    assert item["subject"] in held.cli("attention", "show", str(item["number"]))

    before = held.last_outbox()
    said = held.cli("attention", "resolve", str(item["number"]), *case.answer)
    assert f"#{item['number']} resolved" in said

    clear_before = clear.last_outbox()
    clear.deliver(case.clear(clear))
    clear.run()

    assert held.registration("maija@example.fi") == clear.registration("maija@example.fi")
    assert held.outbox(before) == clear.outbox(clear_before) != []
    assert held.folder("Attention") == []
    assert item["subject"] in [str(m["Subject"]) for m in held.folder("Handled")]
    assert held.items() == []

    # Resolving again does nothing and says so.
    again = held.cli("attention", "resolve", str(item["number"]), *case.answer)
    assert "already resolved" in again and "nothing done" in again
    assert held.outbox(before) == clear.outbox(clear_before)


def test_an_unreadable_message_is_listed_and_can_be_set_aside(desks: Callable[..., Desk]) -> None:
    desk = desks()
    desk.deliver(b"From: \x00\x01\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n\xff\xfe")
    desk.run()
    [item] = desk.items()
    before = desk.last_outbox()
    assert "resolved as ignore" in desk.cli("attention", "resolve", str(item["number"]), "--as", "ignore")
    assert desk.items() == [] and desk.folder("Attention") == []
    assert len(desk.folder("Handled")) == 1
    assert desk.outbox(before) == []


def test_a_resolution_that_would_still_need_a_human_changes_nothing(desks: Callable[..., Desk]) -> None:
    desk = desks()
    desk.deliver(plain("maija@example.fi", "Tapaaminen", "Ehkä tulen."))
    desk.run()
    [item] = desk.items()
    before = desk.last_outbox()
    said = desk.cli("attention", "resolve", str(item["number"]), "--as", "yes", expect=2)
    assert "no meeting matched" in said and "--meeting" in said
    assert desk.outbox(before) == [] and len(desk.items()) == 1
    assert len(desk.folder("Attention")) == 1


# ---- registrations by hand ---------------------------------------------------------------------


def test_register_and_cancel_by_hand_follow_capacity_and_the_waiting_list(desks: Callable[..., Desk]) -> None:
    desk = desks(capacity=1)
    start = desk.last_outbox()
    said = desk.cli(
        "register", "2024-03", "Liisa.Korhonen@example.fi", "--name", "Liisa Korhonen", "--diet", "vegaani"
    )
    assert "registered for 2024-03" in said
    desk.cli("register", "2024-03", "anna@example.fi")
    assert desk.registration("liisa.korhonen@example.fi") == {
        "email": "liisa.korhonen@example.fi",
        "name": "Liisa Korhonen",
        "organisation": "",
        "language": "fi",
        "status": "registered",
        "diet": "vegaani",
        "attendance": "",
    }
    assert desk.registration("anna@example.fi")["status"] == "waiting"  # type: ignore[index]
    rows = desk.outbox(start)
    assert (
        "confirm",
        "confirmation",
        "liisa.korhonen@example.fi",
        "fi",
        "2024-03",
        "REQUEST",
        "auto-replied",
    ) in rows
    assert ("confirm", "waitlisted", "anna@example.fi", "sv", "2024-03", "", "auto-replied") in rows

    # Someone not on the contact list is added (they get invitations from now on).
    with desk.db() as db:
        added = db.execute(
            "SELECT name, source FROM contacts WHERE email = 'liisa.korhonen@example.fi'"
        ).fetchone()
    assert added[0] == "Liisa Korhonen" and added[1].startswith("desk")

    before = desk.last_outbox()
    said = desk.cli("cancel", "2024-03", "liisa.korhonen@example.fi")
    assert "anna@example.fi promoted" in said
    assert desk.registration("anna@example.fi")["status"] == "registered"  # type: ignore[index]
    assert desk.registration("liisa.korhonen@example.fi")["status"] == "cancelled"  # type: ignore[index]
    templates = [r[1] for r in desk.outbox(before)]
    assert sorted(templates) == ["cancelled", "promoted"]

    desk.run()  # the outbox flushes: each confirmation arrives, in the person's language
    liisa = {
        str(m["Message-ID"]).split(".")[0]: str(m["Content-Language"])
        for m in desk.sent_to("liisa.korhonen@example.fi")
    }
    anna = {
        str(m["Message-ID"]).split(".")[0]: str(m["Content-Language"])
        for m in desk.sent_to("anna@example.fi")
    }
    # Registered, then cancelled: she has answered for this meeting, so its invitation would only
    # ask her again; she is on the contact list now (checked above) for the meetings to come.
    assert liisa == {"<confirm": "fi", "<cancel": "fi"}
    assert anna == {"<invite": "sv", "<confirm": "sv", "<promote": "sv"}  # waiting list, promoted


def test_quiet_sends_nothing(desks: Callable[..., Desk]) -> None:
    desk = desks(capacity=1)
    before = desk.last_outbox()
    assert "nothing sent" in desk.cli("register", "2024-03", "john@example.org", "--remote", "--quiet")
    assert "nothing sent" in desk.cli("register", "2024-03", "anna@example.fi", "--quiet")
    assert desk.registration("john@example.org")["attendance"] == "remote"  # type: ignore[index]
    assert desk.registration("anna@example.fi")["status"] == "waiting"  # type: ignore[index]
    assert "nothing sent" in desk.cli("cancel", "2024-03", "john@example.org", "--quiet")
    assert desk.registration("anna@example.fi")["status"] == "registered"  # type: ignore[index]
    assert desk.outbox(before) == []
    count = len(desk.sink.messages)
    desk.run()
    assert [m for m in desk.sink.messages[count:] if m.envelope_to != [COORDINATOR]] == []


def test_register_names_what_is_wrong_in_one_line(desks: Callable[..., Desk]) -> None:
    desk = desks()
    assert "no meeting '2099-01'" in desk.cli("register", "2099-01", "a@example.fi", expect=2)
    assert "not an email address" in desk.cli("register", "2024-03", "not-an-address", expect=2)
    assert "no attention item #99" in desk.cli("attention", "resolve", "99", "--as", "yes", expect=2)


# ---- the digest ----------------------------------------------------------------------------------


def _digests(desk: Desk) -> list[EmailMessage]:
    return [
        m
        for m in desk.sent_to(COORDINATOR)
        if str(m["Message-ID"]).startswith(("<digest-daily", "<digest-weekly"))
    ]


def test_the_digest_comes_daily_when_something_waits_and_weekly_otherwise(desks: Callable[..., Desk]) -> None:
    desk = desks()  # its first pass (14.2. 10.00): nothing waits, a new installation sends none
    assert _digests(desk) == []
    desk.run(now="2024-02-14T15:00")
    desk.run(now="2024-02-15T09:00")
    assert _digests(desk) == []  # nothing waits, and a week has not passed

    desk.deliver(desk.reply("anna@example.fi", "Jag funderar fortfarande."))
    desk.run(now="2024-02-15T09:30")  # read after this pass's digest job: the next pass sends
    desk.run(now="2024-02-15T09:31")
    [daily] = _digests(desk)
    [item] = desk.items()
    text = _text(daily)
    assert f"#{item['number']}" in text and "anna@example.fi" in text and "Jag funderar" in text
    assert "2024-03" in text and "ilmoittautuneita" in text
    assert "+" in str(daily["Reply-To"])  # the digest's own token

    desk.run(now="2024-02-16T07:00")  # before the hour: nothing
    assert len(_digests(desk)) == 1
    desk.run(now="2024-02-16T08:05")
    assert len(_digests(desk)) == 2 and f"#{item['number']}" in _text(_digests(desk)[1])

    desk.cli("attention", "resolve", str(item["number"]), "--as", "ignore", now="2024-02-16T09:00")
    desk.run(now="2024-02-17T08:05")  # nothing waits any more and the last was yesterday
    assert len(_digests(desk)) == 2
    desk.run(now="2024-02-22T08:05")
    assert len(_digests(desk)) == 2
    desk.run(now="2024-02-23T08:05")  # a week after the last one: the short weekly digest
    assert len(_digests(desk)) == 3
    weekly = _digests(desk)[2]
    assert "Viikkokooste" in str(weekly["Subject"]) and "2024-03" in _text(weekly)


def _held_by_two(desk: Desk) -> tuple[int, int, EmailMessage]:
    desk.deliver(desk.reply("maija@example.fi", "Mietin vielä asiaa."))
    desk.deliver(desk.reply("john@example.org", "Let me think about it."))
    desk.run(now="2024-02-15T07:00")
    numbers = {i["sender"]: i["number"] for i in desk.items()}
    desk.run(now="2024-02-15T08:05")
    digest = _digests(desk)[-1]
    return numbers["maija@example.fi"], numbers["john@example.org"], digest


def _answer(digest: EmailMessage, text: str, sender: str = COORDINATOR, to: str = "") -> bytes:
    return outlook_reply(sender, text, to=to or str(digest["Reply-To"]), references=str(digest["Message-ID"]))


def test_a_reply_to_the_digest_resolves_its_items_and_says_what_was_done(desks: Callable[..., Desk]) -> None:
    desk = desks()
    maija, john, digest = _held_by_two(desk)
    before = desk.last_outbox()
    desk.deliver(_answer(digest, f"#{maija} kyllä\n#{john} ohita\n#777 ja"))
    desk.run(now="2024-02-15T09:00")

    assert desk.registration("maija@example.fi")["status"] == "registered"  # type: ignore[index]
    assert desk.registration("john@example.org") is None
    assert (
        "confirm",
        "confirmation",
        "maija@example.fi",
        "fi",
        "2024-03",
        "REQUEST",
        "auto-replied",
    ) in desk.outbox(before)
    assert desk.items() == []
    assert desk.folder("Attention") == []
    [answer] = [m for m in desk.sent_to(COORDINATOR) if str(m["Message-ID"]).startswith("<digest-answer")]
    text = _text(answer)
    assert f"#{maija} kyllä: tehty" in text and f"#{john} ohita: tehty" in text
    assert "#777 ja: ei tässä koosteessa" in text

    # The same answer again: nothing happens twice, and the answer says so.
    again = _answer(digest, f"#{maija} kyllä")
    desk.deliver(again)
    count = desk.last_outbox()
    desk.run(now="2024-02-15T09:30")
    rows = desk.outbox(count)
    assert rows == []
    answers = [m for m in desk.sent_to(COORDINATOR) if str(m["Message-ID"]).startswith("<digest-answer")]
    assert "oli jo ratkaistu" in _text(answers[-1])

    # Resolved items leave the digest: with nothing else waiting, no daily digest comes at all;
    # with something new, only that is listed.
    sent = len(_digests(desk))
    desk.run(now="2024-02-16T08:05")
    assert len(_digests(desk)) == sent
    desk.deliver(desk.reply("anna@example.fi", "Jag funderar fortfarande."))
    desk.run(now="2024-02-17T07:00")
    desk.run(now="2024-02-17T08:05")
    latest = _text(_digests(desk)[-1])
    assert "anna@example.fi" in latest and "maija@example.fi" not in latest and "john@" not in latest


@pytest.mark.parametrize(
    "forgery",
    ["other-from", "no-token", "failed-dkim"],
)
def test_a_forged_reply_to_the_digest_changes_nothing(desks: Callable[..., Desk], forgery: str) -> None:
    desk = desks()
    maija, _, digest = _held_by_two(desk)
    raw = {
        "other-from": _answer(digest, f"#{maija} kyllä", sender="maija@example.fi"),
        "no-token": _answer(digest, f"#{maija} kyllä", to="verkosto@example.org"),
        "failed-dkim": _with_headers(
            _answer(digest, f"#{maija} kyllä"),
            {"Authentication-Results": FAILED_DKIM.replace("example.fi", "example.org")},
        ),
    }[forgery]
    before = desk.last_outbox()
    desk.deliver(raw)
    desk.run(now="2024-02-15T09:00")
    assert desk.registration("maija@example.fi") is None
    assert desk.outbox(before) == []
    assert maija in [i["number"] for i in desk.items()]  # still open, and the forgery is shown too
    assert not [m for m in desk.sent_to(COORDINATOR) if str(m["Message-ID"]).startswith("<digest-answer")]


def test_answer_lines_are_read_in_finnish_swedish_and_english() -> None:
    lines = read_answers(
        "#3 kyllä\n #4 EI\n#5 ohita\n#6 ja 2024-09\n#7 nej\n#8 ignore\n#9 maybe\n#3 ei\n#10 hmm"
    )
    assert [(x.number, x.answer, x.meeting) for x in lines] == [
        (3, "yes", None),
        (4, "no", None),
        (5, "ignore", None),
        (6, "yes", "2024-09"),
        (7, "no", None),
        (8, "ignore", None),
        (9, "maybe", None),
        (10, "", None),
    ]
    assert read_answers("#N kyllä (ilmoittaudu)\n#3  2024-02-13T15:02  maija@example.fi") == []


def test_resolving_as_an_initiative_does_what_an_initiative_mail_does(desks: Callable[..., Desk]) -> None:
    held, clear = desks(name="held"), desks(name="clear")
    text = "I propose that the member networks share their training material openly."
    held.deliver(plain("john@example.org", "Idea", text))
    held.run()
    [item] = held.items()
    before = held.last_outbox()
    assert "resolved as initiative" in held.cli(
        "attention", "resolve", str(item["number"]), "--as", "initiative"
    )
    clear_before = clear.last_outbox()
    clear.deliver(plain("john@example.org", "Initiative: Idea", text))
    clear.run()

    def initiatives(desk: Desk) -> list[dict[str, Any]]:
        rows = json.loads(desk.cli("initiatives", "list", "--format", "json"))
        return [{k: r[k] for k in ("reference", "title", "status", "submitter", "meeting")} for r in rows]

    assert initiatives(held) == initiatives(clear) != []
    assert held.outbox(before) == clear.outbox(clear_before) != []
    assert held.folder("Attention") == [] and held.items() == []


def _planned_digests(desk: Desk, now: str, until: str) -> list[str]:
    output = desk.cli("plan", "--until", until, now=now)
    return [" ".join(line.split()[:4]) for line in output.splitlines() if "digest (" in line]


def test_plan_lists_the_digests_the_daemon_then_sends(desks: Callable[..., Desk]) -> None:
    desk = desks()
    desk.run(now="2024-02-15T09:00")
    # Nothing waits: the first digest is the weekly one, a week after the installation began.
    assert _planned_digests(desk, "2024-02-15T09:10", "2024-02-24") == ["21.02.2024 08:00 digest (weekly)"]

    desk.deliver(desk.reply("anna@example.fi", "Jag funderar fortfarande."))
    desk.run(now="2024-02-15T09:30")
    # An item waits: a daily digest at once (the next pass) and every morning until it is resolved.
    assert _planned_digests(desk, "2024-02-15T09:30", "2024-02-17") == [
        "15.02.2024 09:30 digest (daily)",
        "16.02.2024 08:00 digest (daily)",
        "17.02.2024 08:00 digest (daily)",
    ]
    desk.run(now="2024-02-15T09:31")
    desk.run(now="2024-02-16T08:05")
    assert len(_digests(desk)) == 2

    [item] = desk.items()
    desk.cli("attention", "resolve", str(item["number"]), "--as", "ignore", now="2024-02-16T09:00")
    assert _planned_digests(desk, "2024-02-16T09:00", "2024-02-24") == ["23.02.2024 08:00 digest (weekly)"]
    for day in ("17", "18", "19", "20", "21", "22"):
        desk.run(now=f"2024-02-{day}T08:05")
    assert len(_digests(desk)) == 2
    desk.run(now="2024-02-23T08:05")
    assert len(_digests(desk)) == 3
