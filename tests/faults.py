"""Helpers for tests/test_faults.py: the real `automation` CLI as a subprocess, crash points,
IMAP in bulk and the invariants "never lose, never loop".

Run as a script it is the CLI with one deterministic fault point: the process SIGKILLs itself at
that moment, exactly as `kill -9` would, or waits there until the test lets it go on, e.g.

    python tests/faults.py --crash smtp:3 -- --config C --now 2024-02-14T10:00 run --once
    python tests/faults.py --pause smtp:1 GATE_DIR -- --config C run

The first kills the pass right after the SMTP server accepted the third message, before it is
recorded; the second stops the daemon at that moment until GATE_DIR/resume exists.
"""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from imapclient import IMAPClient
    from servers import ImapUser, SmtpSink

REPO = Path(__file__).resolve().parent.parent
MEETING = "2024-03"
NOW = datetime(2024, 2, 14, 10, 0)  # local time, before the registration deadline 2024-02-22
SENDER_DOMAIN = "example.fi"

# Fault points for `python tests/faults.py --crash|--pause POINT:N`.
CRASH_POINTS = {
    # right after the N-th message's transaction committed (registration + outbox + handled)
    "commit": "automation.service:_commit",
    # right after the state deciding the N-th message was read (seats left), before deciding
    "understood": "automation.service:understand",
    # at the N-th filing of handled mail, before the IMAP MOVE is sent
    "file": "automation.inbox.imap:ImapSource.finish",
    # right after a COPY to Handled on a server without MOVE, before \\Deleted and EXPUNGE
    "copied": "automation.inbox.imap:ImapSource._copy",
    # right after the SMTP server accepted the N-th message, before it is recorded as sent
    "smtp": "automation.transports.smtp:SmtpSession.send",
}


def automation_command() -> list[str]:
    """The installed console script next to this interpreter (the venv's), else `-m automation`."""
    script = Path(sys.executable).with_name("automation")
    return [str(script)] if script.exists() else [sys.executable, "-m", "automation"]


# ---- configuration -------------------------------------------------------------------------------


def write_config(
    root: Path,
    user: ImapUser,
    sink: SmtpSink,
    *,
    capacity: int = 100_000,
    storage: dict[str, Any] | None = None,
    schedule: dict[str, Any] | None = None,
) -> Path:
    """A config whose only outgoing mail is the answers to what arrives: no contacts (so no
    invitations), no organisers (so no calendar invitations), one meeting open for registration."""
    from servers import loopback_config  # here: the fault-injecting child process never needs it

    (root / "contacts.csv").write_text("email,name,organisation,language\n", encoding="utf-8")
    schedule = {"outbox_seconds": 1, **(schedule or {})}
    config = root / "config.toml"
    config.write_text(
        f"""
[network]
address = "verkosto@example.org"

{loopback_config(user, sink, "TEST_IMAP_PASSWORD", mailbox="poll_seconds = 1")}

[storage]
database = "automation.db"
{_toml_lines(storage or {})}

[schedule]
{_toml_lines(schedule)}

[templates]
directory = "{REPO / "templates"}"

[[meetings]]
code = "{MEETING}"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = "Kuntatalo"
theme = "Tekoäly"
capacity = {capacity}
""",
        encoding="utf-8",
    )
    return config


def _toml_lines(values: dict[str, Any]) -> str:
    return "\n".join(f"{key} = {value!r}" for key, value in values.items())


# ---- the CLI as a real process -------------------------------------------------------------------


@dataclass
class Rig:
    """One installation: config, database, mailbox user and SMTP sink, and the processes started.

    `now()` is the --now given to each process: NOW plus the real time elapsed since the rig was
    made plus `skew`, so restarts see time move on as in production and `advance()` can jump.
    """

    root: Path
    user: ImapUser
    sink: SmtpSink
    config: Path
    env: dict[str, str]
    started: float = field(default_factory=time.monotonic)
    skew: timedelta = timedelta()
    spawned: list[Spawned] = field(default_factory=list)
    runs: int = 0

    @property
    def database(self) -> Path:
        return self.root / "automation.db"

    def now(self) -> str:
        moment = NOW + timedelta(seconds=time.monotonic() - self.started) + self.skew
        return moment.isoformat(timespec="milliseconds")

    def advance(self, **delta: float) -> None:
        self.skew += timedelta(**delta)

    def argv(self, args: Sequence[str], fault: Sequence[str] = (), verbose: bool = False) -> list[str]:
        options = ["--config", str(self.config), "--now", self.now(), *(["-v"] if verbose else []), *args]
        if fault:
            return [sys.executable, str(Path(__file__).resolve()), *fault, "--", *options]
        return [*automation_command(), *options]

    def cli(self, *args: str, expect: int | None = 0, crash: str = "", timeout: float = 120) -> Result:
        """Run one command to its end (a pass with `run --once`)."""
        self.runs += 1
        done = subprocess.run(
            self.argv(args, ["--crash", crash] if crash else []),
            env=self.env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        result = Result(done.returncode, done.stdout.decode(), done.stderr.decode())
        if expect is not None:
            assert result.code == expect, f"automation {' '.join(args)}: exit {result.code}\n{result}"
        return result

    def spawn(self, *args: str, pause: str = "") -> Spawned:
        """Start a command without waiting (the long-running daemon); output goes to a log file.
        With `pause="smtp:1"` it stops at that point until `Spawned.resume()`."""
        self.runs += 1
        log = self.root / f"run-{self.runs}.log"
        handle = log.open("wb")
        gate = self.root / f"gate-{self.runs}"
        process = subprocess.Popen(
            self.argv(args, ["--pause", pause, str(gate)] if pause else [], verbose=True),
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        self.spawned.append(Spawned(process, log, handle, gate))
        return self.spawned[-1]

    def close(self) -> None:
        """Kill what we started and is still running (by pid, nothing else)."""
        for run in self.spawned:
            run.kill()

    # ---- reading the state through the CLI ----

    def query(self, *args: str, expect: int | None = 0) -> Result:
        """A read-only command, in this process (the real CLI code, without the start-up cost)."""
        from click.testing import CliRunner

        from automation.cli import main

        done = CliRunner().invoke(
            main, ["--config", str(self.config), "--now", self.now(), *args], env=self.env
        )
        if done.exception is not None and not isinstance(done.exception, SystemExit):
            raise done.exception
        result = Result(done.exit_code, done.stdout, done.stderr)
        if expect is not None:
            assert result.code == expect, f"automation {' '.join(args)}: exit {result.code}\n{result}"
        return result

    def registrations(self) -> list[dict[str, Any]]:
        import json

        rows: list[dict[str, Any]] = json.loads(self.query("registrations", MEETING, "--format", "json").out)
        return rows

    def status(self) -> Status:
        return Status.parse(self.query("status", expect=None))

    def run_until_quiet(self, limit: int = 8) -> list[Result]:
        """Clean passes until one has nothing new and sends nothing (the outbox drains in batches)."""
        results: list[Result] = []
        for _ in range(limit):
            results.append(self.cli("run", "--once"))
            if "Nothing new: nothing was changed and nothing sent." in results[-1].out:
                return results
        raise AssertionError(f"still busy after {limit} clean passes:\n{results[-1]}")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"--- stdout ---\n{self.out[-3000:]}\n--- stderr ---\n{self.err[-3000:]}"


@dataclass
class Spawned:
    process: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]
    gate: Path

    def paused(self) -> bool:
        """Whether it reached its pause point (and waits there)."""
        return (self.gate / "paused").exists()

    def resume(self) -> None:
        (self.gate / "resume").touch()

    def kill(self) -> None:
        """SIGKILL, by pid, and reap it."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.handle.close()  # closing twice is harmless

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (what systemd sends) and wait for the clean exit."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=timeout)
        self.handle.close()
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass(frozen=True)
class Status:
    text: str
    code: int
    sent: int
    waiting: int
    failed: int
    attention: int

    @classmethod
    def parse(cls, result: Result) -> Status:
        outbox = re.search(r"Outbox: (\d+) sent, (\d+) waiting, (\d+) failed", result.out)
        attention = re.search(r"Needs attention: (\d+) message", result.out)
        assert outbox and attention, f"unexpected `automation status` output:\n{result}"
        sent, waiting, failed = (int(g) for g in outbox.groups())
        return cls(result.out, result.code, sent, waiting, failed, int(attention.group(1)))


# ---- mail ----------------------------------------------------------------------------------------


def sender(i: int) -> str:
    return f"p{i}@{SENDER_DOMAIN}"


def message_id(i: int, tag: str = "reply") -> str:
    return f"<{tag}-{i}@{SENDER_DOMAIN}>"


def reply(i: int, text: str = "Kyllä, tulen", tag: str = "reply") -> bytes:
    """An Outlook reply from p{i} with a Message-ID of our choosing (unique per i and tag)."""
    from mails import outlook_reply

    msg = parsed(outlook_reply(sender(i), text))
    msg.replace_header("Message-ID", message_id(i, tag))
    return msg.as_bytes()


def parsed(data: bytes) -> EmailMessage:
    message: EmailMessage = email.message_from_bytes(data, policy=policy.default)
    return message


@dataclass(frozen=True)
class Sent:
    recipient: str
    message_id: str
    in_reply_to: str
    auto_submitted: str


def sent(sink: SmtpSink) -> list[Sent]:
    """What the SMTP server accepted, oldest first."""
    found: list[Sent] = []
    for mail in sink.messages:
        msg = parsed(mail.data)
        assert len(mail.envelope_to) == 1, mail.envelope_to
        found.append(
            Sent(
                mail.envelope_to[0].lower(),
                str(msg["Message-ID"]),
                str(msg["In-Reply-To"] or ""),
                str(msg["Auto-Submitted"] or ""),
            )
        )
    return found


# ---- IMAP ----------------------------------------------------------------------------------------


def imap(user: ImapUser) -> IMAPClient:
    from imapclient import IMAPClient

    client = IMAPClient(user.host, port=user.port, ssl=False, timeout=30)
    client.login(user.username, user.password)
    return client


def append_all(user: ImapUser, messages: Iterable[bytes], folder: str = "INBOX") -> int:
    """APPEND every message on one connection, in order (so UIDs follow the order)."""
    client = imap(user)
    try:
        count = 0
        for data in messages:
            client.append(folder, data)
            count += 1
        return count
    finally:
        client.logout()


def folder_count(user: ImapUser, folder: str) -> int:
    client = imap(user)
    try:
        if not client.folder_exists(folder):
            return 0
        return int(client.select_folder(folder, readonly=True)[b"EXISTS"])
    finally:
        client.logout()


def folder_messages(user: ImapUser, folder: str) -> list[bytes]:
    """Every message's bytes, in UID order, without touching flags."""
    client = imap(user)
    try:
        client.select_folder(folder, readonly=True)
        uids = sorted(client.search(["ALL"]))
        fetched = client.fetch(uids, [b"BODY.PEEK[]"]) if uids else {}
        return [bytes(fetched[uid][b"BODY[]"]) for uid in uids]
    finally:
        client.logout()


def uidvalidity(user: ImapUser, folder: str = "INBOX") -> int:
    client = imap(user)
    try:
        return int(client.select_folder(folder, readonly=True)[b"UIDVALIDITY"])
    finally:
        client.logout()


# ---- waiting -------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll `condition` until it is truthy; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


# ---- the invariants ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    confirmations: int
    resent: dict[str, int]  # recipient -> copies, for those who got more than one


def assert_each_answered_once(rig: Rig, senders: Sequence[int], handled: int, tag: str = "reply") -> Delivery:
    """Never lose, never loop: one registration per sender, every sender confirmed, any resend
    with the same identity, nothing waiting, nothing for the coordinator, every message filed."""
    expected = {sender(i) for i in senders}
    rows = rig.registrations()
    emails = [row["email"] for row in rows]
    assert len(emails) == len(set(emails)), "a sender has more than one registration"
    assert set(emails) == expected, (
        f"missing: {sorted(expected - set(emails))[:10]}, unexpected: {sorted(set(emails) - expected)[:10]}"
    )
    not_registered = [(row["email"], row["status"]) for row in rows if row["status"] != "registered"]
    assert not not_registered, not_registered[:10]

    mails = sent(rig.sink)
    by_recipient: dict[str, list[Sent]] = {}
    for mail in mails:
        by_recipient.setdefault(mail.recipient, []).append(mail)
    assert set(by_recipient) == expected, (
        f"never confirmed: {sorted(expected - set(by_recipient))[:10]},"
        f" unexpected recipients: {sorted(set(by_recipient) - expected)[:10]}"
    )
    for i in senders:
        copies = by_recipient[sender(i)]
        identities = {mail.message_id for mail in copies}
        assert len(identities) == 1, (
            f"{sender(i)} got {len(copies)} mails with different identities: {identities}"
        )
        assert {mail.in_reply_to for mail in copies} == {message_id(i, tag)}, copies
        assert {mail.auto_submitted for mail in copies} == {"auto-replied"}, copies

    status = rig.status()
    assert (status.waiting, status.failed, status.attention) == (0, 0, 0), status.text
    assert status.sent == len(expected), f"not every answer is recorded as sent:\n{status.text}"
    assert status.code == 0, status.text
    unfiled = folder_count(rig.user, "INBOX")
    assert unfiled == 0, f"{unfiled} message(s) left unfiled in INBOX"
    assert folder_count(rig.user, "Attention") == 0, "mail filed for the coordinator"
    filed = folder_count(rig.user, "Handled")
    assert filed == handled, f"{filed} message(s) in Handled, expected {handled}: lost or duplicated"
    return Delivery(len(mails), {r: len(c) for r, c in by_recipient.items() if len(c) > 1})


# ---- crash and pause points: `python tests/faults.py --crash POINT:N -- CLI ARGS` ----------------


def _install(action: str, spec: str, gate: Path | None) -> None:
    """Wrap the function behind POINT so that at its N-th call the process dies (SIGKILL, as
    `kill -9` would) or waits at the gate until the test lets it go on."""
    import importlib

    point, _, count = spec.partition(":")
    module_name, _, attribute = CRASH_POINTS[point].partition(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    target = int(count or 1)
    calls = 0

    def hit() -> None:
        sys.stdout.flush()
        if action == "--crash":
            os.kill(os.getpid(), signal.SIGKILL)
        assert gate is not None
        gate.mkdir(exist_ok=True)
        (gate / "paused").touch()
        deadline = time.monotonic() + 300
        while not (gate / "resume").exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        if point == "file":
            handled, attention = args[-2], args[-1]
            if handled or attention:
                calls += 1
                if calls == target:
                    hit()  # before the MOVE
            return original(*args, **kwargs)
        result = original(*args, **kwargs)
        calls += 1
        if calls == target:
            hit()  # after it happened, before anything recorded it
        return result

    setattr(owner, name, wrapper)


def _main(argv: list[str]) -> None:
    separator = argv.index("--")
    options, cli_args = argv[:separator], argv[separator + 1 :]
    if options:
        _install(options[0], options[1], Path(options[2]) if len(options) > 2 else None)
    from automation.cli import main

    main(cli_args, prog_name="automation")


if __name__ == "__main__":
    _main(sys.argv[1:])
