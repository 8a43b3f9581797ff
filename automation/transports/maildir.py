"""Outgoing mail written to a local Maildir: the embedded default, needing no mail server."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from automation.errors import TransientError


class MaildirSession:
    def __init__(self, box: mailbox.Maildir) -> None:
        self.box = box

    def send(self, message: bytes, envelope_from: str, recipient: str) -> None:
        try:
            self.box.add(message.replace(b"\r\n", b"\n"))  # files use local line ends
        except OSError as exc:  # disk full, permissions: try again later, lose nothing
            raise TransientError(f"cannot write to the sent Maildir: {exc}") from exc


class MaildirTransport:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def open(self) -> Iterator[MaildirSession]:
        yield MaildirSession(mailbox.Maildir(self.path, create=True))

    def describe(self) -> str:
        return f"Maildir {self.path}"
