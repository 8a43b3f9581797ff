"""The one small protocol every mail source implements (Maildir, IMAP)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from automation.errors import TransientError


class SourceUnavailable(TransientError):
    """The mail server could not be reached or logged in to (not: one message failed)."""


class LoginRefused(SourceUnavailable):
    """The server answered but refused our login: trying again soon cannot help and a few failed
    logins a minute lock a directory account, so the daemon backs off (durably, see store/pauses)."""


@dataclass(frozen=True)
class RawMail:
    """One message as received. `ref` locates it in its source ("maildir:KEY", "imap:V:UID").

    A big message (inbox/spool.py) comes reduced: `data` without the content of its attachments,
    which are decoded into files in `spool`, a directory the caller removes once the message
    is handled (`discard_spool`)."""

    ref: str
    data: bytes
    uid: int = 0
    uidvalidity: int = 0
    spool: Path | None = None
    size: int = 0  # on the wire, when known

    def discard_spool(self) -> None:
        if self.spool is not None:
            shutil.rmtree(self.spool, ignore_errors=True)


class MailSource(Protocol):
    name: str

    def fetch_new(self, last_uid: int, uidvalidity: int) -> Iterator[RawMail]:
        """Messages not yet handled, oldest first. Cost must not grow with the mailbox."""

    def finish(self, handled: list[RawMail], attention: list[RawMail]) -> None:
        """After their transactions committed: file handled mail and mail for the coordinator."""

    def attention_mail(self, keys: list[str]) -> dict[str, bytes]:
        """The messages set aside for the coordinator with these keys (see `message_keys`),
        as they were received; a key not found is left out."""

    def file_resolved(self, keys: list[str]) -> None:
        """Once the coordinator resolved them: from the attention folder to the handled one."""

    def wait(self, timeout: float) -> bool:
        """Block until new mail may have arrived (IMAP IDLE) or `timeout`; True if it did."""

    def watching(self) -> bool:
        """True while the source itself announces new mail (an open, healthy IMAP IDLE), so
        the scheduled poll can be skipped; False means poll on schedule."""

    def leave_older(self, cutoff: datetime) -> tuple[int, int, int]:
        """First start: mail that arrived before `cutoff` stays in place and is never read.
        Returns (uidvalidity, highest such UID, how many); the caller records the position."""

    def keep_floor(self, uid: int) -> None:
        """Messages at or below `uid` (left at the first start) are never filed by a sweep."""

    def close(self) -> None: ...

    def describe(self) -> str: ...
