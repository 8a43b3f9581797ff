"""The wire bytes of an outgoing message, joined from pieces the standard library encodes.

Every encoding is the stdlib's: RFC 2047 words (`email.header.Header`), address quoting
(`email.utils.formataddr`), RFC 2231 parameters (`email.utils.encode_rfc2231`),
quoted-printable and base64 (`binascii`). What is not used is `EmailMessage` and its generator:
they parse back every header we set and refold it on output, which cost ~3 ms per message, 90%
of a mass mailing's time. Our messages have a fixed shape (a few parts, headers we write
ourselves), so they are joined here; the tests parse every message back with the stdlib parser.

Boundaries start with "=_": quoted-printable never contains "=_" (a "=" is always followed by
two hex digits or a line break) and base64 never contains "_", so a boundary cannot occur in
any body and nothing has to be scanned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from email.charset import Charset
from email.header import Header
from email.utils import encode_rfc2231, formataddr
from functools import lru_cache

MAX_LINE = 78  # RFC 5322's SHOULD; longer header values are folded
_UTF8 = Charset("utf-8")


@dataclass(frozen=True)
class Leaf:
    """One body part. `body` is the content; it is encoded here, never by the caller."""

    content_type: str  # "text/plain"
    body: bytes
    encoding: str = "quoted-printable"  # or "base64"
    params: tuple[tuple[str, str], ...] = ()  # e.g. (("charset", "utf-8"),)
    filename: str = ""  # set: an attachment (Content-Disposition: attachment)


@dataclass(frozen=True)
class Multipart:
    subtype: str  # "alternative", "mixed"
    parts: tuple[Leaf | Multipart, ...]


class HeaderInjection(ValueError):
    """A header value with a line break: refused rather than sent as two headers."""


@lru_cache(maxsize=4096)  # a mass mailing has one Subject: encode it once (~0.2 ms a time)
def header(name: str, value: str) -> str:
    """`Name: value` as one (possibly folded) header line, without the final newline.
    Non-ASCII text becomes RFC 2047 encoded words; long ASCII text is folded at spaces."""
    _single_line(name, value)
    if value.isascii():
        if len(name) + 2 + len(value) <= MAX_LINE or " " not in value:
            return f"{name}: {value}"  # short, or one word that folding could not break
        return f"{name}: {Header(value, header_name=name).encode(linesep=chr(10))}"
    return f"{name}: {Header(value, 'utf-8', header_name=name).encode(linesep=chr(10))}"


def address(name: str, addr: str) -> str:
    """A mailbox for From/To/Reply-To. The display name is quoted or encoded; a non-ASCII
    address itself can only travel as UTF-8 (RFC 6532, sent with SMTPUTF8)."""
    _single_line("address", name + addr)
    if not name:
        return addr
    if name.isascii():
        if addr.isascii():
            return formataddr((name, addr))
        # formataddr() quotes the name right but refuses a non-ASCII address: let it quote the
        # name beside a stand-in address, then put the real one in.
        return formataddr((name, "stand-in@invalid")).replace("<stand-in@invalid>", f"<{addr}>")
    word = _UTF8.header_encode(name)  # one encoded word: what nearly every name needs
    if len(word) <= 75:  # RFC 2047's limit for one word
        return f"{word} <{addr}>"
    # Folded as if for the longest header it goes into (Reply-To), so From and To fit too.
    return f"{Header(name, 'utf-8', header_name='Reply-To').encode(linesep=chr(10))} <{addr}>"


def address_header(name: str, value: str) -> str:
    """An address header; its value from `address()`, already encoded (never re-encoded)."""
    _single_line(name, value.replace("\n ", " "))
    return f"{name}: {value}"


def message_bytes(headers: list[str], body: Leaf | Multipart, seed: str, trailing: list[str]) -> bytes:
    """The message with CRLF line ends, as SMTP carries it (smtplib sends bytes unchanged).

    `headers` come before the MIME headers, `trailing` after them (Content-Language). The
    boundaries derive from `seed` (the Message-ID), so a resent message has the same bytes."""
    token = hashlib.blake2b(seed.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()
    head, content = _part(body, token, [0])
    lines = [*headers, "MIME-Version: 1.0", *head, *trailing]
    # Built with "\n" (what binascii and Header write), turned into CRLF in one pass; a CR
    # of our own cannot be among them: header values refuse it and QP encodes it.
    return ("\n".join(lines).encode("utf-8") + b"\n\n" + content).replace(b"\n", b"\r\n")


def _part(part: Leaf | Multipart, token: str, counter: list[int]) -> tuple[list[str], bytes]:
    """(the part's own header lines, its body)."""
    if isinstance(part, Leaf):
        return _leaf_headers(part), _encoded(part)
    counter[0] += 1
    boundary = f"=_{token}_{counter[0]}"
    chunks: list[bytes] = []
    for child in part.parts:
        head, content = _part(child, token, counter)
        # As the stdlib writes it: the line break before a boundary belongs to the boundary,
        # so a body's own last line break survives.
        chunks.append(f"\n--{boundary}\n".encode("ascii"))
        chunks.append("\n".join(head).encode("utf-8") + b"\n\n")
        chunks.append(content)
    chunks.append(f"\n--{boundary}--\n".encode("ascii"))
    chunks[0] = chunks[0][1:]  # the first boundary starts the body
    return [f'Content-Type: multipart/{part.subtype}; boundary="{boundary}"'], b"".join(chunks)


def _leaf_headers(leaf: Leaf) -> list[str]:
    params = "".join(f"; {key}={_quoted(value)}" for key, value in leaf.params)
    if leaf.filename:
        params += "; " + _filename_param("name", leaf.filename)
    lines = [f"Content-Type: {leaf.content_type}{params}", f"Content-Transfer-Encoding: {leaf.encoding}"]
    if leaf.filename:
        lines.append("Content-Disposition: attachment; " + _filename_param("filename", leaf.filename))
    return lines


def _encoded(leaf: Leaf) -> bytes:
    if leaf.encoding == "base64":
        return _base64(leaf.body)
    if leaf.encoding == "quoted-printable":
        # Line ends are "\n" here; a stray CR would otherwise be taken for half a line break.
        body = leaf.body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return binascii.b2a_qp(body, quotetabs=False, istext=True, header=False)
    raise ValueError(f"unknown transfer encoding {leaf.encoding!r}")


@lru_cache(maxsize=4)  # an invitation carries the same calendar inline and attached
def _base64(body: bytes) -> bytes:
    return base64.encodebytes(body)


def _quoted(value: str) -> str:
    _single_line("parameter", value)
    if not value.isascii():
        raise ValueError(f"parameter value must be ASCII: {value!r}")
    if value.replace("-", "").replace(".", "").isalnum():
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filename_param(key: str, filename: str) -> str:
    """RFC 2231 for a non-ASCII file name (what every current client reads), else quoted."""
    if filename.isascii():
        return f"{key}={_quoted(filename)}"
    _single_line("filename", filename)
    return f"{key}*={encode_rfc2231(filename, 'utf-8')}"


def _single_line(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise HeaderInjection(f"line break in the {name} header value: {value[:60]!r}")
