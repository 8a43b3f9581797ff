"""Attachments worth keeping: size-limited and type-checked by extension AND content.

A file is kept only when its name has an allowed extension and its first bytes agree with it
(a PDF starts with %PDF, an Office file is a ZIP, text decodes as UTF-8), so a renamed
executable is refused, with the reason told to the sender.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from pathlib import Path

from automation.parse.spooled import SPOOLED, spooled_file

ALLOWED = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "txt": (),
    "md": (),
    "csv": (),
}
_TEXT = {"txt", "md", "csv"}
_MAX_FILES = 10


@dataclass(frozen=True)
class Kept:
    filename: str
    content_type: str
    data: bytes


def safe_filename(name: str) -> str:
    """A file name that cannot climb out of its directory or surprise a shell."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    return cleaned[:120] or "attachment"


def extract(raw: bytes, max_bytes: int, spool: Path | None = None) -> tuple[list[Kept], list[dict[str, str]]]:
    """The attachments to keep and those refused (with a reason code). With `spool`, `raw` is a
    big message's reduced form (inbox/spool.py): a spooled part is read from its file only when
    it is within `max_bytes`, so what is held is bounded by the limit, not by the message."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception:  # noqa: BLE001 - the message itself was already kept; no attachments then
        return [], []
    kept: list[Kept] = []
    refused: list[dict[str, str]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if not filename or (part.get_content_disposition() or "") == "inline" and not filename:
            continue
        name = safe_filename(str(filename))
        reason, limit = "", 0
        data, size = _content(part, spool, max_bytes)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        # Codes, not words: the sender reads the reason in their own language (the templates
        # of initiative_received and initiative_new say what each code means).
        if len(kept) >= _MAX_FILES:
            reason, limit = "too_many", _MAX_FILES
        elif extension not in ALLOWED:
            reason = "type"
        elif size > max_bytes:
            reason, limit = "too_large", max_bytes // 1024
        elif not _content_matches(extension, data):
            reason = "mismatch"
        if reason:
            refused.append({"filename": name, "reason": reason, "limit": str(limit)})
        else:
            kept.append(Kept(name, part.get_content_type(), data))
    return kept, refused


def _content(part: Message, spool: Path | None, max_bytes: int) -> tuple[bytes, int]:
    """(content, its size): from the spool file when the part was spooled (empty when over the
    limit: it is refused unread)."""
    marker = part[SPOOLED] if spool is not None else None
    if marker is None:
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        return data, len(data)
    path, size = spooled_file(spool, str(marker))
    if path is None or size > max_bytes or not path.is_file():
        return b"", size
    return path.read_bytes(), size


def _content_matches(extension: str, data: bytes) -> bool:
    if extension in _TEXT:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in data
    return any(data.startswith(magic) for magic in ALLOWED[extension])
