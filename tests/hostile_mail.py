"""Hostile mail for test_hostile.py: hypothesis strategies that build malformed MIME as raw bytes,
deterministic "bombs", and a runner that parses one message in a forked child under a hard
deadline (a quadratic parser must fail a test, not hang the test run).

Everything is built by hand, byte by byte, because the stdlib generator refuses to write the
broken things real mail contains (missing boundaries, lying charsets, bare CR, NUL bytes).
"""

from __future__ import annotations

import base64
import functools
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import quopri
import random
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TypeVar

from hypothesis import strategies as st

from automation.model import Classification, Inbound
from automation.parse.classify import classify
from automation.parse.message import parse_message

OWN = "verkosto@example.org"
T = TypeVar("T")

# ---- reading one message -------------------------------------------------------------------------


def read(raw: bytes) -> tuple[Inbound, Classification, float]:
    """parse_message then classify, as the daemon does; the seconds both took."""
    start = time.perf_counter()
    message = parse_message(raw)
    seen = classify(message, OWN)
    return message, seen, time.perf_counter() - start


@dataclass(frozen=True)
class Bounded:
    """What happened to one message in a child process: "ok", "raised" or "timeout".

    `seconds` is CPU time (time.process_time) so that a loaded 2-core CI box does not decide the
    verdict; `wall` is the time.perf_counter time, bounded only by the kill.
    """

    outcome: str
    seconds: float
    wall: float = 0.0
    key: str = ""
    kind: str = ""
    reason: str = ""
    answerable: bool = False
    error: str = ""

    def explain(self) -> str:
        if self.outcome == "timeout":
            return f"still parsing after {self.wall:.1f} s (killed)"
        if self.outcome == "raised":
            return f"raised after {self.seconds:.2f} s CPU:\n{self.error}"
        return f"{self.kind} in {self.seconds:.2f} s CPU ({self.wall:.2f} s wall): {self.reason}"


def _child(raw: bytes, pipe: Connection) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        message, seen, _ = read(raw)
    except BaseException:  # noqa: BLE001 - RecursionError, MemoryError: report them all
        spent = time.process_time() - cpu
        pipe.send(Bounded("raised", spent, time.perf_counter() - wall, error=traceback.format_exc(limit=6)))
    else:
        spent, waited = time.process_time() - cpu, time.perf_counter() - wall
        pipe.send(Bounded("ok", spent, waited, message.key, str(seen.kind), seen.reason, seen.answerable))
    finally:
        pipe.close()


def run_bounded(raw: bytes, kill_after: float) -> Bounded:
    """Parse and classify `raw` in a forked child; one still busy after `kill_after` wall-clock
    seconds is killed ("timeout"). The caller judges the child's CPU time."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(raw, sender), daemon=True)
    process.start()
    sender.close()
    try:
        ready = receiver.poll(kill_after)
        result: Bounded = receiver.recv() if ready else Bounded("timeout", kill_after, kill_after)
    except EOFError:  # the child died without a word (killed by the OOM killer, a segfault)
        result = Bounded("raised", 0.0, kill_after, error=f"child exited with {process.exitcode}")
    finally:
        receiver.close()
        process.kill()
        process.join()
    return result


def run_all(builders: dict[str, Callable[[], bytes]], kill_after: float, parallel: int) -> dict[str, Bounded]:
    """run_bounded for many messages, `parallel` children at a time (verdicts use CPU time, so
    running them side by side does not change them)."""
    context = multiprocessing.get_context("fork")
    pending = list(builders.items())
    running: dict[str, tuple[multiprocessing.process.BaseProcess, Connection, float]] = {}
    results: dict[str, Bounded] = {}
    while pending or running:
        while pending and len(running) < parallel:
            name, build = pending.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(build(), sender), daemon=True)
            process.start()
            sender.close()
            running[name] = (process, receiver, time.monotonic())
        multiprocessing.connection.wait([r for _, r, _ in running.values()], timeout=0.05)
        for name, (process, receiver, started) in list(running.items()):
            if receiver.poll():
                try:
                    results[name] = receiver.recv()
                except EOFError:
                    results[name] = Bounded("raised", 0.0, error=f"child exited with {process.exitcode}")
            elif time.monotonic() - started > kill_after:
                results[name] = Bounded("timeout", kill_after, kill_after)
            else:
                continue
            receiver.close()
            process.kill()
            process.join()
            del running[name]
    return results


# ---- building blocks -----------------------------------------------------------------------------

CHARSETS = (
    "utf-8", "UTF8", "us-ascii", "iso-8859-1", "latin-1", "iso-8859-15", "windows-1252", "cp850",
    "koi8-r", "shift_jis", "gb18030", "utf-16", "utf-16le", "utf-32", "utf-7", "idna", "punycode",
    "unicode-escape", "raw-unicode-escape", "rot13", "hex", "base64", "zlib", "bz2", "uu",
    "x-unknown", "unknown-8bit", "x-user-defined", "default", "", "\"\"", "'utf-8'", "utf-8\"",
    "utf 8", "../../etc/passwd", "\u00e4\u00f6", "a" * 300,
)  # fmt: skip
CONTENT_TYPES = (
    "text/plain", "text/html", "text/calendar; method=REPLY", "application/ics",
    "application/octet-stream", "application/pdf", "image/png", "message/rfc822",
    "message/delivery-status", "message/disposition-notification", "multipart/alternative",
    "multipart/report; report-type=delivery-status", "text", "text/", "/", "", ";;;", "TEXT/PLAIN",
    "text/plain; charset", "text/plain; charset=", "text/x-unknown", "application/x-\u00e4",
)  # fmt: skip
ENCODINGS = (
    "", "7bit", "8bit", "binary", "base64", "BASE64", " base64 ", "quoted-printable",
    "Quoted-Printable", "x-uuencode", "uuencode", "bogus", "base64; x=y", "base64 quoted-printable",
)  # fmt: skip
HEADER_NAMES = (
    "From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date", "MIME-Version",
    "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted", "Precedence",
    "List-Id", "X-Automation-Loop", "Return-Path", "Reply-To", "Sender", "Authentication-Results",
    "X-Auto-Response-Suppress", "Delivered-To", "X-Failed-Recipients", "Received", "X-\u00e4",
    "From ", " From", "FROM", "content-type", "",
)  # fmt: skip
TEXTS = (
    "Kyllä, tulen",
    "Jag kommer!\nSpecialkost: glutenfri",
    "Yes, I'll attend.\nOrganisation: Example Ltd\nDiet: vegan",
    "En pääse tällä kertaa.",
    "Peruutan ilmoittautumiseni",
    "Eroa listalta",
    "Aloite: parempi kahvi",
    "Kyllä, tulen\n\n> Hei,\n> tervetuloa\n> Peruutan",
    "ti 13.2.2024 klo 10.00 Verkosto <verkosto@example.org> kirjoitti:\n> Kyllä",
    "Lähettäjä: Verkosto\nLähetetty: tiistai\nVastaanottaja: x\nAihe: Kutsu",
    "-- \nTerveisin",
    "<div>Kyllä<br>tulen</div><blockquote>Peruutan</blockquote><div id=divRplyFwdMsg>x</div>",
    "<html><body><script>alert(1)</script><p>Yes<style>p{}</style></body></html>",
    "BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nUID:x\nATTENDEE;PARTSTAT=ACCEPTED:mailto:a@b.fi\n"
    "SEQUENCE:zz\nEND:VEVENT\nEND:VCALENDAR",
    "BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\nATTENDEE;PARTSTAT=\nEND:VCALENDAR",
    "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.fi\nAction: failed\nStatus: 5.1.1",
)


# Strategies are built once: hypothesis validates every new strategy object, and building them
# inside each draw made generation 20 times slower than parsing.


@functools.cache
def _below(n: int) -> st.SearchStrategy[int]:
    return st.integers(0, max(n - 1, 0))


def pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    return options[draw(_below(len(options)))]


def chance(draw: st.DrawFn, one_in: int) -> bool:
    return draw(_below(one_in)) == 0


_BYTES = {size: st.binary(max_size=size) for size in (4, 8, 16, 20, 40, 120)}
_TEXT = {
    size: st.text(max_size=size).map(lambda s: s.encode("utf-8", "surrogatepass")) for size in (20, 40, 120)
}
_BOOL = st.booleans()
EOLS = (b"\r\n", b"\r\n", b"\n", b"\n", b"\r", b"\n\r")


def garbage(draw: st.DrawFn, size: int) -> bytes:
    return draw(_BYTES[size] if draw(_BOOL) else _TEXT[size])


def encoded_word(draw: st.DrawFn) -> bytes:
    """An RFC 2047 word in any charset, either encoding, corrupt, or decoding to CR LF or NUL."""
    charset = pick(draw, CHARSETS).encode("utf-8")
    if draw(_BOOL):
        payload = pick(
            draw, [b"Evil\r\nBcc: victim@example.com", b"Maija\x00", b"\xff\xfe", "Kyllä".encode()]
        )
    else:
        payload = draw(_BYTES[40])
    if draw(_BOOL):
        encoded = base64.b64encode(payload)
        if draw(_BOOL):
            encoded = encoded[: draw(_below(len(encoded) + 1))] + draw(_BYTES[4])
        return b"=?" + charset + b"?" + pick(draw, [b"b", b"B"]) + b"?" + encoded + b"?="
    encoded = quopri.encodestring(payload, header=True).replace(b"=\n", b"")
    return b"=?" + charset + b"?" + pick(draw, [b"q", b"Q", b"x"]) + b"?" + encoded + b"?="


def address(draw: st.DrawFn) -> bytes:
    """A From/To value: display names with quotes, comments, encoded words, groups and junk."""
    choice = draw(_below(4))
    if choice == 0:
        name = b""
    elif choice == 1:
        name = encoded_word(draw)
    elif choice == 2:
        name = pick(draw, [b'"Evil\r\n Bcc: victim@example.com"', b'"a\\"b"', b"(comment", b"a, b", b"\\"])
    else:
        name = garbage(draw, 40)
    local = pick(draw, [b"maija", b"MAILER-DAEMON", b"verkosto", b"no-reply", b'"a b"', b""])
    domain = pick(draw, [b"example.fi", b"example.org", b"[127.0.0.1]", b"", b"\xe4.fi"])
    spec = local + b"@" + domain
    shape = draw(_below(6))
    if shape == 0:
        return spec
    if shape == 1:
        return name + b" <" + spec + b">"
    if shape == 2:
        return b"group: " + name + b" <" + spec + b">, x@y;"
    if shape == 3:
        return b",".join([spec] * draw(_below(30)))
    if shape == 4:
        return spec + b" (" + name + b")"
    return name + b"<<" + local + b">@"


def content_type(draw: st.DrawFn, boundary: bytes | None = None) -> bytes:
    if boundary is None:
        value = pick(draw, CONTENT_TYPES).encode("utf-8")
    else:
        value = b"multipart/" + pick(draw, [b"mixed", b"alternative", b"related", b"report", b"x"])
        value += b"; boundary=" + (b'"' + boundary + b'"' if draw(_BOOL) else boundary)
    for _ in range(draw(_below(4))):
        param = pick(draw, PARAMETERS)
        if param.startswith(b"charset"):
            param = param.replace(b"*", pick(draw, CHARSETS).encode("utf-8"))
        value += b"; " + param
    return value


PARAMETERS = (
    b"charset=*", b'charset="*"', b"name*=utf-8''%e4%ff%00.pdf", b"title*0*=x-unknown''%ff; title*1=b",
    b"name*0*=x''%ff; name*1=b",
    b"method=REPLY", b"report-type=delivery-status", b"report-type=disposition-notification",
    b'boundary=""', b"format=flowed; delsp=yes", b'x="unterminated',
)  # fmt: skip
DISPOSITIONS = (
    b"attachment", b'attachment; filename="a.pdf"', b"attachment; filename*=utf-8''%e4%ff.txt",
    b"inline; filename=" + b'"' * 20, b"attachment; filename*0*=bogus''%ff; filename*1=x", b"\xff\xfe",
)  # fmt: skip


def header_value(draw: st.DrawFn, name: str) -> bytes:
    lowered = name.strip().lower()
    if lowered in ("from", "to", "cc", "reply-to", "sender", "delivered-to"):
        return address(draw)
    if lowered in ("message-id", "in-reply-to", "references"):
        ids = [pick(draw, [b"<a@b>", b"<", b">", b"<>", b"<a b@c>", b"a@b"]) for _ in range(draw(_below(8)))]
        return b" ".join(ids) + garbage(draw, 20)
    if lowered == "content-type":
        return content_type(draw)
    choice = draw(_below(4))
    if choice == 0:
        return encoded_word(draw)
    if choice == 1:
        return b" ".join(encoded_word(draw) for _ in range(draw(_below(5))))
    if choice == 2:
        return pick(draw, [b"auto-replied", b"no", b"bulk", b"auto_reply", OWN.encode(), b"<>"])
    return garbage(draw, 120)


def encode_body(draw: st.DrawFn, text: str, charset: str, encoding: str) -> bytes:
    try:
        data = text.encode(charset, "replace")
    except (LookupError, TypeError, ValueError):  # a bytes-to-bytes or unknown codec
        data = text.encode("utf-8")
    if not isinstance(data, bytes):
        data = text.encode("utf-8")
    data += draw(_BYTES[8])  # whatever the charset says, the bytes may disagree
    kind = encoding.strip().lower()
    if kind.startswith("base64"):
        encoded = base64.encodebytes(data)
        if draw(_BOOL):  # invalid base64: cut in a quantum, stray characters, no padding
            cut = draw(_below(len(encoded) + 1))
            encoded = encoded[:cut] + pick(draw, [b"", b"=", b"@@", b"====", b"\x00", b"-_"])
        return encoded
    if kind == "quoted-printable":
        encoded = quopri.encodestring(data)
        if draw(_BOOL):  # invalid QP: bad escapes, a soft break at the very end
            encoded += pick(draw, [b"=", b"=Z", b"=\r", b"=0", b"=\xff", b"=\r\n="])
        return encoded
    return data


_ANY_TEXT = st.text(max_size=200)


def leaf(draw: st.DrawFn) -> bytes:
    """One non-multipart MIME entity: headers, blank line, body."""
    end = pick(draw, EOLS)
    encoding = pick(draw, ENCODINGS)
    text = pick(draw, TEXTS) if draw(_BOOL) else draw(_ANY_TEXT)
    lines = [b"Content-Type: " + content_type(draw)]
    if draw(_BOOL):
        lines.append(b"Content-Transfer-Encoding: " + encoding.encode())
    if chance(draw, 4):
        lines.append(b"Content-Disposition: " + pick(draw, DISPOSITIONS))
    body = encode_body(draw, text, pick(draw, CHARSETS), encoding)
    return end.join(lines) + end + end + body


BOUNDARIES = (b"b", b"==", b"--", b"a b", b"\xe4", b"x" * 200, b"", b"'\"", b"=_Part_0", b"(", b"?")
_BOUNDARY_TEXT = st.text(alphabet="abcXYZ019'()+_,-./:=? ", min_size=1, max_size=70).map(str.encode)


def multipart(draw: st.DrawFn, inner: bytes, depth: int) -> bytes:
    """A multipart around `inner` plus some siblings, with every boundary mistake in the book."""
    end = pick(draw, EOLS)
    declared = pick(draw, BOUNDARIES) if draw(_BOOL) else draw(_BOUNDARY_TEXT)
    used = pick(draw, [declared, declared, declared, declared + b" ", b"other", declared[:-1]])
    children = [leaf(draw) for _ in range(draw(_below(3 if depth else 5)))]
    children.insert(draw(_below(len(children) + 1)), inner)
    if chance(draw, 5):
        children.append(children[0])  # a duplicated part
    body = pick(draw, [b"", b"This is a multi-part message.", b"--" + used + b"--"]) + end
    for child in children:
        body += b"--" + used + end + child + end
    if not chance(draw, 4):  # sometimes the close delimiter never comes
        body += b"--" + used + b"--" + end
    body += pick(draw, [b"", b"epilogue", b"--" + used + end + b"orphan part"])
    return b"Content-Type: " + content_type(draw, boundary=declared) + end + end + body


def top_header_block(draw: st.DrawFn) -> bytes:
    end = pick(draw, EOLS)
    lines = [b"From: " + address(draw)] if draw(_BOOL) else []
    for _ in range(draw(_below(11))):
        name = pick(draw, HEADER_NAMES)
        value = header_value(draw, name)
        if chance(draw, 5):  # a folded value, or a fold that starts a new "header"
            value += pick(draw, [b"\r\n folded", b"\r\n\tfolded", b"\r\nBcc: x@y.fi"])
        lines.append(name.encode("utf-8") + b": " + value)
    return end.join(lines) + (end if lines else b"")


@st.composite
def top_headers(draw: st.DrawFn) -> bytes:
    return top_header_block(draw)


@st.composite
def messages(draw: st.DrawFn, max_depth: int = 4) -> bytes:
    """A whole message: top headers, then a MIME tree (nested multiparts, 0..max_depth deep,
    around one leaf) whose own headers continue the header block."""
    tree = leaf(draw)
    depth = draw(_below(max_depth + 1))
    for level in range(depth):
        tree = multipart(draw, tree, depth - level - 1)
    return top_header_block(draw) + tree


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A message with a few byte-level accidents: truncation, insertion, deletion, duplication."""
    raw = draw(base)
    for _ in range(1 + draw(_below(4))):
        where = draw(_below(len(raw) + 1))
        operation = draw(_below(5))
        if operation == 0:
            raw = raw[:where]
        elif operation == 1:
            raw = raw[:where] + draw(_BYTES[16]) + raw[where:]
        elif operation == 2:
            raw = raw[:where] + raw[where + 1 + draw(_below(64)) :]
        elif operation == 3:
            raw = raw[:where] + raw[where : where + 200] * (2 + draw(_below(4))) + raw[where:]
        else:
            raw = raw.replace(b"\r\n", b"\n") if draw(_BOOL) else raw.replace(b"\n", b"\r\n")
    return raw


@st.composite
def nested(draw: st.DrawFn, max_depth: int = 50) -> tuple[int, bytes, bool]:
    """Multiparts nested up to `max_depth` deep with a yes at the bottom: (depth, raw, well_formed).
    Not well formed when levels share a boundary (the parser cannot tell them apart then)."""
    depth = draw(_below(max_depth + 1))
    end = b"\r\n"
    part = b"Content-Type: text/plain; charset=utf-8" + end + end + "Kyllä, tulen".encode()
    used: list[bytes] = []
    for level in range(depth):
        boundary = pick(draw, [b"b%d" % level, b"=_%d_" % level, b"same"])
        used.append(boundary)
        sibling = b"--" + boundary + end + b"Content-Type: text/x-junk\r\n\r\nx" + end if draw(_BOOL) else b""
        part = (
            b"Content-Type: multipart/mixed; boundary=\"" + boundary + b"\"" + end + end
            + sibling + b"--" + boundary + end + part + end + b"--" + boundary + b"--" + end
        )  # fmt: skip
    raw = b"From: maija@example.fi\r\nTo: verkosto@example.org\r\nSubject: Re: Kutsu\r\n" + part
    return depth, raw, len(set(used)) == len(used)


# ---- bombs: (name, builder). Builders run lazily; some make megabytes. ----------------------------

_FROM = b"From: Maija <maija@example.fi>\r\nTo: verkosto@example.org\r\nSubject: Re: Kutsu\r\n"
_YES = "Kyllä, tulen\r\n".encode()
KB = 1000


_ATTACHMENT = (
    b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="%d.pdf"\r\n\r\n%%PDF'
)


def _with_header(line: bytes) -> bytes:
    return _FROM + line + b"\r\n\r\n" + _YES


def _multipart(parts: list[bytes], boundary: bytes = b"XX") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + p + b"\r\n" for p in parts)
    return (
        _FROM + b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n"
        + body + b"--" + boundary + b"--\r\n"
    )  # fmt: skip


def _nest(depth: int) -> bytes:
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(depth)
    )
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(depth)))
    leaf = b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" % depth + _YES
    return _FROM + b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n" + opening + leaf + closing


def _text(body: bytes, content_type: bytes = b"text/plain; charset=utf-8") -> bytes:
    return _FROM + b"Content-Type: " + content_type + b"\r\n\r\n" + body


def _base64_part(size: int, content_type: bytes, disposition: bytes) -> bytes:
    data = base64.encodebytes(bytes(random.Random(size).getrandbits(8) for _ in range(1024)) * (size // 1024))
    return (
        b"Content-Type: " + content_type + b"\r\n" + disposition
        + b"Content-Transfer-Encoding: base64\r\n\r\n" + data
    )  # fmt: skip


BOMBS: dict[str, Callable[[], bytes]] = {
    "header of 100 kB": lambda: _with_header(b"X-Big: " + b"a" * 100 * KB),
    "header folded 20 000 times": lambda: _with_header(b"X-Big: a" + b"\r\n a" * 20 * KB),
    "subject of 100 kB encoded words": lambda: _with_header(b"Subject: " + b"=?utf-8?q?=C3=A4?= " * 5 * KB),
    "From of 100 kB encoded words": lambda: (
        b"From: " + b"=?utf-8?q?a?= " * 7 * KB + b"<maija@example.fi>\r\n\r\n" + _YES
    ),
    "From with 100 kB of commas": lambda: b"From: " + b"," * 100 * KB + b"maija@example.fi\r\n\r\n" + _YES,
    "Content-Type charset of 100 kB quotes": lambda: _with_header(
        b'Content-Type: text/plain; charset="' + b'"' * 100 * KB
    ),
    "Content-Type with 20 000 parameters": lambda: _with_header(
        b"Content-Type: text/plain; " + b"a=b; " * 20 * KB
    ),
    "Content-Type with 7 000 RFC 2231 continuations": lambda: _with_header(
        b"Content-Type: text/plain; " + b"".join(b"name*%d*=%%ff; " % i for i in range(7 * KB))
    ),
    "To with 8 000 groups (100 kB)": lambda: (
        b"From: maija@example.fi\r\nTo: " + b"g: x@y.fi;, " * 8 * KB + b"\r\n\r\n" + _YES
    ),
    "To with 7 000 addresses (100 kB)": lambda: (
        b"From: maija@example.fi\r\nTo: " + b"x@example.fi, " * 7 * KB + b"\r\n\r\n" + _YES
    ),
    "From of 25 000 quoted words (100 kB)": lambda: (
        b"From: " + b'"a" ' * 25 * KB + b"<maija@example.fi>\r\n\r\n" + _YES
    ),
    "Message-ID of 100 kB": lambda: _with_header(b"Message-ID: <" + b"a" * 100 * KB + b">"),
    "References with 15 000 ids": lambda: _with_header(b"References: " + b"<a@b> " * 15 * KB),
    "20 000 header lines": lambda: _FROM + b"X-A: b\r\n" * 20 * KB + b"\r\n" + _YES,
    "1 MB line without newline": lambda: _text(b"k" * 1000 * KB),
    "1 MB of '>' without newline": lambda: _text(b">" * 1000 * KB),
    "1 MB HTML line without newline": lambda: _text(b"<div>" * 200 * KB, b"text/html"),
    "1 MB of nested blockquotes": lambda: _text(b"<blockquote>" * 80 * KB + _YES, b"text/html"),
    "NUL bytes in headers and body": lambda: (
        b"From: ma\x00ija@example.fi\r\nSubject: \x00\x00\r\nX-\x00: \x00\r\n\r\n" + b"\x00" * 100 * KB
    ),
    "1 MB of random bytes": lambda: random.Random(1).randbytes(1000 * KB),
    "1 MB of random bytes after headers": lambda: _FROM + b"\r\n" + random.Random(2).randbytes(1000 * KB),
    "5 MB base64 attachment": lambda: _multipart(
        [
            b"Content-Type: text/plain\r\n\r\n" + _YES,
            _base64_part(
                5000 * KB, b"application/pdf", b'Content-Disposition: attachment; filename="a.pdf"\r\n'
            ),
        ]
    ),
    "5 MB base64 text part": lambda: _multipart([_base64_part(5000 * KB, b"text/plain; charset=utf-8", b"")]),
    "5 MB base64 HTML part": lambda: _multipart(
        [_base64_part(5000 * KB, b"text/html; charset=latin-1", b"")]
    ),
    "5 MB base64 calendar part": lambda: _multipart(
        [_base64_part(5000 * KB, b"text/calendar; method=REPLY", b"")]
    ),
    "300 tiny parts": lambda: _multipart([b"Content-Type: text/plain\r\n\r\nhi"] * 300),
    "300 tiny attachments": lambda: _multipart([_ATTACHMENT % i for i in range(300)]),
    "10 000 boundaries without parts": lambda: (
        _FROM + b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n" + b"--XX\r\n" * 10 * KB
    ),
    "multiparts nested 50 deep": lambda: _nest(50),
    "multiparts nested 150 deep": lambda: _nest(150),
    "base64 that is not base64": lambda: _text(
        b"@@@===" * 20 * KB, b"text/plain\r\nContent-Transfer-Encoding: base64"
    ),
    "quoted-printable that is not": lambda: _text(
        b"=ZZ=\r\n=0=" * 20 * KB, b"text/plain\r\nContent-Transfer-Encoding: quoted-printable"
    ),
    "charset that is a compression codec": lambda: _text(b"x\x9c" * 50 * KB, b"text/plain; charset=zlib"),
    "charset utf-7 with broken shifts": lambda: _text(b"+ZZZ-+" * 20 * KB, b"text/plain; charset=utf-7"),
}

# Bombs that exposed a bug (the reason says what happened before the fix); kept as regression
# tests and run all at once, so that if several hang again the wait is one kill, not one each.
KNOWN_BAD_BOMBS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "multiparts nested 2000 deep": ("RecursionError escapes parse_message", lambda: _nest(2000)),
    "NUL byte in the charset name": (
        "ValueError('embedded null character') escapes parse_message",
        lambda: _text("Kyllä".encode(), b'text/plain; charset="utf-8\x00"'),
    ),
    "From with 1 000 open parentheses": (
        "RecursionError from email.utils.parseaddr escapes parse_message (from 500 '(' on)",
        lambda: b"From: maija@example.fi " + b"(" * KB + b"\r\n\r\n" + _YES,
    ),
    "To with 1 000 open parentheses": (
        "RecursionError from email.utils.getaddresses escapes parse_message",
        lambda: b"From: maija@example.fi\r\nTo: verkosto@example.org " + b"(" * KB + b"\r\n\r\n" + _YES,
    ),
    "charset=punycode on a body with a hyphen": (
        "UnicodeError (not UnicodeDecodeError) from bytes.decode('punycode') escapes parse_message",
        lambda: _text(b"Kyllae-tulen!", b"text/plain; charset=punycode"),
    ),
    "RFC 2231 name*= and name*0= in one Content-Type": (
        "TypeError from email.utils.decode_params escapes parse_message",
        lambda: _with_header(b"Content-Type: text/plain; name*=a; name*0=b"),
    ),
    "yes, 10 000 blank lines, a signature (20 kB)": (
        "mail-parser-reply's signature regex is quadratic on runs of blank lines (~17 s)",
        lambda: _text(_YES + b"\r\n" * 10 * KB + b"Terveisin Maija\r\n"),
    ),
    "diet line padded with 49 kB of spaces": (
        "mail-parser-reply's signature regex is quadratic on whitespace runs (~40 s)",
        lambda: _text("Kyllä, tulen\nErityisruokavalio:".encode() + b" " * 49 * KB + b"x"),
    ),
    "organisation line padded with 49 kB of tabs": (
        "intent._FIELD_LINE `(.+?)\\s*$` and mail-parser-reply are quadratic (~60 s)",
        lambda: _text(b"Kylla tulen\nOrganisaatio: a" + b"\t" * 49 * KB + b"x"),
    ),
    "yes followed by 49 kB of no-break spaces": (
        "mail-parser-reply's signature regex is quadratic on whitespace runs (~45 s)",
        lambda: _text("Kyllä".encode() + " \u00a0".encode() * 16 * KB + b"x"),
    ),
}


# Bombs that exposed a bug fixed since (kept as regression cases beside KNOWN_BAD_BOMBS).
OPEN_BUGS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "organisation line padded with 40 kB of vertical tabs": (
        "reply.normalise() shortens runs of [ \\t\\u00a0\\u2000-\\u200b\\u3000] only; other characters "
        "that regex \\s matches (\\v \\f \\x1c-\\x1f \\x85 \\u2028 \\u202f \\u205f) still make "
        "mail-parser-reply quadratic (~20 s)",
        lambda: _text("Kyllä, tulen\nOrganisaatio: a".encode() + b"\x0b" * 40 * KB + b"x"),
    ),
}

# ---- replies for the end-to-end tests --------------------------------------------------------------

QUOTED_INVITATION = (
    "\r\n\r\n" + "_" * 32 + "\r\nLähettäjä: Verkosto <verkosto@example.org>\r\n"
    "Lähetetty: tiistai 30. tammikuuta 2024 10.00\r\nAihe: Kutsu: verkoston tapaaminen 12.3.2024\r\n\r\n"
    "Hei,\r\nvastaa tähän viestiin: Kyllä, tulen / En pääse.\r\nPeruutan\r\n"
)


def raw_reply(
    sender: bytes,
    text: str,
    *,
    message_id: str,
    subject: bytes = b"VS: Kutsu: verkoston tapaaminen 12.3.2024",
    to: bytes = OWN.encode(),
    extra: bytes = b"",
) -> bytes:
    """An Outlook-style reply (new text above the quoted invitation), every header byte as given."""
    return (
        b"From: " + sender + b"\r\nTo: " + to + b"\r\nSubject: " + subject
        + b"\r\nDate: Wed, 31 Jan 2024 09:00:00 +0200\r\nMessage-ID: <" + message_id.encode()
        + b">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n" + extra + b"\r\n"
        + text.replace("\n", "\r\n").encode("utf-8") + QUOTED_INVITATION.encode("utf-8")
    )  # fmt: skip
