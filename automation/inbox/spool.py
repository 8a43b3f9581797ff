"""Big messages read without holding them: the bytes stream past once, text parts are kept,
every other part's content is decoded into a file of its own.

A 25 MB presentation is 35 MB on the wire; parsing that as one `bytes` (and the str, the
decoded payload and the copies the email package makes of it) took the pass to eleven times the
message. Above `LARGE` bytes a source feeds the message here in chunks instead. What comes out
is the same message with each spooled part's body left empty and one header added,

    X-Automation-Spooled: part-3; size=26214400

naming the file (in the spool directory) that holds its decoded content and that content's
size. The parser reports the attachment with that size; an initiative's attachments are taken
from the file. Memory then depends on the chunk size, not on the attachments.

This is a line-level MIME reader, not a full parser: it only needs to find part boundaries and
each part's headers. A message it cannot follow (a boundary never closed, headers gone mad)
still gives a result: whatever it read, with the rest spooled or cut.
"""

from __future__ import annotations

import binascii
import re
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import BinaryIO

from automation.parse.spooled import SPOOLED

LARGE = 1024 * 1024  # messages above this many bytes are streamed through here
CHUNK = 1024 * 1024  # bytes read from the source at a time
_KEPT_PART = 1024 * 1024  # a text part is kept up to this many bytes; the parser reads 200,000
_MAX_HEADER = 256 * 1024  # a part's header block beyond this is cut
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;"]{1,200}))', re.IGNORECASE)
# Kept in the reduced message (up to _KEPT_PART): what a decision reads. A bounce's returned
# message and its report are read for our Message-ID, so they stay too.
_KEPT_TYPES = (
    "text/plain",
    "text/html",
    "text/calendar",
    "application/ics",
    "text/rfc822-headers",
    "message/rfc822",
    "message/delivery-status",
    "message/global",
)


class Reducer:
    """Feed it a message's bytes in chunks; `close()` returns the reduced message."""

    def __init__(self, spool: Path) -> None:
        self.spool = spool
        self.out = bytearray()
        self.pending = b""  # an incomplete last line
        self.boundaries: list[bytes] = []  # of the multiparts we are inside, innermost last
        self.in_headers = True
        self.header = bytearray()
        self.kept = 0  # body bytes kept of the current text part
        self.sink: _Sink | None = None  # the current part's file, when it is spooled
        self.spooled_at = 0  # where in `out` the current spooled part's header goes
        self.parts = 0

    # ---- input ---------------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        data = self.pending + chunk
        lines = data.split(b"\n")
        self.pending = lines.pop()
        for line in lines:
            self._line(line + b"\n")
        if len(self.pending) > CHUNK and not self.in_headers:
            # A part without line breaks (binary): it cannot hold a boundary until its next
            # newline, so what we have is body.
            self._body(self.pending)
            self.pending = b""

    def close(self) -> bytes:
        if self.pending:
            self._line(self.pending)
            self.pending = b""
        if self.in_headers:
            self._end_headers()
        self._end_part()
        return bytes(self.out)

    # ---- lines ---------------------------------------------------------------------------------

    def _line(self, line: bytes) -> None:
        if self.in_headers:
            if line.strip(b"\r\n"):
                if len(self.header) < _MAX_HEADER:
                    self.header += line
                return
            self._end_headers()
            self.out += line
            return
        if line.startswith(b"--") and self.boundaries:
            marker = line.rstrip()[2:]
            for depth in range(len(self.boundaries) - 1, -1, -1):
                boundary = self.boundaries[depth]
                if marker in (boundary, boundary + b"--"):
                    self._end_part()
                    del self.boundaries[depth + 1 :]
                    self.out += line
                    if marker == boundary:
                        self.in_headers = True  # a new part's headers follow
                    else:
                        self.boundaries.pop()  # the epilogue follows: kept as body text
                    return
        self._body(line)

    def _body(self, data: bytes) -> None:
        if self.sink is not None:
            self.sink.write(data)
        elif self.kept < _KEPT_PART:
            self.out += data[: _KEPT_PART - self.kept]
            self.kept += len(data)

    # ---- parts ---------------------------------------------------------------------------------

    def _end_headers(self) -> None:
        self.in_headers = False
        self.kept = 0
        header = bytes(self.header)
        self.header = bytearray()
        fields = BytesHeaderParser(policy=compat32).parsebytes(header + b"\n")
        content_type = str(fields.get_content_type()).lower()
        del fields[SPOOLED]  # only this reader writes it
        if content_type.startswith("multipart/"):
            found = _BOUNDARY.search(header)
            if found:
                self.boundaries.append(found.group(1) or found.group(2))
            self.out += _without_spooled(header)
            return
        disposition = str(fields.get("content-disposition", "")).lower()
        named = fields.get_filename() is not None or fields.get_param("name") is not None
        if content_type in _KEPT_TYPES and not disposition.startswith("attachment") and not named:
            self.out += _without_spooled(header)
            return
        self.parts += 1
        name = f"part-{self.parts}"
        encoding = str(fields.get("content-transfer-encoding", "")).strip().lower()
        self.sink = _Sink((self.spool / name).open("wb"), encoding, name)
        self.out += _without_spooled(header)
        self.spooled_at = len(self.out)  # where the size header goes once the part has ended

    def _end_part(self) -> None:
        if self.sink is None:
            return
        size = self.sink.close()
        line = f"{SPOOLED}: {self.sink.name}; size={size}\r\n".encode()
        self.out[self.spooled_at : self.spooled_at] = line
        self.sink = None


def _without_spooled(header: bytes) -> bytes:
    """The header block as it came, less any X-Automation-Spooled a sender put in."""
    lines = header.splitlines(keepends=True)
    kept: list[bytes] = []
    skipping = False
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.lower().startswith(SPOOLED.lower().encode() + b":")
        if not skipping:
            kept.append(line)
    return b"".join(kept)


class _Sink:
    """A part's content decoded into a file as it streams past (base64, quoted-printable, or
    as it is)."""

    def __init__(self, file: BinaryIO, encoding: str, name: str) -> None:
        self.file, self.encoding, self.name = file, encoding, name
        self.carry = b""  # base64 characters not yet a multiple of four
        self.size = 0

    def write(self, data: bytes) -> None:
        if self.encoding == "base64":
            text = self.carry + b"".join(data.split())
            usable = len(text) - len(text) % 4
            self.carry = text[usable:]
            self._put(_b64(text[:usable]))
        elif self.encoding == "quoted-printable":
            self._put(binascii.a2b_qp(data))
        else:
            self._put(data)

    def _put(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def close(self) -> int:
        if self.carry:
            self._put(_b64(self.carry + b"=" * (-len(self.carry) % 4)))
        self.file.close()
        return self.size


def _b64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except binascii.Error:
        return b""  # broken base64: the part is empty, as the email package would make it
