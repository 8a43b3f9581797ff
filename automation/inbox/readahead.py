"""Read a backlog in a second process while this one writes the register.

Reading a message (MIME parsing, cutting the quote, the language-aware reader) is pure and
takes about two thirds of a message's time; the rest (SQLite, routing, IMAP) belongs to the
process that owns the register. On a backlog (a restart after downtime, a burst of replies to an
invitation) the two are split: a reader process (`python -m automation.inbox.readahead`) asks for
batches and reads them ahead, while the writer keeps reading whichever batch is at the head that
the reader has not claimed. Neither waits for the other longer than one batch, and the writer
alone is never slower than before, so the start of the reader (a tenth of a second) costs
nothing.

Mail that trickles in (one message after IDLE) is read inline: nothing is started for it.
What is decided does not change: the same functions read the same bytes; a reader that fails,
dies or hangs only means the writer reads the rest itself.

The two processes talk over the reader's stdin and stdout in frames: a 4-byte length and a
pickle. The pickles are made by our own child from parsed mail, never by anyone outside.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from automation.inbox.base import RawMail
from automation.model import Classification, Inbound
from automation.parse.classify import classify
from automation.parse.message import parse_message

log = logging.getLogger(__name__)

Read = tuple[Inbound, Classification]

BATCH = 50  # messages per batch: a few milliseconds of pickling against ~70 ms of reading
BATCH_BYTES = 1024 * 1024  # ... or fewer, when they are big
AHEAD = 6  # batches fetched ahead of the one being written: the reader's share
AHEAD_BYTES = 8 * 1024 * 1024  # what the read-ahead may hold in memory, whatever the count
HANG = 60.0  # seconds one batch may take in the reader before it is given up on

_LENGTH = struct.Struct(">I")


# ---- the reader process --------------------------------------------------------------------------


def _send(stream: IO[bytes], frame: Any) -> None:
    data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any | None:
    """The next frame, or None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    length = _LENGTH.unpack(head)[0]
    data = stream.read(length)
    if len(data) < length:
        return None
    return pickle.loads(data)  # noqa: S301 - frames from our own child or parent, see above


def _read(data: bytes, spooled: bool, address: str) -> Read | None:
    try:
        message = parse_message(data, spooled=spooled)
        return message, classify(message, address)
    except Exception:  # noqa: BLE001 - read again where it is handled, and kept with the reason
        return None


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The reader: ("batch", id, address, [(bytes, spooled)]) in, ("read", id, [Read | None]) out."""
    _send(answers, ("ready",))
    while (frame := _receive(requests)) is not None:
        _, batch_id, address, items = frame
        _send(answers, ("read", batch_id, [_read(data, spooled, address) for data, spooled in items]))


def main() -> None:
    # The frames own stdout: anything else that prints (a library's warning) goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, answers)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the writer went away: nothing is left to read for
    except Exception as exc:  # noqa: BLE001 - one line for the daemon's log; the writer reads on
        print(f"reader process: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


# ---- the writer's side ---------------------------------------------------------------------------


@dataclass
class _Batch:
    id: int
    mails: list[RawMail]
    size: int
    owner: str = ""  # "" (nobody yet), "writer" or "reader"
    reads: list[Read | None] | None = None
    sent_at: float = 0.0


class ReadAhead:
    """`for mail, read in ahead.read(source.fetch_new(...))`: `read` is the message already parsed
    and classified by the reader process, or None where the writer must read it itself."""

    def __init__(self, address: str, ahead: int = AHEAD) -> None:
        self.address = address  # the network's own address: classify() needs it
        self.ahead = ahead
        self.process: subprocess.Popen[bytes] | None = None
        self.shared = 0  # batches the reader read
        self._queue: deque[_Batch] = deque()  # fetched, not yet handed to the caller
        self._lock = threading.Condition()  # guards the queue, the batches and the flags below
        self._listener: threading.Thread | None = None
        self._idle = False  # the reader waits for a batch
        self._dead = False  # no reader (any more): the writer reads everything
        self._pending: list[RawMail] = []  # fetched, waiting for room in the queue

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, mails: Iterator[RawMail]) -> Iterator[tuple[RawMail, Read | None]]:
        batches = _batches(mails)
        ids = 0
        pending: list[RawMail] | None = next(batches, None)
        while pending is not None or self._queue:
            while pending is not None and self._room():
                self._add(_Batch(ids, pending, sum(len(m.data) for m in pending)))
                ids += 1
                pending = next(batches, None)
                self._pending = pending or []  # close() removes its spools if the pass stops
                if pending is not None and self.process is None and not self._dead:
                    self._start()  # more than one batch: a backlog worth a second process
            head = self._take_head()
            yield from zip(head.mails, head.reads or [None] * len(head.mails), strict=True)
            with self._lock:
                self._queue.popleft()

    def _room(self) -> bool:
        if not self._queue:
            return True
        if len(self._queue) > self.ahead or self.process is None and len(self._queue) > 1:
            return False
        return sum(b.size for b in self._queue) < AHEAD_BYTES

    def _add(self, batch: _Batch) -> None:
        with self._lock:
            self._queue.append(batch)
            if self._idle:
                self._hand_out()

    def _take_head(self) -> _Batch:
        """The batch to write next. While the reader is still on it, the writer reads a later
        batch nobody has claimed, so that neither process idles while the other works."""
        with self._lock:
            head = self._queue[0]
            if head.owner == "":
                head.owner = "writer"
                return head
            while head.reads is None and not self._dead:
                spare = next((b for b in self._queue if b.owner == ""), None)
                if spare is not None:
                    spare.owner = "writer"
                    self._lock.release()
                    try:
                        spare.reads = [_read(m.data, m.spool is not None, self.address) for m in spare.mails]
                    finally:
                        self._lock.acquire()
                    continue
                waited = time.monotonic() - head.sent_at
                if waited > HANG:
                    log.error("reader process: no answer in %.0f s; reading on without it", waited)
                    self._stop_reader()
                    break
                self._lock.wait(timeout=1.0)
            if head.reads is None:
                head.owner = "writer"
            return head

    def _hand_out(self) -> None:
        """With the lock held: the first batch nobody has, to the waiting reader."""
        if self._dead:
            return
        batch = next((b for b in self._queue if b.owner == ""), None)
        if batch is None or self.process is None or self.process.stdin is None:
            self._idle = True
            return
        batch.owner = "reader"
        batch.sent_at = time.monotonic()
        self._idle = False
        items = [(m.data, m.spool is not None) for m in batch.mails]
        try:
            _send(self.process.stdin, ("batch", batch.id, self.address, items))
        except (OSError, ValueError):
            self._reader_gone("its input closed")

    def _start(self) -> None:
        if _cpus() < 2:
            # One core: the two would take turns on it, a little slower than one (measured).
            self._dead = True
            return
        try:
            self.process = subprocess.Popen(
                # -P: the working directory is not put first on the path, where a directory
                # named `automation` would be imported instead of this package.
                [sys.executable, "-P", "-m", "automation.inbox.readahead"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=_importable_env(),
            )
        except OSError as exc:
            log.warning("reader process did not start (%s): reading the backlog inline", exc)
            self._dead = True
            return
        self._listener = threading.Thread(target=self._listen, name="readahead", daemon=True)
        self._listener.start()

    def _listen(self) -> None:
        process = self.process
        assert process is not None and process.stdout is not None
        while True:
            try:
                frame = _receive(process.stdout)
            except Exception as exc:  # noqa: BLE001 - a garbled frame: do without the reader
                frame = None
                log.warning("reader process: unreadable answer (%s)", exc)
            with self._lock:
                if frame is None:
                    self._reader_gone("it ended")
                    return
                if frame[0] == "read":
                    batch = next((b for b in self._queue if b.id == frame[1]), None)
                    if batch is not None and batch.owner == "reader":
                        batch.reads = frame[2]
                        self.shared += 1
                self._hand_out()
                self._lock.notify_all()

    def _reader_gone(self, why: str) -> None:
        """With the lock held: the writer reads whatever the reader had."""
        # Stopped with us (systemd, Ctrl-C reach the whole process group) is no news; killed
        # alone (the OOM killer) or failed is.
        if not self._dead and self.process is not None:
            try:
                status = self.process.wait(timeout=1)  # its output ended: it is exiting
            except subprocess.TimeoutExpired:
                status = None
            if status not in (0, -signal.SIGTERM, -signal.SIGINT):
                log.warning("reader process %s (exit status %s): reading on inline", why, status)
        self._dead = True
        self._idle = False
        for batch in self._queue:
            if batch.owner == "reader" and batch.reads is None:
                batch.owner = ""
        self._lock.notify_all()

    def _stop_reader(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._reader_gone("was stopped")

    def close(self) -> None:
        """End the reader; spools of mail fetched ahead but never handed out are removed (the mail
        itself stays unhandled in the source and is read again)."""
        with self._lock:
            self._dead = True  # nothing more is handed out
        process = self.process
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if self._listener is not None:
                self._listener.join(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
            if self.shared:
                log.info("reader process read %d batch(es) of the backlog", self.shared)
        with self._lock:
            for batch in self._queue:
                for mail in batch.mails:
                    mail.discard_spool()
            self._queue.clear()
        for mail in self._pending:
            mail.discard_spool()
        self._pending = []
        self.process = None


def _cpus() -> int:
    """The CPUs this process may run on (a container's or taskset's share, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _importable_env() -> dict[str, str]:
    """This process's environment, with the package that runs here first on the reader's path
    when it does not come from site-packages (a checkout run with a relative PYTHONPATH, from
    another working directory): the reader must run the same code as the writer."""
    import site

    import automation

    here = os.path.dirname(os.path.dirname(os.path.abspath(automation.__file__)))
    installed = {os.path.abspath(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if here in installed:
        return dict(os.environ)
    paths = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def _batches(mails: Iterator[RawMail]) -> Iterator[list[RawMail]]:
    batch: list[RawMail] = []
    size = 0
    for mail in mails:
        batch.append(mail)
        size += len(mail.data)
        if len(batch) >= BATCH or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


if __name__ == "__main__":
    main()
