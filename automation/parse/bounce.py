"""What a bounce says: which of our messages failed, for whom, and whether for good. Pure.

Matching needs no guessing: a delivery report (RFC 3464) names the Final-Recipient and carries
the headers of our message, whose Message-ID is in our outbox. Non-standard bounces (Exim,
qmail, Exchange text) usually quote our headers too, so the Message-ID is searched for in the
whole report; X-Failed-Recipients is used when present.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import Message

# Our Message-IDs: purpose.meeting.<12 hex of the recipient>.revision@domain (store/db.py).
_OUR_ID = r"<([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[0-9a-f]{{12}}\.[A-Za-z0-9_.-]+@{domain})>"


@dataclass(frozen=True)
class Bounce:
    recipients: tuple[str, ...]
    permanent: bool
    message_ids: tuple[str, ...]  # our Message-IDs found in the report
    reason: str


def read_bounce(raw: bytes, domain: str) -> Bounce:
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # noqa: BLE001 - unreadable: nothing to learn, the message is kept anyway
        return Bounce((), False, (), "unreadable report")
    recipients: list[str] = []
    actions: list[str] = []
    statuses: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status":
            for block in _blocks(part):
                recipient = _address(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
                if recipient:
                    recipients.append(recipient)
                    actions.append(str(block.get("Action", "")).strip().lower())
                    statuses.append(str(block.get("Status", "")).strip())
    failed_header = message.get("X-Failed-Recipients")
    if failed_header:
        recipients += [a.strip().lower() for a in str(failed_header).split(",") if "@" in a]
    text = raw.decode("utf-8", errors="replace")
    ids = tuple(dict.fromkeys(re.findall(_OUR_ID.format(domain=re.escape(domain)), text)))
    delayed = bool(actions) and all(a in ("delayed", "delivered", "relayed", "expanded") for a in actions)
    permanent = not delayed and (any(s.startswith("5") for s in statuses) or not statuses)
    reason = ", ".join(f"{a or '?'} {s}".strip() for a, s in zip(actions, statuses, strict=False)) or "bounce"
    return Bounce(tuple(dict.fromkeys(recipients)), permanent, ids, reason)


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    # Some parsers leave the report as text: split it into header blocks ourselves.
    text = payload if isinstance(payload, str) else ""
    return [email.message_from_string(chunk) for chunk in re.split(r"\r?\n\r?\n", text) if chunk.strip()]


def _address(value: str) -> str:
    value = str(value).strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").lower()
