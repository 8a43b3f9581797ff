"""A season of the network in simulated time, with faults, checked against invariants.

    python benchmarks/soak.py [--quick] [--seed N] [--json FILE]

Starts its own servers on 127.0.0.1 (tests/servers.py, tests/oauth_servers.py): Dovecot (IMAP,
validating OAuth2 tokens itself), an aiosmtpd server (the same) and the stand-in identity
provider's token endpoint, and runs the real daemon (`automation run` and `run --once`, as
processes) through a season: by default 90 simulated days, 1,000 contacts and 4 meetings (one
moved, one cancelled, one with a small capacity and a waiting list); `--quick` 14 days and 120
contacts. Simulated time is the CLI's `--now`: every process is started at its slot's moment and
never sleeps through time.

Traffic (soak_traffic.py, soak_mail.py): replies from the labelled set answering the
invitations the daemon really sent (to their reply-token address), changes of mind, calendar
Accept/Decline, out-of-office answers, DSN bounces, initiatives, unsubscribes, erasure requests
confirmed by mail, a yes after the meeting began, duplicates, replies with a 25 MB attachment,
hostile mail. Faults: SIGKILL of the daemon or of a pass at a random moment (at least once a
simulated day), Dovecot restarted under the daemon, the SMTP server refusing every message with
4xx for hours and some recipients with 5xx, the database locked by another process, the config
edited (a meeting moved, one cancelled, a template broken and fixed), OAuth2 tokens that expire
within a run and the token endpoint down (refusing, or not listening) for a slot or two.

Then soak_check.py checks the invariants; the result is printed and (--json) written. A failing
run prints its seed and exits 1; the same seed replays the same season (what remains
nondeterministic is real process timing: see `nondeterminism` in the report).
"""

from __future__ import annotations

import argparse
import hashlib
import imaplib
import json
import logging
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO / "tests", REPO / "benchmarks", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import soak_mail  # noqa: E402
from oauth_servers import IdentityProvider, OAuthDovecot, OAuthSmtpSink, TokenAuthority  # noqa: E402
from peak import read as read_peak  # noqa: E402
from soak_check import Outgoing, Record, check  # noqa: E402
from soak_traffic import CONFIRM, DURATION, INITIATIVE, SIZES, START, Answer, Meeting, World, build  # noqa: E402

SECRET_ENV = "SOAK_OAUTH_CLIENT_SECRET"
CLIENT_ID = "verkosto-soak"
# Seconds. Dovecot and the SMTP server check a token's `exp` against the real clock (simulated
# time cannot reach them), so tokens live two real seconds: a daemon in IDLE renews them within
# its slot, and one obtained in one process is never seen by the next.
TOKEN_LIFETIME = 2
BROKEN_TEMPLATE = "fi/tentative.md"
BREAK = "{% if name %}\n"  # an unclosed block  # broken for a while: only maybes in Finnish wait for it
PEAK = str(REPO / "benchmarks" / "peak.py")  # `automation ...`, its peak and its reader's to $PEAK_FILE
NONDETERMINISM = (
    "The season (people, answers and their slots, faults and their slots) is drawn from the seed;"
    " real process timing is not. (1) A SIGKILL lands at a real moment: mail SMTP accepted just"
    " before it but not yet recorded as sent goes out again with the same Message-ID"
    " (resent_after_a_kill; messages_out varies by that much), and which process (the killed"
    " daemon or the next pass) handled a message, answered it and refiled it varies; so do `kills`"
    " and `kills_during_a_pass`, as a planned kill of a pass counts only if the pass is still"
    " running when it comes. (2) --now is"
    " the slot's moment plus the real seconds since the slot began, so handled and sent times,"
    " Date headers and the day a mail counts toward the daily answer limit vary by seconds."
    " (3) How many OAuth2 tokens a process needs depends on how long it runs (two-second tokens):"
    " oauth_tokens_issued and the renewals vary, and a token issued in the last of its whole"
    " seconds can reach the server already expired and is renewed (oauth_*_refused). (4) The"
    " answers of a daemon slot that arrive while it runs may be handled by it or, when the kill"
    " comes first, by the next pass. The distinct mail sent (messages_out_distinct and its"
    " sha256) is the same for a seed unless one of these moved a mail across a moment that"
    " matters (a deadline, the daily limit), which the slots' hours keep far apart."
)
# Where an address is stored; after its erasure none of these may name it.
ERASED_FROM = (
    ("contacts", "email"),
    ("registrations", "email"),
    ("messages", "sender"),
    ("outbox", "recipient"),
    ("tokens", "email"),
    ("calendar_holders", "email"),
    ("bounces", "email"),
    ("initiatives", "submitter_email"),
)
LOCKER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
open(sys.argv[3], "w").close()
time.sleep(float(sys.argv[2]))
connection.rollback()
"""


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Faults:
    kills: int = 0
    token_endpoint_down: list[str] = field(default_factory=list)  # "refusing 503" / "unreachable"
    token_endpoint_down_slots: int = 0
    tokens_in_one_process: list[int] = field(default_factory=list)  # tokens each process obtained
    kills_during_pass: int = 0
    dovecot_restarts: int = 0
    smtp_outages: int = 0
    smtp_outage_hours: float = 0.0
    db_locks: int = 0
    config_edits: list[str] = field(default_factory=list)


@dataclass
class Soak:
    world: World
    work: Path
    dovecot: OAuthDovecot
    sink: OAuthSmtpSink
    idp: IdentityProvider
    user: str
    password: str  # only for the soak's own look into the mailbox (APPEND); the daemon uses tokens
    secret: str  # the OAuth2 client secret, in the daemon's environment only
    faults: Faults = field(default_factory=Faults)
    records: list[Record] = field(default_factory=list)  # every message appended, in order
    outgoing: list[Outgoing] = field(default_factory=list)
    invitations: dict[tuple[str, str], bytes] = field(default_factory=dict)
    holders: set[tuple[str, str]] = field(default_factory=set)  # got the event (REQUEST)
    skipped: int = 0  # planned answers never sent (no invitation came: unsubscribed, bounced)
    peaks_kb: list[int] = field(default_factory=list)
    peak_of: dict[str, tuple[int, str]] = field(default_factory=dict)  # the largest, and which command
    outputs: list[str] = field(default_factory=list)
    processes: int = 0
    slot_time: datetime = START
    slot_started: float = 0.0
    seen_sink: int = 0
    current: str = ""  # the command last started, for the peak's report
    tokens_before: int = 0  # tokens issued when the command last started
    waiting_for_tokens: list[str] = field(default_factory=list)  # keys appended while the endpoint was down
    token_problems: list[str] = field(default_factory=list)
    erase_asks: dict[str, bytes] = field(default_factory=dict)  # person -> our "confirm the erasure" mail
    erased: dict[str, datetime] = field(default_factory=dict)  # person -> slot their confirmation went in

    # ---- clock and processes -------------------------------------------------------------------

    def now(self) -> str:
        moment = self.slot_time + timedelta(seconds=time.monotonic() - self.slot_started)
        return moment.isoformat(timespec="seconds")

    @property
    def config(self) -> Path:
        return self.work / "config.toml"

    def command(self, *args: str) -> tuple[list[str], dict[str, str], Path]:
        self.processes += 1
        peak = self.work / "peaks" / f"{self.processes}.kb"
        # This checkout's code, whatever the environment has installed (the processes run in
        # the work directory, where `-m automation` would find another copy first).
        path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))
        env = dict(os.environ, PEAK_FILE=str(peak), PYTHONPATH=path, **{SECRET_ENV: self.secret})
        if os.environ.get("SOAK_STACK_MB"):
            env["PEAK_STACK_MB"] = os.environ["SOAK_STACK_MB"]
        self.tokens_before = len(self.idp.issued())
        argv = [sys.executable, PEAK, "--config", str(self.config), "--now", self.now(), *args]
        self.current = f"{' '.join(args)} at {self.now()}"
        return argv, env, peak

    def run(self, *args: str) -> str:
        argv, env, peak = self.command(*args)
        done = subprocess.run(argv, cwd=self.work, env=env, capture_output=True, text=True, check=False)
        self._peak(peak)
        self.outputs.append(done.stdout + done.stderr)
        return done.stdout

    def spawn(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        argv, env, peak = self.command(*args)
        out = (self.work / "logs" / f"{self.processes}.log").open("wb")
        process = subprocess.Popen(argv, cwd=self.work, env=env, stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return process, peak

    def kill(self, process: subprocess.Popen[bytes], peak: Path) -> None:
        """SIGKILL by pid (the peak so far read from /proc first: a killed process writes only
        its reader's)."""
        own = 0
        if process.poll() is None:
            own = _vm_hwm(process.pid)
            process.send_signal(signal.SIGKILL)
            self.faults.kills += 1
        process.wait(timeout=60)
        self._peak(peak, own)
        self._log_of(process)

    def stop(self, process: subprocess.Popen[bytes], peak: Path) -> None:
        own = 0
        if process.poll() is None:
            own = _vm_hwm(process.pid)
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self._peak(peak, own)
        self._log_of(process)

    def _log_of(self, process: subprocess.Popen[bytes]) -> None:
        logs = sorted((self.work / "logs").glob("*.log"), key=lambda p: int(p.stem))
        if logs:
            self.outputs.append(logs[-1].read_text(errors="replace"))

    def _peak(self, path: Path, own_kb: int = 0) -> None:
        """The process's peak plus its reader process's (benchmarks/peak.py); `own_kb` read from
        /proc before it was stopped or killed, where its own exit may have written none."""
        # Processes run one at a time (the locker is no daemon): the tokens issued meanwhile are its.
        self.faults.tokens_in_one_process.append(len(self.idp.issued()) - self.tokens_before)
        written, reader = read_peak(path)
        path.unlink(missing_ok=True)
        if written or reader or own_kb:
            self.peaks_kb.append(max(written, own_kb) + reader)
        if self.peaks_kb and self.peaks_kb[-1] > self.peak_of.get("max", (0, ""))[0]:
            self.peak_of["max"] = (self.peaks_kb[-1], self.current)

    # ---- the configuration ---------------------------------------------------------------------

    def write_config(self) -> None:
        size, moment = self.world.size, self.slot_time
        meetings = "".join(_meeting_toml(m, moment) for m in self.world.meetings)
        self.config.write_text(
            f"""
[network]
address = "verkosto@example.org"
name = "Digitalisaatioverkostojen verkosto"
coordinator = "koordinaattori@example.org"

[mailbox]
kind = "imap"
host = "{self.dovecot.host}"
port = {self.dovecot.port}
username = "{self.user}"
security = "none"
idle = true
poll_seconds = 1
handled_folder = "Handled"
attention_folder = "Attention"

[mailbox.oauth2]
provider = "generic"
token_url = "{self.idp.base}/generic/token"
client_id = "{CLIENT_ID}"
client_secret_env = "{SECRET_ENV}"
ca_file = "{self.idp.ca_file}"

[sending]
kind = "smtp"
host = "{self.sink.host}"
port = {self.sink.port}
security = "none"
batch_size = 500
oauth2 = "mailbox"

[storage]
database = "automation.db"
busy_timeout_seconds = 1

[security]
max_auto_replies_per_day = 10

[templates]
directory = "templates"

[contacts]
file = "contacts.csv"

[schedule]
invite_days_before = {size.invite_days_before}
deadline_reminder_days_before = {size.deadline_reminder_days_before}
meeting_reminder_days_before = {size.meeting_reminder_days_before}
outbox_seconds = 1
lifecycle_seconds = 1
{meetings}""",
            encoding="utf-8",
        )

    def edit_config(self) -> None:
        """The coordinator's edits that fall due in this slot: a meeting moved or cancelled, a
        template broken and, a day later, fixed."""
        before = self.config.read_text() if self.config.exists() else ""
        self.write_config()
        if before and before != self.config.read_text():
            self.faults.config_edits.append(f"{self.slot_time:%d.%m. %H:%M} meeting moved or cancelled")
        template = self.work / "templates" / BROKEN_TEMPLATE
        broken_from = START + timedelta(days=2, hours=12)
        broken = broken_from <= self.slot_time < broken_from + timedelta(days=1)
        text = template.read_text(encoding="utf-8")
        # The break goes right after the front matter (the subject), as a coordinator's edit of
        # the text would: an unclosed block.
        head, _, body = text.partition("\n---\n")
        head += "\n---\n"
        if broken and not body.startswith(BREAK):
            template.write_text(head + BREAK + body, encoding="utf-8")
            self.faults.config_edits.append(
                f"{self.slot_time:%d.%m. %H:%M} template {BROKEN_TEMPLATE} broken"
            )
        elif not broken and body.startswith(BREAK):
            template.write_text(head + body.removeprefix(BREAK), encoding="utf-8")
            self.faults.config_edits.append(f"{self.slot_time:%d.%m. %H:%M} template {BROKEN_TEMPLATE} fixed")

    # ---- mail in and out -----------------------------------------------------------------------

    def imap(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.dovecot.host, self.dovecot.port, timeout=60)
        client.login(self.user, self.password)
        return client

    def deliver(self, due: list[Answer], pending: list[Answer], others: bool = True) -> None:
        """APPEND what is due now and can be sent (its invitation arrived); keep the rest.
        `others`: also the initiatives and hostile mail of the slot (once a slot)."""
        world = self.world
        mails: list[tuple[Record, bytes]] = []
        for answer in due:
            if answer.person in self.erased:  # they asked to be forgotten: they write no more
                self.skipped += 1
                continue
            made = self._mail_for(answer)
            if made is None:
                meeting = _meeting(world, answer.meeting)
                if self.slot_time < meeting.start - timedelta(hours=3):
                    pending.append(answer)  # the invitation may still come (an SMTP outage)
                else:
                    self.skipped += 1
                continue
            message_id, data = made
            record = Record(
                message_id, answer.person, answer.meeting, answer.label, self.slot_time, answer.duplicate
            )
            mails.append((record, data))
            if answer.duplicate:
                mails.append((record, data))
        for sender, at, language in world.initiatives if others else ():
            if self.previous_slot < at <= self.slot_time:
                message_id, data = soak_mail.initiative(
                    sender, at, language, INITIATIVE[language], world.seed
                )
                mails.append((Record(message_id, sender, "", "initiative", self.slot_time), data))
        for index, at in enumerate(world.hostile if others else ()):
            if self.previous_slot < at <= self.slot_time:
                data = soak_mail.hostile(index, at)
                mails.append((Record(f"hostile-{index}", "", "", "hostile", self.slot_time), data))
        for person, at, language in world.erasures if others else ():
            if self.previous_slot < at <= self.slot_time:
                message_id, data = soak_mail.erase_request(person, at, language, world.seed)
                mails.append((Record(message_id, person, "", "erase-request", self.slot_time), data))
        for person, ask in list(self.erase_asks.items()) if others else ():
            if person in self.erased:
                continue
            language = next(lang for p, _, lang in world.erasures if p == person)
            text = CONFIRM[language]
            confirm = Answer(person, "", self.slot_time, "erase-confirm", text, language=language)
            message_id, data = soak_mail.reply(confirm, ask, world.seed)
            mails.append((Record(message_id, person, "", "erase-confirm", self.slot_time), data))
            self.erased[person] = self.slot_time
        if not mails:
            return
        client = self.imap()
        try:
            for record, data in mails:
                client.append("INBOX", None, None, data)
                self.records.append(record)
        finally:
            client.logout()

    def _mail_for(self, answer: Answer) -> tuple[str, bytes] | None:
        key = (answer.person, answer.meeting)
        invitation = self.invitations.get(key)
        seed = self.world.seed
        if invitation is None:
            return None
        if answer.label == "ooo":
            return soak_mail.out_of_office(answer, seed)
        if answer.label == "bounce":
            return soak_mail.bounce(answer, invitation, seed)
        if answer.label in ("cal-yes", "cal-no"):
            if key not in self.holders:
                return None
            return soak_mail.calendar_reply(answer, f"meeting-{answer.meeting}@example.org", seed)
        return soak_mail.reply(answer, invitation, seed)

    def handled(self, keys: set[str]) -> set[str]:
        """Which of these message keys the daemon has recorded (the database, read-only)."""
        if not keys or not (self.work / "automation.db").exists():
            return set()
        connection = sqlite3.connect(f"file:{self.work / 'automation.db'}?mode=ro", uri=True, timeout=30)
        try:
            marks = ",".join("?" * len(keys))
            rows = connection.execute(f"SELECT key FROM messages WHERE key IN ({marks})", sorted(keys))
            return {row[0] for row in rows}
        except sqlite3.OperationalError:  # locked by the soak's locker: ask again later
            return set()
        finally:
            connection.close()

    def collect(self) -> None:
        """What the SMTP server accepted since the last look."""
        messages = self.sink.messages
        for mail in messages[self.seen_sink :]:
            out = Outgoing.parse(mail.envelope_to, mail.data)
            self.outgoing.append(out)
            if out.purpose == "invite" and (out.recipient, out.meeting) not in self.invitations:
                self.invitations[(out.recipient, out.meeting)] = mail.data
            if b"METHOD:REQUEST" in mail.data and out.meeting:
                self.holders.add((out.recipient, out.meeting))
            erasers = {person for person, _, _ in self.world.erasures}
            if out.purpose == "privacy-erase" and out.recipient in erasers:
                self.erase_asks.setdefault(out.recipient, mail.data)
        self.seen_sink = len(messages)

    previous_slot: datetime = START - timedelta(days=1)


def _vm_hwm(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            return int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
    except (OSError, StopIteration, ValueError):
        return 0


def _meeting(world: World, code: str) -> Meeting:
    return next(m for m in world.meetings if m.code == code)


def _meeting_toml(meeting: Meeting, moment: datetime) -> str:
    start = meeting.start_at(moment)
    cancelled = meeting.cancelled_on is not None and moment >= meeting.cancelled_on
    capacity = f"capacity = {meeting.capacity}\n" if meeting.capacity else ""
    return f"""
[[meetings]]
code = "{meeting.code}"
start = {start:%Y-%m-%dT%H:%M:%S}
end = {start + DURATION:%Y-%m-%dT%H:%M:%S}
registration_deadline = {meeting.deadline:%Y-%m-%d}
place = {{ fi = "Kuntatalo", sv = "Kommunernas hus", en = "Kuntatalo" }}
address = "Toinen linja 14, 00530 Helsinki"
theme = {{ fi = "Tekoäly opetuksessa", sv = "AI i undervisningen", en = "AI in education" }}
{capacity}cancelled = {"true" if cancelled else "false"}
"""


# ---- one slot: traffic, faults, the daemon -------------------------------------------------------


@dataclass(frozen=True)
class SlotPlan:
    kill: str = ""  # "daemon" | "pass": SIGKILL it after `delay` seconds
    delay: float = 0.0
    restart_dovecot: bool = False
    lock_db: bool = False
    outage: str = ""  # "start" | "end" of a 4xx outage
    token_endpoint: str = ""  # "refusing" | "unreachable" from this slot on, or "back"


def plan_faults(world: World, rng_seed: int) -> dict[datetime, SlotPlan]:
    """At least one kill per simulated day, Dovecot restarts, DB locks and SMTP outages, all
    drawn from the seed."""
    import random

    rng = random.Random(rng_seed * 7919)
    size = world.size
    plans: dict[datetime, SlotPlan] = {}
    slots = [START + timedelta(days=d, hours=h) for d in range(size.days) for h in size.slots]
    for day in range(size.days):
        # The daemon never ends by itself, so its kill always lands: at least one a day. A pass
        # may be done before its kill comes.
        today = [s for s in slots if (s - START).days == day]
        first, *more = rng.sample(today, 1 + (rng.random() < 0.4))
        plans[first] = SlotPlan(kill="daemon", delay=rng.uniform(0.2, 3.5))
        for slot in more:
            plans[slot] = SlotPlan(kill="pass", delay=rng.uniform(0.2, 3.5))
    outages = max(1, size.days // 20)
    for i, slot in enumerate(rng.sample(slots[len(size.slots) : -len(size.slots) * 2], outages * 4)):
        old = plans.get(slot, SlotPlan())
        plans[slot] = SlotPlan(old.kill, old.delay, restart_dovecot=i % 2 == 0, lock_db=i % 2 == 1)
    for day in sorted(rng.sample(range(1, size.days - 2), outages)):
        first = START + timedelta(days=day, hours=size.slots[0])
        plans[first] = SlotPlan(**{**plans.get(first, SlotPlan()).__dict__, "outage": "start"})
        last = START + timedelta(days=day, hours=size.slots[-1])
        plans[last] = SlotPlan(**{**plans.get(last, SlotPlan()).__dict__, "outage": "end"})
    # The token endpoint down for one or two slots (refusing with 503, or not listening), from
    # its own generator so the faults above stay those of earlier runs of the same seed.
    rng = random.Random(rng_seed * 104729)
    windows = max(2, size.days // 15)
    usable = list(range(len(size.slots), len(slots) - len(size.slots) * 2))
    starts: list[int] = []
    while len(starts) < windows:
        index = rng.choice(usable)
        if all(abs(index - other) > 3 for other in starts):
            starts.append(index)
    for n, index in enumerate(sorted(starts)):
        down, back = slots[index], slots[index + rng.choice((1, 2))]
        mode = "refusing" if n % 2 == 0 else "unreachable"
        plans[down] = replace(plans.get(down, SlotPlan()), token_endpoint=mode)
        plans[back] = replace(plans.get(back, SlotPlan()), token_endpoint="back")
    return plans


def token_endpoint_goes_down(soak: Soak, plan: SlotPlan) -> None:
    """At the slot's start, before its mail arrives: the endpoint refuses or stops listening."""
    if plan.token_endpoint == "refusing":
        soak.idp.refuse(503, "temporarily_unavailable", "The service is temporarily unavailable.")
    elif plan.token_endpoint == "unreachable":
        soak.idp.go_down()
    else:
        return
    soak.faults.token_endpoint_down.append(f"{soak.slot_time:%d.%m. %H:%M} {plan.token_endpoint}")


def token_endpoint_comes_back(soak: Soak) -> None:
    """The daemon, started while the endpoint is still down, must get a token once it answers
    again and handle what waited, without being restarted."""
    process, peak = soak.spawn("run")
    time.sleep(1.5)
    soak.idp.allow()
    soak.idp.come_back()
    waited = set(soak.waiting_for_tokens)
    before = soak.tokens_before  # issued when this daemon started (none since: the endpoint was down)

    def recovered() -> bool:
        return len(soak.idp.issued()) > before and waited <= soak.handled(waited)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not recovered():
        time.sleep(0.5)
    missing = waited - soak.handled(waited)
    got_token = len(soak.idp.issued()) > before
    soak.stop(process, peak)
    if not got_token:
        soak.token_problems.append(
            f"{soak.slot_time:%d.%m. %H:%M}: the daemon running when the endpoint came back got no token"
        )
    if missing:
        soak.token_problems.append(
            f"{soak.slot_time:%d.%m. %H:%M}: the daemon running when the endpoint came back had not"
            f" handled {len(missing)} of the {len(waited)} messages that waited, e.g. {sorted(missing)[0]}"
        )
    soak.waiting_for_tokens = []


def run_slot(soak: Soak, plan: SlotPlan, later: list[Answer], pending: list[Answer]) -> None:
    """`later`: answers that arrive while the daemon is in IDLE, once its first token has run
    out (it must log in to SMTP with a renewed one), before it is killed."""
    if plan.token_endpoint == "back":
        token_endpoint_comes_back(soak)
    if plan.outage == "start":
        soak.sink.refuse_all()
        soak.faults.smtp_outages += 1
    if plan.kill == "daemon" or plan.restart_dovecot:
        process, peak = soak.spawn("run")
        waited = 0.0
        if plan.restart_dovecot:
            time.sleep(1.0)
            soak.dovecot.restart()
            soak.faults.dovecot_restarts += 1
            waited = 1.0
        if plan.kill:
            time.sleep(TOKEN_LIFETIME + 0.2 - waited)
            soak.deliver(later, pending, others=False)
            waited = 0.0
        time.sleep(max(plan.delay - waited, 0.5) if plan.kill else 1.5)
        if plan.kill:
            soak.kill(process, peak)
        else:
            soak.stop(process, peak)
    elif plan.kill == "pass":
        process, peak = soak.spawn("run", "--once")
        time.sleep(plan.delay)
        if process.poll() is None:
            soak.faults.kills_during_pass += 1
        soak.kill(process, peak)
    if plan.lock_db and (soak.work / "automation.db").exists():
        ready = soak.work / "locked"
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(soak.work / "automation.db"), "3", str(ready)]
        )
        while not ready.exists() and locker.poll() is None:
            time.sleep(0.02)
        soak.faults.db_locks += 1
        soak.run("run", "--once")  # meets the lock: its mail waits for the next pass
        locker.wait(timeout=30)
        ready.unlink(missing_ok=True)
    soak.run("run", "--once")
    if plan.outage == "end":
        soak.sink.accept_all()
        soak.faults.smtp_outage_hours += soak.world.size.slots[-1] - soak.world.size.slots[0]
    soak.collect()


def season(soak: Soak) -> None:
    world = soak.world
    plans = plan_faults(world, world.seed)
    pending: list[Answer] = []
    queue = list(world.answers)
    for day in range(world.size.days):
        for hour in world.size.slots:
            soak.slot_time = START + timedelta(days=day, hours=hour)
            soak.slot_started = time.monotonic()
            soak.edit_config()
            due = pending + [a for a in queue if a.at <= soak.slot_time]
            queue = [a for a in queue if a.at > soak.slot_time]
            pending = []
            plan = plans.get(soak.slot_time, SlotPlan())
            token_endpoint_goes_down(soak, plan)
            appended = len(soak.records)
            # With a daemon in IDLE this slot, every other answer arrives while it runs.
            now, later = (due[::2], due[1::2]) if plan.kill == "daemon" else (due, [])
            soak.deliver(now, pending)
            run_slot(soak, plan, later, pending)
            down = not soak.idp.up or soak.idp.state.refusal is not None
            if down:
                soak.faults.token_endpoint_down_slots += 1
                soak.waiting_for_tokens += [r.key for r in soak.records[appended:] if r.label != "hostile"]
            if down and soak.handled(set(soak.waiting_for_tokens)):
                soak.token_problems.append(
                    f"{soak.slot_time:%d.%m. %H:%M}: mail was handled while the token endpoint was"
                    " down (the outage did not hold the daemon back: the fault was not injected)"
                )
            soak.previous_slot = soak.slot_time
        log(
            f"day {day + 1}/{world.size.days}: {len(soak.records)} in, {len(soak.outgoing)} out,"
            f" {soak.faults.kills} kills"
        )
    soak.sink.accept_all()
    soak.slot_time = START + timedelta(days=world.size.days, hours=6)
    soak.slot_started = time.monotonic()
    for _ in range(10):  # clean passes until one finds nothing to do
        if "Nothing new: nothing was changed and nothing sent." in soak.run("run", "--once"):
            break
    soak.collect()


# ---- the end state, read through the CLI and read-only from the files ----------------------------


def end_state(soak: Soak) -> dict[str, Any]:
    state: dict[str, Any] = {"registrations": {}}
    for meeting in soak.world.meetings:
        output = soak.run("registrations", meeting.code, "--format", "json")
        state["registrations"][meeting.code] = json.loads(output or "[]")
    state["status"] = soak.run("status")
    state["initiatives"] = json.loads(soak.run("initiatives", "list", "--format", "json") or "[]")
    site = soak.work / "public"
    soak.run("publish", "--output", str(site))
    state["ics"] = (
        (site / "meetings.ics").read_text(encoding="utf-8") if (site / "meetings.ics").exists() else ""
    )
    state["index"] = (
        (site / "index.html").read_text(encoding="utf-8") if (site / "index.html").exists() else ""
    )
    state["messages"] = []
    if (soak.work / "automation.db").exists():  # else no pass ever ran: every check fails
        connection = sqlite3.connect(f"file:{soak.work / 'automation.db'}?mode=ro", uri=True)
        connection.row_factory = sqlite3.Row
        state["messages"] = [dict(r) for r in connection.execute("SELECT * FROM messages ORDER BY rowid")]
        state["left_of_the_erased"] = {
            person: {
                f"{table}.{column}": connection.execute(
                    f"SELECT count(*) FROM {table} WHERE lower({column}) = ?", [person]
                ).fetchone()[0]
                for table, column in ERASED_FROM
            }
            for person, _, _ in soak.world.erasures
        }
        connection.close()
    client = soak.imap()
    try:
        counts = {}
        for folder in ("INBOX", "Handled", "Attention"):
            status, data = client.select(folder, readonly=True)
            counts[folder] = int(data[0] or 0) if status == "OK" else 0
        state["folders"] = counts
    finally:
        client.logout()
    return state


def report(soak: Soak, state: dict[str, Any], seconds: float) -> dict[str, Any]:
    world = soak.world
    distinct = sorted({f"{o.recipient} {o.message_id}" for o in soak.outgoing})
    if os.environ.get("SOAK_KEEP"):  # to compare two runs of a seed: diff their outgoing.txt
        (soak.work / "outgoing.txt").write_text("\n".join(distinct) + "\n", encoding="utf-8")
    invariants, details, accuracy, counts = check(
        world, soak.records, soak.outgoing, state, soak.faults.kills, soak.peaks_kb
    )
    name = "after the token endpoint came back, the daemon handled what waited for it (none while down)"
    invariants[name] = not soak.token_problems
    if soak.token_problems:
        details[name] = f"{len(soak.token_problems)}: " + "; ".join(soak.token_problems[:8])
    invariants["no traceback in any command's output"] = not any("Traceback" in o for o in soak.outputs)
    if not invariants["no traceback in any command's output"]:
        details["no traceback in any command's output"] = next(o for o in soak.outputs if "Traceback" in o)[
            -1500:
        ]
    return {
        "seed": world.seed,
        "simulated_days": world.size.days,
        "contacts": len(world.contacts),
        "meetings": [m.code for m in world.meetings],
        "messages_in": len(soak.records),
        "messages_out": len(soak.outgoing),
        # What a seed fixes: the distinct mail sent (recipient and Message-ID); what timing adds:
        # the same Message-ID again after a kill between SMTP's accept and its record.
        "messages_out_distinct": len(distinct),
        "messages_out_distinct_sha256": hashlib.sha256("\n".join(distinct).encode()).hexdigest(),
        "resent_after_a_kill": len(soak.outgoing) - len(distinct),
        "kills": soak.faults.kills,
        "kills_during_a_pass": soak.faults.kills_during_pass,
        "outages": {
            "smtp_4xx": soak.faults.smtp_outages,
            "smtp_4xx_hours": soak.faults.smtp_outage_hours,
            "smtp_5xx_recipients": sum(c.dead for c in world.contacts),
            "dovecot_restarts": soak.faults.dovecot_restarts,
            "database_locked": soak.faults.db_locks,
            "oauth_token_lifetime_seconds": TOKEN_LIFETIME,
            "oauth_tokens_issued": len(soak.idp.issued()),
            "oauth_tokens_renewed_within_a_process": sum(
                max(0, n - 1) for n in soak.faults.tokens_in_one_process
            ),
            "oauth_expired_tokens_refused_by_dovecot": soak.dovecot.log_text().count("Token has expired"),
            "oauth_tokens_refused_by_smtp": len(soak.sink.handler.refusals_seen),
            "oauth_token_endpoint_down": soak.faults.token_endpoint_down,
            "oauth_token_endpoint_down_slots": soak.faults.token_endpoint_down_slots,
        },
        "config_edits": soak.faults.config_edits,
        "answers_not_sent": soak.skipped,
        "erasures_confirmed": counts["erasures_confirmed"],
        "yes_after_the_meeting_began": counts["yes_after_the_meeting_began"],
        "processes": soak.processes,
        "peak_rss_mb": max(soak.peaks_kb, default=0) / 1024,
        "peak_rss_command": soak.peak_of.get("max", (0, ""))[1],
        "invariants": invariants,
        "failures": details,
        "reader_accuracy": accuracy,
        "seconds": round(seconds, 1),
        "nondeterminism": NONDETERMINISM,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="14 simulated days, 120 contacts: under 5 minutes"
    )
    parser.add_argument("--seed", type=int, default=1, help="the same seed replays the same season")
    parser.add_argument("--json", type=Path, help="write the result to this file")
    args = parser.parse_args()
    # The loopback SMTP server requires AUTH without TLS (as tests/oauth_servers.py says, that
    # is what it is for); aiosmtpd warns about it on every connection, which would bury the log.
    warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # Stopped from outside: still stop the servers and remove the work files (finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    world = build(SIZES["quick" if args.quick else "full"], args.seed)
    work = Path(tempfile.mkdtemp(prefix="soak", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    for sub in ("peaks", "logs"):
        (work / sub).mkdir()
    shutil.copytree(REPO / "templates", work / "templates")
    contacts = ["email,name,organisation,language"]
    contacts += [f'{c.email},"{c.name}",Espoon kaupunki,{c.language}' for c in world.contacts]
    (work / "contacts.csv").write_text("\n".join(contacts) + "\n", encoding="utf-8")
    log(f"seed {args.seed}: {world.size.days} days, {len(world.contacts)} contacts; work files in {work}")
    # OAuth2 as tests/test_oauth.py has it: Dovecot and the SMTP server validate the tokens
    # themselves (signature, exp, the mailbox), the token endpoint is the only stand-in.
    authority = TokenAuthority()
    dovecot = OAuthDovecot.start_with(authority)
    sink = OAuthSmtpSink(authority)
    sink.start()
    idp = IdentityProvider(authority)
    try:
        password = secrets.token_hex(8)
        dovecot.add_user("verkosto", password)
        secret = idp.register(CLIENT_ID, "verkosto")
        idp.set_lifetime(TOKEN_LIFETIME)
        soak = Soak(world, work, dovecot, sink, idp, "verkosto", password, secret)
        for contact in world.contacts:
            if contact.dead:
                sink.refuse_recipient(contact.email, 550, "5.1.1 no such user")
        soak.write_config()
        season(soak)
        state = end_state(soak)
        result = report(soak, state, time.perf_counter() - started)
    finally:
        idp.stop()
        sink.stop()
        dovecot.stop()
        if not os.environ.get("SOAK_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    print_result(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = [name for name, ok in result["invariants"].items() if not ok]
    if failed:
        print(
            f"\nFAILED with seed {args.seed}: replay with `python benchmarks/soak.py"
            f"{' --quick' if args.quick else ''} --seed {args.seed}`"
        )
        return 1
    return 0


def print_result(result: dict[str, Any]) -> None:
    outages = result["outages"]
    print(
        f"seed {result['seed']}: {result['simulated_days']} simulated days, {result['contacts']} contacts,"
        f" meetings {', '.join(result['meetings'])}\n"
        f"messages in {result['messages_in']}, out {result['messages_out']}"
        f" ({result['messages_out_distinct']} distinct, {result['resent_after_a_kill']} resent after a kill);"
        f" kills {result['kills']} ({result['kills_during_a_pass']} during a pass);"
        f" SMTP 4xx outages {outages['smtp_4xx']} ({outages['smtp_4xx_hours']:.0f} h),"
        f" 5xx recipients {outages['smtp_5xx_recipients']}, Dovecot restarts {outages['dovecot_restarts']},"
        f" database locked {outages['database_locked']}\n"
        f"OAuth2: {outages['oauth_tokens_issued']} tokens of {outages['oauth_token_lifetime_seconds']} s"
        f" ({outages['oauth_tokens_renewed_within_a_process']} renewed within a running process,"
        f" {outages['oauth_expired_tokens_refused_by_dovecot']} expired ones refused by Dovecot,"
        f" {outages['oauth_tokens_refused_by_smtp']} by SMTP); token endpoint down"
        f" {len(outages['oauth_token_endpoint_down'])} times for {outages['oauth_token_endpoint_down_slots']}"
        f" slots ({', '.join(outages['oauth_token_endpoint_down'])})\n"
        f"config edits: {'; '.join(result['config_edits']) or 'none'}\n"
        f"erasures by mail {result['erasures_confirmed']}; yes after the meeting began"
        f" {result['yes_after_the_meeting_began']}\n"
        f"peak RSS of the daemon {result['peak_rss_mb']:.0f} MB ({result['peak_rss_command']});"
        f" {result['processes']} processes;"
        f" {result['seconds']:.0f} s\n"
        f"reader accuracy on the labelled replies: {result['reader_accuracy']['accuracy']:.1%}"
        f" ({result['reader_accuracy']['correct']}/{result['reader_accuracy']['replies']})\n"
    )
    for name, ok in result["invariants"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    for name, detail in result["failures"].items():
        print(f"\n{name}:\n  {detail}")


if __name__ == "__main__":
    sys.exit(main())
