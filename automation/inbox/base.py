"""The one small protocol every mail source implements (Maildir, IMAP)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from automation.errors import TransientError


class SourceUnavailable(TransientError):
    """The mail server could not be reached or logged in to (not: one message failed)."""


@dataclass(frozen=True)
class RawMail:
    """One message as received. `ref` locates it in its source ("maildir:KEY", "imap:V:UID")."""

    ref: str
    data: bytes
    uid: int = 0
    uidvalidity: int = 0


class MailSource(Protocol):
    name: str

    def fetch_new(self, last_uid: int, uidvalidity: int) -> Iterator[RawMail]:
        """Messages not yet handled, oldest first. Cost must not grow with the mailbox."""

    def finish(self, handled: list[RawMail], attention: list[RawMail]) -> None:
        """After their transactions committed: file handled mail and mail for the coordinator."""

    def wait(self, timeout: float) -> bool:
        """Block until new mail may have arrived (IMAP IDLE) or `timeout`; True if it did."""

    def close(self) -> None: ...

    def describe(self) -> str: ...
