"""The one small protocol every way of sending mail implements."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Session(Protocol):
    def send(self, message: bytes, envelope_from: str, recipient: str) -> None:
        """Deliver one message (its bytes, with CRLF line ends).

        Raises TransientError (retry later) or PermanentError."""


class Transport(Protocol):
    def open(self) -> AbstractContextManager[Session]:
        """One connection for a batch; closed when the batch ends."""

    def describe(self) -> str:
        """Where mail goes, for the coordinator ("smtp://host:port", a Maildir path)."""
