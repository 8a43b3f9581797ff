"""`automation check --connect`: log in to the mailbox and the SMTP server as configured and say
what must be fixed, one line per problem naming the config key (issue 17 item 11, issue 13 item 4).

It creates no folder and sends nothing: the SMTP check stops at MAIL FROM + RSET, so a refused
sender shows before any real mail is queued behind it.
"""

from __future__ import annotations

import contextlib
import imaplib
import socket
import ssl
from dataclasses import dataclass, field

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from automation.auth.login import OAuthLogin
from automation.auth.tokens import TokenUnavailable
from automation.config import MailboxSettings, Settings, resolve_password
from automation.errors import ConfigError, SessionRefused, TransientError
from automation.inbox.imap import _in_namespace, login


@dataclass
class Findings:
    ok: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_connections(settings: Settings) -> Findings:
    """Both servers; a problem with one does not hide the other's."""
    found = Findings()
    for label, problems in (("mailbox", check_mailbox(settings)), ("sending", check_sending(settings))):
        if problems:
            found.problems.extend(problems)
        else:
            found.ok.append(f"ok: [{label}] {_describe(settings, label)}")
    return found


def _describe(settings: Settings, label: str) -> str:
    section = settings.mailbox if label == "mailbox" else settings.sending
    if section.kind == "maildir":
        path = settings.path(section.path)
        state = "exists" if path.exists() else "does not exist yet: created at the first start"
        return f"maildir {path} ({state})"
    what = "login, folders and IDLE" if label == "mailbox" else "login and sender"
    return f"{section.kind} {section.host}:{section.effective_port} ({section.security}): {what} fine"


def explain(section: str, host: str, port: int, exc: BaseException, timeout: float) -> str:
    """A connection failure as what people meet and what to change; never the password."""
    where = f"[{section}] host {host}:{port}"
    exc = _root(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or str(exc.reason)
        if "hostname" in reason.lower() or "ip address mismatch" in reason.lower():
            return (
                f"{where}: the certificate is not issued for this name (CERTIFICATE_VERIFY_FAILED:"
                f" {reason}); fix: set [{section}] host to the name the certificate names"
            )
        return (
            f"{where}: certificate not trusted (CERTIFICATE_VERIFY_FAILED: {reason}); fix: set"
            f' [{section}] ca_file = "…" to your organisation\'s CA certificate (PEM)'
        )
    if isinstance(exc, ssl.SSLError):
        return (
            f"{where}: TLS failed ({exc.reason or exc}); fix: check [{section}] security"
            ' ("tls" on ports 993/465, "starttls" on 143/587) and port'
        )
    if isinstance(exc, ConnectionRefusedError):
        return f"{where}: connection refused; fix: check [{section}] host and port, and that the server runs"
    if isinstance(exc, TimeoutError):
        return (
            f"{where}: no answer within {timeout:g} s; fix: check [{section}] host and port"
            " (a firewall may drop the connection)"
        )
    if isinstance(exc, socket.gaierror):
        return f"{where}: host name not found ({exc}); fix: check [{section}] host"
    return f"{where}: cannot connect ({exc}); fix: check [{section}] host, port and security"


def _root(exc: BaseException) -> BaseException:
    """The socket error under a library's wrapper: smtplib turns a timeout while reading the
    greeting into SMTPServerDisconnected("Connection unexpectedly closed: timed out")."""
    inner = exc.__cause__ or exc.__context__
    while isinstance(inner, OSError):
        exc, inner = inner, inner.__cause__ or inner.__context__
    return exc


# ---- the mailbox -----------------------------------------------------------------------------------


def check_mailbox(settings: Settings) -> list[str]:
    box = settings.mailbox
    if box.kind == "maildir":
        return []  # a local directory: nothing to log in to
    from automation.app import oauth_login  # app imports the adapters; keep connect light

    try:
        oauth = oauth_login(settings, "mailbox", {})
        password = "" if oauth else resolve_password(box, "mailbox", settings.source.parent)
    except ConfigError as exc:
        return [f"[mailbox] not connected: {p}" for p in exc.problems]
    host, port = box.host, box.effective_port
    try:
        client = _imap_login(settings, box, password, oauth)
    except TransientError as exc:  # no token, or the token refused: translated with the fix
        return [str(exc)]
    except LoginError as exc:
        return [
            f"[mailbox] host {host}:{port}: login refused for {box.username} ({_text(exc)}); fix: check"
            " [mailbox] username and the password in password_env/password_file (is IMAP enabled"
            " for the account?)"
        ]
    except (IMAPClientError, imaplib.IMAP4.error) as exc:
        refused = f"the server refused ({_text(exc)}); fix: check [mailbox] security"
        return [f"[mailbox] host {host}:{port}: {refused}"]
    except OSError as exc:
        return [explain("mailbox", host, port, exc, box.timeout)]
    try:
        return _imap_findings(client, box)
    except (IMAPClientError, imaplib.IMAP4.error, OSError) as exc:
        return [f"[mailbox] host {host}:{port}: connection lost while checking ({_text(exc)})"]
    finally:
        with contextlib.suppress(IMAPClientError, imaplib.IMAP4.error, OSError):
            client.logout()


def _imap_login(
    settings: Settings, box: MailboxSettings, password: str, oauth: OAuthLogin | None
) -> IMAPClient:
    """Connected and logged in exactly as ImapSource does it (TLS context, ca_file, STARTTLS)."""
    ca_file = settings.path(box.ca_file) if box.ca_file else None
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    client = IMAPClient(
        box.host,
        port=box.effective_port,
        ssl=box.security == "tls",
        ssl_context=context if box.security == "tls" else None,
        timeout=box.timeout,
    )
    try:
        if box.security == "starttls":
            client.starttls(context)
        login(client, box.username, password, oauth)
    except BaseException:
        with contextlib.suppress(OSError):
            client.shutdown()
        raise
    return client


def _imap_findings(client: IMAPClient, box: MailboxSettings) -> list[str]:
    capabilities = client.capabilities()
    prefix, delimiter = _namespace(client) if b"NAMESPACE" in capabilities else ("", "")
    problems: list[str] = []
    if not client.folder_exists(box.folder):
        problems.append(
            f'[mailbox] folder: "{box.folder}" does not exist on the server; fix: set'
            ' [mailbox] folder = "INBOX" (or the folder the mail arrives in)'
        )
    for key, configured in (
        ("handled_folder", box.handled_folder),
        ("attention_folder", box.attention_folder),
    ):
        name = _in_namespace(configured, prefix, delimiter)
        if name and not client.folder_exists(name):
            problems.append(_missing_folder(key, name, prefix))
    if box.idle and b"IDLE" not in capabilities:
        problems.append(
            "[mailbox] idle: the server does not offer IDLE; fix: set [mailbox] idle = false"
            " (new mail is then seen every poll_seconds)"
        )
    return problems


def _missing_folder(key: str, name: str, prefix: str) -> str:
    where = f' (folders on this server live under "{prefix}")' if prefix else ""
    return (
        f'[mailbox] {key}: folder "{name}" does not exist{where}; fix: create "{name}" in the'
        f' mailbox (the daemon creates it if the account may), or set [mailbox] {key} = "{name}"'
        " to the full name of an existing folder"
    )


def _namespace(client: IMAPClient) -> tuple[str, str]:
    """The personal namespace's prefix and delimiter (RFC 2342), as ImapSource reads them."""
    personal = client.namespace().personal
    if not personal:
        return "", ""
    prefix, delimiter = personal[0]
    text = prefix.decode() if isinstance(prefix, bytes) else str(prefix or "")
    sep = delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter or "")
    return text, sep


def _text(exc: BaseException) -> str:
    text = str(exc)
    return text[2:-1] if text.startswith(("b'", 'b"')) else text


# ---- sending ---------------------------------------------------------------------------------------


def check_sending(settings: Settings) -> list[str]:
    out = settings.sending
    if out.kind == "maildir":
        return []
    from automation.app import smtp_transport  # app imports the adapters; keep connect light

    try:
        transport = smtp_transport(settings)
    except ConfigError as exc:
        return [f"[sending] not connected: {p}" for p in exc.problems]
    where = f"[sending] host {out.host}:{out.effective_port}"
    try:
        with transport.open() as session:
            session.try_sender(settings.network.address)
    except SessionRefused as exc:
        text = str(exc)  # already says what to change (smtp.py's and auth's translations)
        return [text if text.startswith("[sending") else f"{where}: {text}"]
    except TokenUnavailable as exc:
        return [str(exc)]
    except TransientError as exc:
        cause = exc.__cause__
        if isinstance(cause, OSError):
            return [explain("sending", out.host, out.effective_port, cause, out.timeout)]
        return [f"{where}: {exc}; fix: check [sending] host, port and security"]
    except OSError as exc:  # smtplib's errors too: the server went away during MAIL FROM
        return [explain("sending", out.host, out.effective_port, exc, out.timeout)]
    return []
