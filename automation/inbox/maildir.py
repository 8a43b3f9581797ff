"""A local Maildir as the shared mailbox: the embedded default that needs no mail server.

With `handled_folder` set, handled mail is moved there (as with IMAP). Without it the inbox is
left as it is and handled messages are recognised by their key, which keeps the tracked demo
messages in `mailboxes/inbox` untouched however often the demo runs.
"""

from __future__ import annotations

import mailbox
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from automation.inbox.base import RawMail
from automation.inbox.spool import CHUNK, LARGE, Reducer
from automation.parse.message import message_keys


class MaildirSource:
    name = "maildir"

    def __init__(
        self,
        path: Path,
        handled: Path | None,
        attention: Path | None,
        is_known: Callable[[list[str]], set[str]],
    ) -> None:
        for sub in ("new", "cur", "tmp"):  # git does not keep the empty ones of a tracked Maildir
            (path / sub).mkdir(parents=True, exist_ok=True)
        self.box = mailbox.Maildir(path, create=True, factory=None)
        self.path = path
        self.handled = mailbox.Maildir(handled, create=True) if handled else None
        self.attention = mailbox.Maildir(attention, create=True) if attention else None
        self.is_known = is_known

    def fetch_new(self, last_uid: int, uidvalidity: int) -> Iterator[RawMail]:
        self.box = mailbox.Maildir(self.path, create=True)  # re-read the directory listing
        refs = {f"maildir:{key}": key for key in self.box.keys()}  # noqa: SIM118 - iterating a Maildir yields messages
        known = self.is_known(list(refs))
        for ref in sorted(set(refs) - known):
            try:
                mail = self._read(ref, refs[ref])
            except (KeyError, OSError):
                continue  # removed by someone else in between: nothing to do
            yield mail

    def _read(self, ref: str, key: str) -> RawMail:
        """A small message whole; a big one streamed through the spooling reader."""
        with self.box.get_file(key) as file:
            head = file.read(LARGE + 1)
            if len(head) <= LARGE:
                return RawMail(ref=ref, data=head)
            spool = Path(tempfile.mkdtemp(prefix="automation-spool-"))
            try:
                reducer = Reducer(spool)
                reducer.feed(head)
                del head
                while chunk := file.read(CHUNK):
                    reducer.feed(chunk)
                return RawMail(ref=ref, data=reducer.close(), spool=spool)
            except BaseException:
                shutil.rmtree(spool, ignore_errors=True)
                raise

    def finish(self, handled: list[RawMail], attention: list[RawMail]) -> None:
        for target, mails in ((self.handled, handled), (self.attention or self.handled, attention)):
            if target is None:
                continue
            for mail in mails:
                key = mail.ref.removeprefix("maildir:")
                if mail.spool is None:
                    target.add(mail.data)
                else:  # `data` lacks the attachments: file the message as it arrived
                    with self.box.get_file(key) as file:
                        target.add(file)
                self.box.discard(key)

    def attention_mail(self, keys: list[str]) -> dict[str, bytes]:
        box = self.attention or self.handled or self.box
        return {key: data for _, key, data in _find(box, set(keys))}

    def file_resolved(self, keys: list[str]) -> None:
        if self.attention is None or self.handled is None:
            return  # without both folders nothing was set apart: nothing to move
        for name, _, data in _find(self.attention, set(keys)):
            self.handled.add(data)
            self.attention.discard(name)

    def wait(self, timeout: float) -> bool:
        time.sleep(timeout)
        return False

    def watching(self) -> bool:
        return False  # nothing announces new files: the scheduled poll finds them

    def leave_older(self, cutoff: datetime) -> tuple[int, int, int]:
        # A Maildir is the embedded demo and the tests' source: its sample mail is meant to be read.
        return 0, 0, 0

    def keep_floor(self, uid: int) -> None:
        return None

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"Maildir {self.path}"


def _find(box: mailbox.Maildir, keys: set[str]) -> Iterator[tuple[str, str, bytes]]:
    """(file name, key, bytes) of the messages in `box` known by one of `keys`."""
    for name in list(box.keys()):  # noqa: SIM118 - iterating a Maildir yields messages
        try:
            data = box.get_bytes(name)
        except (KeyError, OSError):
            continue
        found = next((k for k in message_keys(data) if k in keys), None)
        if found is not None:
            yield name, found, data
