"""Performance of the daemon on real servers, each figure beside the limit it is measured against.

    python benchmarks/run.py [--quick] [--json FILE] [--profile DIR]

Starts its own Dovecot (IMAP) and aiosmtpd sink (SMTP) on 127.0.0.1 with their files on /dev/shm
(tests/servers.py), then measures, in one run:

1. reply latency: `automation run` (IMAP IDLE) as a subprocess; a "Kyllä, tulen" APPENDed by
   another connection; APPEND → confirmation accepted by the SMTP sink. Limit: APPEND → a
   separate IDLE connection notified, plus one SMTP send of the same confirmation.
2. ingest: one `poll()` of a realistic INBOX (benchmarks/corpus.py) into the store, replies
   queued, not sent, the backlog's reading shared with the reader process (inbox/readahead.py).
   Limit: UID FETCH BODY.PEEK[] in batches of 200 + message_from_bytes, in one process.
3. idle poll cost with nothing new at 1,000 / 10,000 / 50,000 messages (grown by COPY), on the
   daemon's warm connection. Beside it: the bare `UID SEARCH` it sends.
4. bulk send: `automation invite` to N contacts, then the outbox flushed to the sink; replies
   with calendar invites (the confirmations queued by step 2) too. Limit: smtplib sending the
   same bytes over one connection. The same queue is sent three times, each time followed by
   the limit: best of three each, so drift hits both alike.
5. peak RSS of `automation run --once` going through a 50,000-message mailbox: its own peak plus
   its reader process's (sampled while it lives), what both may hold at once at most.
6. peak RSS of `run --once` through a reply and an initiative with 25 MB attachments (35 MB on
   the wire), beside the same with 0.1 MB attached and the 150 MB ceiling.

--quick uses smaller N (every figure is still there) and finishes in under two minutes.
--profile DIR writes cProfile output of the in-process steps and of the 5th step's subprocess
(figures measured under the profiler are slower; compare only without it).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import email
import email.policy
import hashlib
import io
import json
import os
import platform
import pstats
import queue
import random
import re
import secrets
import shutil
import signal
import smtplib
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO / "tests", REPO / "benchmarks", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from corpus import MEETING_CODE, Corpus, contacts_csv  # noqa: E402
from imapclient import IMAPClient  # noqa: E402
from mails import outlook_reply, with_attachment  # noqa: E402
from peak import read as read_peak  # noqa: E402
from servers import DovecotServer, ReceivedMail, SmtpSink  # noqa: E402

from automation import config as config_module  # noqa: E402
from automation.app import App  # noqa: E402
from automation.cli.common import parse_now  # noqa: E402
from automation.daemon import Daemon, PassReport  # noqa: E402
from automation.outbox import flush  # noqa: E402
from automation.service import poll, sync_contacts  # noqa: E402

NOW = "2024-02-14T10:00"  # invitations due (28 days before 12.3.), registration open until 22.2.
PASSWORD_ENV = "BENCH_IMAP_PASSWORD"
SETTLE = 2.5  # Dovecot rescans a Maildir for ~2 s after a bulk change; measure after that


@dataclass(frozen=True)
class Sizes:
    replies: int
    reply_cap: float
    ingest: int
    idle_sizes: tuple[int, ...]
    idle_passes: int
    bulk: int
    bulk_calendar: int
    memory: int


SIZES = {
    "full": Sizes(
        replies=30, reply_cap=10.0, ingest=10_000, idle_sizes=(1000, 10_000, 50_000), idle_passes=300,
        bulk=1000, bulk_calendar=1000, memory=50_000,
    ),
    "quick": Sizes(
        replies=10, reply_cap=4.0, ingest=1500, idle_sizes=(1000, 10_000, 50_000), idle_passes=100,
        bulk=300, bulk_calendar=200, memory=2000,
    ),
}  # fmt: skip


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# ---- servers, users, configs ---------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    host: str
    port: int
    username: str
    password: str
    maildir: Path

    def login(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=60)
        client.login(self.username, self.password)
        return client

    def folder_dir(self, folder: str) -> Path:
        return self.maildir if folder == "INBOX" else self.maildir / f".{folder}"


class Bench:
    def __init__(self, dovecot: DovecotServer, sink: SmtpSink, work: Path, profile: Path | None) -> None:
        self.dovecot, self.sink, self.work, self.profile = dovecot, sink, work, profile
        self.password = secrets.token_hex(8)
        os.environ[PASSWORD_ENV] = self.password

    def user(self, name: str) -> User:
        maildir = self.dovecot.add_user(name, self.password)
        return User(self.dovecot.host, self.dovecot.port, name, self.password, maildir)

    def config(
        self,
        name: str,
        user: User,
        contacts: str,
        *,
        folder: str = "INBOX",
        file_handled: bool = True,
        smtp_port: int = 0,
    ) -> Path:
        directory = self.work / name
        directory.mkdir()
        (directory / "contacts.csv").write_text(contacts or "email,name,organisation,language\n")
        folders = f'folder = "{folder}"\n'
        if file_handled:
            folders += 'handled_folder = "Handled"\nattention_folder = "Attention"\n'
        path = directory / "config.toml"
        path.write_text(
            f"""
[network]
address = "verkosto@example.org"
name = "Digitalisaatioverkostojen verkosto"
coordinator = "koordinaattori@example.org"

[mailbox]
kind = "imap"
host = "{user.host}"
port = {user.port}
username = "{user.username}"
password_env = "{PASSWORD_ENV}"
security = "none"
idle = true
{folders}
[sending]
kind = "smtp"
host = "{self.sink.host}"
port = {smtp_port or self.sink.port}
security = "none"

[templates]
directory = "{REPO / "templates"}"

[[meetings]]
code = "{MEETING_CODE}"
start = 2024-03-12T09:00:00
end = 2024-03-12T12:00:00
registration_deadline = 2024-02-22
place = {{ fi = "Kuntatalo", sv = "Kommunernas hus", en = "Kuntatalo (House of Municipalities)" }}
address = "Toinen linja 14, 00530 Helsinki"
theme = {{ fi = "Tekoäly opetuksessa", sv = "AI i undervisningen", en = "AI in education" }}
""",
            encoding="utf-8",
        )
        return path

    def cli(self, config: Path, *args: str, prefix: tuple[str, ...] = ()) -> list[str]:
        return [sys.executable, *prefix, "-m", "automation", "--config", str(config), "--now", NOW, *args]

    @contextlib.contextmanager
    def profiled(self, name: str) -> Iterator[None]:
        if self.profile is None:
            yield
            return
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            yield
        finally:
            profiler.disable()
            write_profile(profiler, self.profile / name)


def write_profile(source: cProfile.Profile | Path, base: Path) -> None:
    base.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, cProfile.Profile):
        source.dump_stats(str(base) + ".prof")
    out = io.StringIO()
    stats = pstats.Stats(str(base) + ".prof", stream=out)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)
    Path(str(base) + ".txt").write_text(out.getvalue())


def seed(user: User, folder: str, messages: list[bytes]) -> int:
    """Deliver straight into the Maildir (as an MDA does: APPEND is ~1,000/s, this 15,000/s),
    then SELECT so Dovecot indexes them. Returns the folder's message count."""
    client = user.login()
    try:
        if folder != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        target = user.folder_dir(folder) / "new"
        owner = os.stat(user.maildir)
        stamp = int(time.time())
        for i, data in enumerate(messages):
            path = target / f"{stamp}.M{i}P{os.getpid()}.bench"
            path.write_bytes(data)
            os.chown(path, owner.st_uid, owner.st_gid)
        return int(client.select_folder(folder)[b"EXISTS"])
    finally:
        client.logout()


def contacts_for(people: list[str]) -> str:
    lines = ["email,name,organisation,language"]
    lines += [f'{email},"{email.split("@")[0]}",Espoon kaupunki,fi' for email in people]
    return "\n".join(lines) + "\n"


def clock() -> Callable[[], datetime]:
    fixed = parse_now(NOW, ZoneInfo("Europe/Helsinki"))
    return lambda: fixed


# ---- 1. reply latency -------------------------------------------------------------------------------


class IdleWatcher(threading.Thread):
    """A separate IMAP connection in IDLE on INBOX: when is new mail announced?"""

    def __init__(self, user: User) -> None:
        super().__init__(daemon=True)
        self.user = user
        self.events: queue.Queue[float] = queue.Queue()
        self.stopping = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        client = self.user.login()
        client.select_folder("INBOX")
        client.idle()
        self.ready.set()
        while not self.stopping.is_set():
            for response in client.idle_check(timeout=0.2):
                if len(response) > 1 and response[1] == b"EXISTS":
                    self.events.put(time.monotonic())
        client.idle_done()
        client.logout()

    def drain(self) -> None:
        while not self.events.empty():
            self.events.get_nowait()

    def next_after(self, start: float, timeout: float = 10.0) -> float:
        deadline = time.monotonic() + timeout
        while True:
            moment = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            if moment >= start:
                return moment


def wait_for_mail_to(sink: SmtpSink, recipient: str, timeout: float) -> ReceivedMail:
    """The first mail to `recipient` (the daemon may send others, e.g. to the coordinator)."""
    deadline = time.monotonic() + timeout
    seen = 0
    while True:
        arrived = sink.wait_for(seen + 1, timeout=max(0.001, deadline - time.monotonic()))
        for mail in arrived[seen:]:
            if mail.envelope_to == [recipient]:
                return mail
        seen = len(arrived)


def reply_latency(bench: Bench, count: int, cap: float) -> dict[str, Any]:
    """A reply not answered within `cap` seconds is counted as `cap` (a lower bound) and the run
    goes on: the daemon's fallback poll ([mailbox] poll_seconds, 60 s) would answer it later,
    and the next reply's IDLE notification makes it answer both at once."""
    log(f"1. reply latency: {count} replies to `automation run` (IMAP IDLE)")
    user = bench.user("live")
    config = bench.config("live", user, "")
    bench.sink.clear()
    daemon_log = (bench.work / "live" / "daemon.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen(
        bench.cli(config, "-v", "run"), cwd=REPO, stdout=daemon_log, stderr=subprocess.STDOUT
    )
    # The limit is watched on a mailbox of its own: where the daemon moves a message away before
    # another session's IDLE reports it, Dovecot never reports it to that session at all.
    watched = bench.user("live-limit")
    watcher = IdleWatcher(watched)
    watcher.start()
    watcher.ready.wait(10)
    client = user.login()
    limit_client = watched.login()
    rng = random.Random(3)
    replies: list[float] = []
    notified: list[float] = []
    missed = 0
    i = 0
    try:
        while len(replies) < count:
            # Warm-up: two replies, and past the daemon's first scheduled outbox flush (10 s after
            # start), which renders templates for the first time; steady state is measured.
            warming = i < 2 or time.monotonic() < started + 11
            sender = f"vastaaja.{i}@espoo.fi"
            raw = outlook_reply(sender, "Kyllä, tulen", name=f"Vastaaja Äijälä {i}")
            i += 1
            watcher.drain()
            limit_start = time.monotonic()
            limit_client.append("INBOX", raw)
            start = time.monotonic()
            client.append("INBOX", raw)
            try:
                wait_for_mail_to(bench.sink, sender, timeout=cap)
                latency = time.monotonic() - start
            except AssertionError:
                missed += 0 if warming else 1
                latency = cap
                log(f"   reply {i}{' (warm-up)' if warming else ''} not answered within {cap:.0f} s")
            seen = watcher.next_after(limit_start)
            if not warming:
                replies.append(latency)
                notified.append(seen - limit_start)
            time.sleep(rng.uniform(0.2, 1.0))  # arrivals at a random phase of the daemon's loop
    finally:
        client.logout()
        limit_client.logout()
        watcher.stopping.set()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        daemon_log.close()
        watcher.join(5)
    # The other half of the limit: one SMTP transaction on a new connection, as the daemon does,
    # with a confirmation it sent (or, if none came in time, a message of the same size).
    confirmation = next(
        (m for m in reversed(bench.sink.messages) if m.envelope_to[0].startswith("vastaaja.")),
        ReceivedMail(
            "verkosto@example.org", ["vastaaja@espoo.fi"], outlook_reply("vastaaja@espoo.fi", "x" * 3000)
        ),
    )
    sends = []
    for _ in range(20):
        start = time.monotonic()
        smtp = smtplib.SMTP(bench.sink.host, bench.sink.port, local_hostname="localhost")
        smtp.sendmail(confirmation.envelope_from, confirmation.envelope_to, confirmation.data)
        smtp.quit()
        sends.append(time.monotonic() - start)
    smtp_send = statistics.median(sends)
    idle_only = statistics.median(notified)
    return {
        "reply_latency_p50_s": statistics.median(replies),
        "reply_latency_p95_s": percentile(replies, 95),
        "reply_latency_max_s": max(replies),
        "reply_latency_all_s": [round(x, 3) for x in replies],
        "reply_latency_cap_s": cap,
        "replies_missed": missed,
        "idle_notify_only_p50_s": idle_only,
        "idle_notify_only_p95_s": percentile(notified, 95),
        "smtp_send_one_p50_s": smtp_send,
        "idle_notify_p50_s": idle_only + smtp_send,
        "replies": len(replies),
    }


# ---- 1b. daemon start, and the reply reader's own speed ---------------------------------------------


def daemon_start(bench: Bench, rounds: int) -> dict[str, Any]:
    """From `automation run` being started to (a) its first pass done ("ready") and (b) the
    answer to a reply that was waiting for it reaching the SMTP server: what a restart costs."""
    log(f"1b. daemon start: {rounds} starts of `automation run` with one reply waiting")
    user = bench.user("start")
    config = bench.config("start", user, "")
    subprocess.run(bench.cli(config, "run", "--once"), cwd=REPO, capture_output=True, check=False)
    client = user.login()
    ready: list[float] = []
    answered: list[float] = []
    try:
        for i in range(rounds):
            sender = f"aloittaja.{i}@espoo.fi"
            client.append("INBOX", outlook_reply(sender, "Kyllä, tulen", name=f"Aloittaja {i}"))
            logfile = bench.work / "start" / f"daemon-{i}.log"
            with logfile.open("w") as out:
                started = time.monotonic()
                process = subprocess.Popen(
                    bench.cli(config, "-v", "run"), cwd=REPO, stdout=out, stderr=subprocess.STDOUT
                )
                try:
                    seen_ready, seen_answer = _watch_start(bench.sink, sender, logfile, started)
                    ready.append(seen_ready)
                    answered.append(seen_answer)
                finally:
                    process.send_signal(signal.SIGTERM)
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
    finally:
        client.logout()
    return {
        "daemon_ready_p50_s": statistics.median(ready),
        "daemon_first_answer_p50_s": statistics.median(answered),
        "daemon_starts": rounds,
    }


def _watch_start(sink: SmtpSink, sender: str, logfile: Path, started: float) -> tuple[float, float]:
    """Seconds from the start to the daemon's "ready" log line, and to the answer's arrival."""
    ready = answer = 0.0
    while not (ready and answer):
        elapsed = time.monotonic() - started
        if elapsed > 30:
            raise AssertionError(f"daemon not ready or not answering after 30 s: {logfile}")
        if not ready and "ready: first pass done" in logfile.read_text(errors="replace"):
            ready = elapsed
        if not answer and any(m.envelope_to == [sender] for m in sink.messages):
            answer = elapsed
        time.sleep(0.005)
    return ready, answer


def reader_speed(seconds: float) -> dict[str, Any]:
    """The reply reader alone on the labelled set's new texts (quotes already cut, as in
    production): sentences per second, Voikko's caches warm after the first round."""
    sys.path.insert(0, str(REPO / "scripts"))
    from measure_replies import build_email, load

    from automation.parse.message import parse_message
    from automation.parse.reading.answers import _SENTENCE
    from automation.parse.reading.reader import read_answer

    log(f"1c. reply reader: the labelled set, read over and over for {seconds:.0f} s")
    texts = [
        parse_message(build_email(item, n)).reply_text
        for n, item in enumerate(load(REPO / "tests" / "replies"))
    ]
    per_round = sum(len([x for x in _SENTENCE.split(t) if x and x.strip()]) for t in texts)
    cold = time.perf_counter()
    for text in texts:
        read_answer(text)
    first_round = time.perf_counter() - cold
    rounds, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for text in texts:
            read_answer(text)
        rounds += 1
    spent = time.perf_counter() - started
    return {
        "reader_sentences_per_s": per_round * rounds / spent,
        "reader_texts_per_s": len(texts) * rounds / spent,
        "reader_first_round_s": first_round,
        "reader_texts": len(texts),
    }


# ---- 2. ingest ------------------------------------------------------------------------------------


def fetch_and_parse(user: User, folder: str) -> tuple[float, int]:
    """The limit: what any reader of this mailbox must do. Returns (seconds, messages)."""
    start = time.perf_counter()
    client = user.login()
    client.select_folder(folder, readonly=True)
    uids = sorted(client.search(["ALL"]))
    parsed = 0
    for offset in range(0, len(uids), 200):
        batch = uids[offset : offset + 200]
        for data in client.fetch(batch, [b"BODY.PEEK[]"]).values():
            email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
            parsed += 1
    client.logout()
    return time.perf_counter() - start, parsed


def ingest(bench: Bench, count: int) -> tuple[dict[str, Any], App]:
    log(f"2. ingest: {count} realistic messages, one poll()")
    user = bench.user("ingest")
    bench.sink.clear()
    mails = list(Corpus(seed=1).messages(count))
    calendar_people = [m.sender for m in mails if m.kind.startswith("calendar")]
    config = bench.config("ingest", user, contacts_for(calendar_people))
    seeded = seed(user, "Corpus", [m.data for m in mails])
    client = user.login()
    client.select_folder("Corpus")
    client.copy(client.search(["ALL"]), "INBOX")
    inbox = client.select_folder("INBOX", readonly=True)[b"EXISTS"]
    client.logout()
    assert seeded == count == inbox, (seeded, count, inbox)
    time.sleep(SETTLE)

    limit_seconds, parsed = fetch_and_parse(user, "Corpus")
    assert parsed == count
    limit_seconds = min(limit_seconds, fetch_and_parse(user, "Corpus")[0])

    settings = config_module.load(config)
    app = App.open(settings)
    now = clock()
    sync_contacts(app, now())
    daemon = Daemon(app, now)
    report = PassReport()
    with bench.profiled("ingest"):
        start = time.perf_counter()
        daemon.poll_step(report)
        seconds = time.perf_counter() - start
    assert not report.source_error, report.source_error
    assert report.outcomes.count == count, report.outcomes.count
    daemon.source.close()

    again, _ = fetch_and_parse(user, "Corpus")  # the limit once more, after: keep the fastest
    limit_seconds = min(limit_seconds, again)
    queued = app.store.db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    sent = app.store.db.execute("SELECT COUNT(*) FROM outbox WHERE status != 'pending'").fetchone()[0]
    assert sent == 0 and len(bench.sink.messages) == 0
    handled = client_count(user, "Handled") + client_count(user, "Attention")
    return {
        "ingest_per_s": count / seconds,
        "ingest_limit_per_s": count / limit_seconds,
        "ingest_messages": count,
        "ingest_seconds": seconds,
        "ingest_queued": queued,
        "ingest_filed": handled,
        "ingest_kinds": dict(report.outcomes.new.most_common()),
        "ingest_shapes": dict(Counter(m.kind for m in mails).most_common()),
        "ingest_mean_bytes": round(sum(len(m.data) for m in mails) / count),
    }, app


def client_count(user: User, folder: str) -> int:
    client = user.login()
    try:
        return (
            int(client.select_folder(folder, readonly=True)[b"EXISTS"]) if client.folder_exists(folder) else 0
        )
    finally:
        client.logout()


# ---- 3. idle poll -----------------------------------------------------------------------------------


def idle_poll(bench: Bench, sizes: tuple[int, ...], passes: int) -> dict[str, Any]:
    """One folder per size, all grown by COPY from one seeded folder, each with its own daemon
    (store + warm IMAP connection); polls go round-robin so noise hits every size alike."""
    log(f"3. idle poll: {passes} passes with nothing new at {', '.join(map(str, sizes))} messages")
    user = bench.user("idle")
    seed_count = min(sizes)
    seed(user, "Seed", [m.data for m in Corpus(seed=3).messages(seed_count)])
    admin = user.login()
    admin.select_folder("Seed")
    seed_uids = admin.search(["ALL"])
    now = clock()
    boxes = []
    try:
        for size in sizes:
            folder = f"Box{size}"
            admin.create_folder(folder)
            for _ in range(size // seed_count):
                admin.copy(seed_uids, folder)
            status = admin.folder_status(folder, [b"MESSAGES", b"UIDNEXT", b"UIDVALIDITY"])
            assert status[b"MESSAGES"] == size, status
            # Mail stays in the folder (no handled_folder): the only way a shared mailbox holds
            # 50,000 messages that are all handled, and the mailbox a poll has to stay flat in.
            config = bench.config(f"idle{size}", user, "", folder=folder, file_handled=False)
            app = App.open(config_module.load(config))
            last = int(status[b"UIDNEXT"]) - 1
            app.store.set_source_state("imap", int(status[b"UIDVALIDITY"]), last)
            bare = user.login()  # the same question on a bare imapclient connection: the floor
            bare.select_folder(folder)
            boxes.append((str(size), app, Daemon(app, now), bare, last))
        time.sleep(SETTLE)
        times: dict[str, list[float]] = {size: [] for size, *_ in boxes}
        floor: dict[str, list[float]] = {size: [] for size, *_ in boxes}
        for i in range(passes + 10):
            for size, app, daemon, bare, last in boxes:
                start = time.perf_counter()
                outcomes = poll(app, daemon.source, now())
                elapsed = time.perf_counter() - start
                assert not outcomes, outcomes.shown
                start = time.perf_counter()
                found = bare.search(["UID", f"{last + 1}:*"])
                floor_elapsed = time.perf_counter() - start
                assert [u for u in found if u > last] == []
                if i >= 10:  # the first passes connect, select and sweep
                    times[size].append(elapsed)
                    floor[size].append(floor_elapsed)
    finally:
        admin.logout()
        for _, app, daemon, bare, _ in boxes:
            bare.logout()
            daemon.source.close()
            app.close()
    return {
        "idle_poll_s": {size: statistics.median(values) for size, values in times.items()},
        "idle_poll_p95_s": {size: percentile(values, 95) for size, values in times.items()},
        "idle_poll_imap_s": {size: statistics.median(values) for size, values in floor.items()},
    }


# ---- 4. bulk send -----------------------------------------------------------------------------------


ROUNDS = 3  # bulk send: ours and the limit alternate, best of three each


def flush_all(app: App, limit: int) -> tuple[float, int]:
    transport = app.transport()
    sent = 0
    start = time.perf_counter()
    while sent < limit:
        report = flush(app.store, transport, app.settings, clock()())
        assert not report.failed and not report.retrying, (report.failed, report.retrying)
        if not report.sent_count:
            break
        sent += report.sent_count
    return time.perf_counter() - start, sent


def resend(bench: Bench, received: list[ReceivedMail]) -> float:
    """The limit: the very bytes the daemon sent, again, with smtplib over one connection."""
    bench.sink.clear()
    start = time.perf_counter()
    smtp = smtplib.SMTP(bench.sink.host, bench.sink.port, local_hostname="localhost")
    for mail in received:
        smtp.sendmail(mail.envelope_from, mail.envelope_to, mail.data)
    smtp.quit()
    seconds = time.perf_counter() - start
    bench.sink.wait_for(len(received))
    bench.sink.clear()
    return seconds


def send_rounds(
    bench: Bench, app: App, count: int, name: str
) -> tuple[float, float, int, list[ReceivedMail]]:
    """(our best seconds, the limit's best seconds, messages, what the first round sent).

    The same queued messages are rendered and sent ROUNDS times (put back to pending between
    rounds), each round followed by the limit resending that round's bytes: drift on a shared
    machine then hits both alike, and both are timed warm, best of the rounds."""
    before = {row[0] for row in app.store.db.execute("SELECT id FROM outbox WHERE status = 'sent'")}
    ours, limit = float("inf"), float("inf")
    first: list[ReceivedMail] = []
    for round_number in range(ROUNDS):
        bench.sink.clear()
        if round_number:
            app.store.db.execute(
                "UPDATE outbox SET status = 'pending', sent_at = NULL WHERE status = 'sent' AND id NOT IN"
                f" ({','.join(str(i) for i in before) or '0'})"
            )
        with bench.profiled(name) if round_number == 0 else contextlib.nullcontext():
            seconds, sent = flush_all(app, count)
        if not sent:
            return ours, limit, 0, []
        received = bench.sink.wait_for(sent)
        first = first or received
        ours = min(ours, seconds)
        limit = min(limit, resend(bench, received))
    return ours, limit, sent, first


def bulk_send(bench: Bench, count: int) -> dict[str, Any]:
    log(f"4. bulk send: invitations to {count} contacts, best of {ROUNDS} rounds beside the limit")
    user = bench.user("bulk")
    config = bench.config("bulk", user, contacts_csv(count))
    bench.sink.clear()
    start = time.perf_counter()
    output = subprocess.run(
        bench.cli(config, "invite", MEETING_CODE), cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    queue_seconds = time.perf_counter() - start
    assert f"queued {count} invitation(s)" in output, output
    app = App.open(config_module.load(config))
    try:
        seconds, limit_seconds, sent, messages = send_rounds(bench, app, count, "bulk_send")
    finally:
        app.close()
    assert sent == count, sent
    languages = Counter(m.data.split(b"Content-Language: ")[-1][:2].decode() for m in messages)
    mean_bytes = sum(len(m.data) for m in messages) / count
    return {
        "bulk_send_per_s": count / seconds,
        "bulk_send_limit_per_s": count / limit_seconds,
        "bulk_send_messages": count,
        "bulk_send_mean_bytes": round(mean_bytes),
        "bulk_send_languages": dict(languages),
        "invite_queue_seconds": queue_seconds,
    }


def bulk_send_calendar(bench: Bench, app: App, count: int) -> dict[str, Any]:
    log(f"4b. bulk send: {count} replies queued by the ingest (confirmations carry calendar invites)")
    seconds, limit_seconds, sent, messages = send_rounds(bench, app, count, "bulk_send_calendar")
    if not sent:
        return {}
    with_calendar = sum(b"text/calendar" in m.data for m in messages)
    return {
        "bulk_send_calendar_per_s": sent / seconds,
        "bulk_send_calendar_limit_per_s": sent / limit_seconds,
        "bulk_send_calendar_messages": sent,
        "bulk_send_calendar_with_ics": with_calendar,
    }


# ---- 5. memory --------------------------------------------------------------------------------------


PEAK = str(REPO / "benchmarks" / "peak.py")  # `automation ...`, its peak and its reader's to $PEAK_FILE


def peaks(peak_file: Path) -> tuple[float, float]:
    """(MB) the peaks of `run --once` and of its reader process, if one was started. Their sum
    is what both may hold at once, at most: the figure judged against the target."""
    writer, reader = read_peak(peak_file)
    assert writer, f"no peak written to {peak_file}"
    return writer / 1024, reader / 1024


def memory(bench: Bench, count: int) -> dict[str, Any]:
    log(f"5. memory: `automation run --once` through {count} messages")
    user = bench.user("memory")
    mails = list(Corpus(seed=5).messages(count))
    # SMTP goes to a port where nothing listens: the pass goes through the mailbox and queues the
    # answers; sending them all (step 4 measures sending) would make this step several times longer.
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    calendar_people = [m.sender for m in mails if m.kind.startswith("calendar")]
    config = bench.config("memory", user, contacts_for(calendar_people), smtp_port=port)
    seeded = seed(user, "INBOX", [m.data for m in mails])
    assert seeded == count, seeded
    del mails
    time.sleep(SETTLE)
    bench.sink.clear()
    # The peak is read by the child itself (VmHWM at exit). getrusage()/wait4() would report the
    # benchmark's own size: a forked child's RSS high-water mark survives exec.
    peak_file = bench.work / "memory" / "peak_kb"
    env = dict(os.environ, PEAK_FILE=str(peak_file))
    if bench.profile is not None:
        env["PEAK_PROFILE_FILE"] = str(bench.profile / "memory_run_once.prof")
    output_path = bench.work / "memory" / "output.txt"
    start = time.perf_counter()
    with output_path.open("w") as output:
        command = [sys.executable, PEAK, "--config", str(config), "--now", NOW, "run", "--once"]
        process = subprocess.Popen(command, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    text = output_path.read_text()
    # SMTP is unreachable on purpose (see above), and `run --once` says so with exit status 1.
    assert process.returncode in (0, 1) and "Traceback" not in text, text[-3000:]
    found = re.search(r"(\d+) new message\(s\)", text)
    handled = int(found.group(1)) if found else -1
    assert handled == count, text[:2000]
    if bench.profile is not None:
        write_profile(bench.profile / "memory_run_once.prof", bench.profile / "memory_run_once")
    queued = sqlite_count(bench.work / "memory" / "automation.db", "SELECT COUNT(*) FROM outbox")
    return {
        "peak_rss_mb": sum(peaks(peak_file)),
        "peak_rss_writer_mb": peaks(peak_file)[0],
        "peak_rss_reader_mb": peaks(peak_file)[1],
        "peak_rss_getrusage_mb": usage.ru_maxrss / 1024,  # inflated by the fork: see above
        "peak_rss_queued_replies": queued,
        "peak_rss_messages": count,
        "run_once_seconds": seconds,
        "run_once_per_s": count / seconds,
    }


BIG_ATTACHMENT = 25 * 1024 * 1024  # the presentation: 35 MB on the wire


def run_once_peak(bench: Bench, config: Path, name: str) -> tuple[float, str, int]:
    """(peak RSS in MB read by the child itself, its output, exit status) of one `run --once`."""
    peak_file = bench.work / name / "peak_kb"
    env = dict(os.environ, PEAK_FILE=str(peak_file))
    env.pop("PEAK_PROFILE_FILE", None)
    command = [sys.executable, PEAK, "--config", str(config), "--now", NOW, "run", "--once"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, check=False)
    return sum(peaks(peak_file)), done.stdout + done.stderr, done.returncode


def big_message(bench: Bench) -> dict[str, Any]:
    """Peak RSS of `run --once` reading one 35 MB reply ("Kyllä, tulen. Liitteenä esitykseni.")
    and one 35 MB initiative (its attachment refused as too large), beside the same pass through
    the same mails with a 100 kB attachment: the difference is what the size costs."""
    log("6. memory: `run --once` through a reply and an initiative with 25 MB attachments")
    results: dict[str, Any] = {}
    for label, size in (("small", 100 * 1024), ("big", BIG_ATTACHMENT)):
        user = bench.user(f"attach{label}")
        config = bench.config(f"attach{label}", user, "", smtp_port=bench.sink.port)
        reply = with_attachment(f"esittaja.{label}@espoo.fi", "Kyllä, tulen. Liitteenä esitykseni.", size)
        initiative = with_attachment(
            f"aloittaja.{label}@espoo.fi",
            "Ehdotan teemaksi tekoälyn arviointia. Liitteenä taustamateriaali.",
            size,
            subject="Aloite: tekoälyn arviointi",
            seed=1,
        )
        wire = len(reply)
        seed(user, "INBOX", [reply, initiative])
        del reply, initiative
        time.sleep(SETTLE)
        bench.sink.clear()
        peak, output, code = run_once_peak(bench, config, f"attach{label}")
        assert code == 0 and "Traceback" not in output, output[-3000:]
        assert "2 new message(s)" in output, output[-3000:]
        answered = {m.envelope_to[0] for m in bench.sink.wait_for(2, timeout=30)}
        assert {f"esittaja.{label}@espoo.fi", f"aloittaja.{label}@espoo.fi"} <= answered, answered
        results[f"attachment_{label}_peak_rss_mb"] = peak
        results[f"attachment_{label}_wire_mb"] = wire / 1024 / 1024
    results["attachment_peak_growth_mb"] = (
        results["attachment_big_peak_rss_mb"] - results["attachment_small_peak_rss_mb"]
    )
    return results


def sqlite_count(path: Path, sql: str) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute(sql).fetchone()[0])
    finally:
        connection.close()


# ---- report -----------------------------------------------------------------------------------------


def targets(r: dict[str, Any]) -> list[tuple[str, bool]]:
    idle = r["idle_poll_s"]
    checks = [
        ("reply latency median <= 1 s", r["reply_latency_p50_s"] <= 1.0),
        ("reply latency p95 <= 3 s", r["reply_latency_p95_s"] <= 3.0),
        ("ingest >= 0.5 x limit", r["ingest_per_s"] >= 0.5 * r["ingest_limit_per_s"]),
        ("bulk send >= 0.5 x limit", r["bulk_send_per_s"] >= 0.5 * r["bulk_send_limit_per_s"]),
        (
            # The bulk send includes a calendar part; our invitations carry none (the
            # event reaches a calendar on registration), so mail with one is measured here.
            "bulk send with calendar parts >= 0.5 x limit",
            r.get("bulk_send_calendar_per_s", 0) >= 0.5 * r.get("bulk_send_calendar_limit_per_s", 0),
        ),
        ("idle poll at 50k <= 1.5 x at 1k", idle["50000"] <= 1.5 * idle["1000"]),
        ("peak RSS <= 150 MB", r["peak_rss_mb"] <= 150),
        ("daemon start (ready) <= 1 s", r["daemon_ready_p50_s"] <= 1.0),
        ("peak RSS with a 35 MB message <= 150 MB", r["attachment_big_peak_rss_mb"] <= 150),
    ]
    return checks


def table(r: dict[str, Any]) -> str:
    def ms(value: float) -> str:
        return f"{value * 1000:.2f} ms" if value < 0.1 else f"{value:.3f} s"

    idle = r["idle_poll_s"]
    imap = r["idle_poll_imap_s"]
    rows = [
        ("figure", "measured", "limit (same run)", "measured/limit"),
        (
            f"reply latency p50 / p95 ({r['replies']} replies)",
            f"{ms(r['reply_latency_p50_s'])} / {ms(r['reply_latency_p95_s'])}",
            f"{ms(r['idle_notify_p50_s'])} (IDLE {ms(r['idle_notify_only_p50_s'])}"
            f" + SMTP {ms(r['smtp_send_one_p50_s'])})",
            f"{r['reply_latency_p50_s'] / r['idle_notify_p50_s']:.2f}x time",
        ),
        (
            f"ingest ({r['ingest_messages']} msgs, poll)",
            f"{r['ingest_per_s']:.0f} msg/s",
            f"{r['ingest_limit_per_s']:.0f} msg/s (FETCH+parse)",
            f"{r['ingest_per_s'] / r['ingest_limit_per_s']:.2f}",
        ),
    ]
    for size in idle:
        rows.append(
            (
                f"idle poll, {int(size):,} msgs in INBOX",
                ms(idle[size]),
                f"{ms(imap[size])} (bare UID SEARCH)",
                f"{idle[size] / idle['1000']:.2f}x the 1k poll",
            )
        )
    rows.append(
        (
            f"bulk send ({r['bulk_send_messages']} invitations)",
            f"{r['bulk_send_per_s']:.0f} msg/s",
            f"{r['bulk_send_limit_per_s']:.0f} msg/s (smtplib, same bytes)",
            f"{r['bulk_send_per_s'] / r['bulk_send_limit_per_s']:.2f}",
        )
    )
    if "bulk_send_calendar_per_s" in r:
        rows.append(
            (
                f"bulk send ({r['bulk_send_calendar_messages']} replies,"
                f" {r['bulk_send_calendar_with_ics']} with .ics)",
                f"{r['bulk_send_calendar_per_s']:.0f} msg/s",
                f"{r['bulk_send_calendar_limit_per_s']:.0f} msg/s (smtplib, same bytes)",
                f"{r['bulk_send_calendar_per_s'] / r['bulk_send_calendar_limit_per_s']:.2f}",
            )
        )
    rows.append(
        (
            f"peak RSS, run --once through {r['peak_rss_messages']:,} msgs (replies queued)",
            f"{r['peak_rss_mb']:.0f} MB"
            + (
                f" ({r['peak_rss_writer_mb']:.0f} + reader {r['peak_rss_reader_mb']:.0f})"
                if r.get("peak_rss_reader_mb")
                else ""
            ),
            f"({r['run_once_seconds']:.0f} s, {r['run_once_per_s']:.0f} msg/s)",
            "",
        )
    )
    rows.append(
        (
            f"daemon start ({r['daemon_starts']} starts, one reply waiting)",
            f"ready {ms(r['daemon_ready_p50_s'])}",
            f"first answer sent {ms(r['daemon_first_answer_p50_s'])} after the process started",
            "",
        )
    )
    rows.append(
        (
            f"reply reader ({r['reader_texts']} labelled texts)",
            f"{r['reader_sentences_per_s']:.0f} sentences/s",
            f"{r['reader_texts_per_s']:.0f} texts/s; first round {ms(r['reader_first_round_s'])}",
            "",
        )
    )
    rows.append(
        (
            f"peak RSS, run --once through a {r['attachment_big_wire_mb']:.0f} MB reply + initiative",
            f"{r['attachment_big_peak_rss_mb']:.0f} MB",
            "150 MB ceiling",
            f"{r['attachment_small_peak_rss_mb']:.0f} MB with 0.1 MB attached",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    for name, ok in targets(r):
        lines.append(f"{'PASS' if ok else 'MISS'}  {name}")
    return "\n".join(lines)


def code_version() -> str:
    """The commit measured, and whether automation/ had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        diff = subprocess.run(["git", "diff", "HEAD", "--", "automation"], cwd=REPO, capture_output=True)
        if not diff.stdout:
            return head
        return (
            f"{head} + uncommitted automation/ changes (diff {hashlib.sha256(diff.stdout).hexdigest()[:8]})"
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller N; under two minutes")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--profile", type=Path, help="write cProfile output to this directory")
    args = parser.parse_args()
    sizes = SIZES["quick" if args.quick else "full"]
    started = time.perf_counter()
    results: dict[str, Any] = {"quick": args.quick}
    code_at_start = code_version()  # subprocess steps run the tree as it is when they start
    load_at_start = os.getloadavg()  # other work on this machine skews every figure: see it
    work = Path(tempfile.mkdtemp(prefix="bench", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    profile = args.profile.resolve() if args.profile else None
    log(f"starting Dovecot and the SMTP sink (work files in {work})")
    dovecot = DovecotServer.start()
    sink = SmtpSink()
    sink.start()
    try:
        bench = Bench(dovecot, sink, work, profile)
        results.update(reply_latency(bench, sizes.replies, sizes.reply_cap))
        results.update(daemon_start(bench, 3 if args.quick else 5))
        results.update(reader_speed(3.0 if args.quick else 10.0))
        ingested, app = ingest(bench, sizes.ingest)
        results.update(ingested)
        results.update(bulk_send_calendar(bench, app, sizes.bulk_calendar))
        app.close()
        results.update(idle_poll(bench, sizes.idle_sizes, sizes.idle_passes))
        results.update(bulk_send(bench, sizes.bulk))
        results.update(memory(bench, sizes.memory))
        results.update(big_message(bench))
    finally:
        sink.stop()
        dovecot.stop()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = {name: ok for name, ok in targets(results)}
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    results["code"] = code_at_start
    if code_version() != code_at_start:
        results["code"] += f" (changed during the run, to {code_version()}: figures mix both)"
    results["profiled"] = profile is not None
    results["seconds"] = round(time.perf_counter() - started, 1)
    print(table(results))
    load = ", ".join(f"{x:.1f}" for x in results["machine"]["load_average_at_start"])
    print(
        f"\n{'quick' if args.quick else 'full'} run in {results['seconds']:.0f} s on {os.cpu_count()} CPUs"
        f" (load average at start {load}); code {results['code']}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
