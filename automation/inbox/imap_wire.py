"""How we speak IMAP: the login, what the server's responses say, folder names, its errors."""

from __future__ import annotations

import imaplib
import os
import socket
import ssl
from datetime import UTC, datetime

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from automation.auth.login import OAuthLogin

# What a broken or lost connection raises: each one means reconnect, never a wrong answer.
_ERRORS = (
    IMAPClientError,
    imaplib.IMAP4.error,
    imaplib.IMAP4.abort,
    OSError,
    socket.timeout,
    ssl.SSLError,
)


def login(client: IMAPClient, username: str, password: str, oauth: OAuthLogin | None) -> None:
    """LOGIN with the password, or AUTHENTICATE with a token (XOAUTH2, or OAUTHBEARER where
    offered). A refused token is renewed once and tried again on the same connection (IMAP allows
    another AUTHENTICATE after a NO); a second refusal is AuthRefused with what to fix."""
    if oauth is None:
        client.login(username, password)
        return
    capabilities = [c.decode("ascii", "replace").upper() for c in client.capabilities()]
    offered = {c[5:] for c in capabilities if c.startswith("AUTH=")}
    mechanism = oauth.choose(offered)
    for attempt in (1, 2):
        token = oauth.provider.token()
        try:
            if mechanism == "OAUTHBEARER":
                client.oauthbearer_login(username, token)
            else:
                client.oauth2_login(username, token)
            return
        except LoginError as exc:
            if attempt == 2:
                raise oauth.refused("IMAP", _reply(exc), username) from None
            oauth.renew_after_refusal("IMAP")


def _reply(exc: BaseException) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


def _at_eof(client: IMAPClient) -> bool:
    """Whether the server closed the connection: a peek at the TCP stream under TLS (a copy of
    the descriptor, so the TLS layer is not disturbed) reads nothing at end of stream."""
    try:
        raw = socket.socket(fileno=os.dup(client.socket().fileno()))
    except (AttributeError, OSError):
        return False
    try:
        return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False  # nothing to read yet: still open
    except OSError:
        return True  # reset
    finally:
        raw.close()  # the copy only; the client's own descriptor stays open


def _goodbye(responses: list[object]) -> str:
    """The text of an untagged BYE among IDLE responses, "" when there is none."""
    for r in responses:
        if isinstance(r, tuple) and r and r[0] == b"BYE":
            return " ".join(p.decode("utf-8", "replace") if isinstance(p, bytes) else str(p) for p in r)
    return ""


def _announces_mail(responses: list[object]) -> bool:
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)


def _message_id(data: dict[bytes, object]) -> str:
    header = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
    if not isinstance(header, bytes):
        return ""
    _, _, value = header.decode("ascii", "replace").partition(":")
    return value.strip()


def _in_namespace(name: str, prefix: str, delimiter: str) -> str:
    """A configured folder name ("Handled", "Archive/Handled") in the server's namespace; a name
    already under the prefix, or INBOX itself, is taken as the server spells it."""
    if not name or name.upper() == "INBOX" or (prefix and name.startswith(prefix)):
        return name
    if delimiter and delimiter != "/":
        name = name.replace("/", delimiter)
    return prefix + name


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _server_text(exc: BaseException) -> str:
    """The server's words without the bytes repr: b'[AUTHENTICATIONFAILED] …' reads as text."""
    text = str(exc.args[0] if exc.args else exc)
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]):
        text = text[2:-1]
    return text
