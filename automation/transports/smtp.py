"""SMTP with TLS (default), STARTTLS, or plain on loopback; one connection per batch.

Errors say whether they are permanent: a 5xx for a recipient is final for that message only;
4xx replies and connection failures are transient and retried with backoff by the outbox. A
refusal of the session or of our sender (EHLO, login, MAIL FROM) is SessionRefused: no message is
at fault, and the outbox pauses until the server accepts again.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from pathlib import Path

from automation.auth import sasl
from automation.auth.login import OAuthLogin
from automation.errors import ConnectionLost, PermanentError, SessionRefused, TransientError


@cache
def default_helo_name() -> str:
    """This host's FQDN for EHLO, looked up once per process (smtplib would ask DNS on every
    connection). Relays that require an FQDN refuse "localhost" or a bare host name with 504;
    without a dotted name we announce our address literal instead (RFC 5321 4.1.3), "" here."""
    name = socket.getfqdn()
    return name if "." in name and not name.startswith("localhost") else ""


class SmtpSession:
    def __init__(self, client: smtplib.SMTP, username: str = "") -> None:
        self.client = client
        self.username = username

    def send(self, message: bytes, envelope_from: str, recipient: str) -> None:
        # smtplib.sendmail() would parse both addresses again with email.utils (a tenth of a
        # millisecond a mail); ours are bare addresses, so the commands are sent as they are.
        for address in (envelope_from, recipient):
            if not address or any(c in address for c in "<>\r\n\t "):
                raise PermanentError(f"not a mail address: {address!r}")
        # A non-ASCII address can only travel with SMTPUTF8 (RFC 6531); its headers are UTF-8.
        international = not (envelope_from + recipient).isascii()
        client = self.client
        try:
            client.ehlo_or_helo_if_needed()
            if international and not client.has_extn("smtputf8"):
                raise PermanentError(f"the mail server does not accept non-ASCII addresses: {recipient}")
            options = " SMTPUTF8 BODY=8BITMIME" if international else ""
            # What smtplib.mail() does for SMTPUTF8: commands go out as UTF-8 (else ASCII).
            client.command_encoding = "utf-8" if international else "ascii"
            code, reply = client.docmd("MAIL", f"FROM:<{envelope_from}>{options}")
            if code >= 500:
                self._reset()
                raise sender_refused(code, reply, envelope_from, self.username)
            if code == 250:
                code, reply = client.docmd("RCPT", f"TO:<{recipient}>")
            if code not in (250, 251):
                self._reset()
                raise self._refusal(code, reply, envelope_from)
            code, reply = client.data(message)  # raises only if DATA itself is refused
            if code != 250:
                self._reset()
                raise self._refusal(code, reply, envelope_from)
        except smtplib.SMTPHeloError as exc:
            raise helo_refused(exc, client.local_hostname) from exc
        except smtplib.SMTPResponseException as exc:  # DATA refused
            self._reset()
            raise self._refusal(exc.smtp_code, exc.smtp_error, envelope_from) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionLost(f"SMTP connection lost: {exc}") from exc

    def try_sender(self, envelope_from: str) -> None:
        """MAIL FROM then RSET, never DATA: whether the server would take mail from us at all
        (`check --connect`); sends nothing. A refusal is the SessionRefused the outbox would see."""
        self.client.ehlo_or_helo_if_needed()  # after STARTTLS without a login, EHLO is still due
        code, reply = self.client.docmd("MAIL", f"FROM:<{envelope_from}>")
        self._reset()
        if code >= 400:
            raise sender_refused(code, reply, envelope_from, self.username)

    def _refusal(self, code: int, reply: bytes | str, envelope_from: str) -> Exception:
        """Office 365 refuses Send As only after DATA (554 5.2.252), and a 530 may come at any
        step: those refuse our sender or session, not this recipient."""
        text = _text(reply).lower()
        if code == 530 or any(marker in text for marker in _SENDER_REFUSED):
            return sender_refused(code, reply, envelope_from, self.username)
        return _classified(code, reply)

    def _reset(self) -> None:
        """After a refusal the transaction is abandoned (RSET), so the next mail starts clean."""
        # If the connection is gone, the next send finds out and says so.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.client.rset()


# Enhanced status codes and texts that refuse our sender whatever the recipient: 5.2.252
# SendAsDenied and 5.7.60 (Microsoft 365), 5.7.1 "... not owned by user" (Postfix
# reject_sender_login_mismatch).
_SENDER_REFUSED = ("5.2.252", "sendasdenied", "5.7.60", "not owned by user")


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    """One AUTH attempt per login: smtplib.login() tries every mechanism after a 535 (PLAIN,
    then LOGIN), doubling the failures that lock a directory account out."""
    client.ehlo_or_helo_if_needed()  # again after STARTTLS: the features are those over TLS
    advertised = client.esmtp_features.get("auth", "").upper().split()
    mechanism = next((m for m in ("PLAIN", "LOGIN") if m in advertised), None)
    if mechanism is None:
        client.login(username, password)  # CRAM-MD5 only, or no AUTH: smtplib says which
        return
    client.user, client.password = username, password
    client.auth(mechanism, client.auth_plain if mechanism == "PLAIN" else client.auth_login)


def _oauth_login(client: smtplib.SMTP, username: str, oauth: OAuthLogin) -> None:
    """AUTH XOAUTH2 (or OAUTHBEARER where offered) with the token as initial response. A 535 gets
    one more try with a renewed token; the second is AuthRefused with what to fix."""
    client.ehlo_or_helo_if_needed()
    offered = set(client.esmtp_features.get("auth", "").upper().split())
    mechanism = oauth.choose(offered)
    build = sasl.oauthbearer if mechanism == "OAUTHBEARER" else sasl.xoauth2
    answer = sasl.refusal_answer(mechanism)
    for attempt in (1, 2):
        initial = build(username, oauth.provider.token())

        # smtplib calls this without a challenge for the initial response (and a server that
        # wants none first sends an empty 334); a non-empty challenge is the error status.
        def respond(challenge: bytes | None = None, initial: str = initial) -> str:
            return initial if not challenge else answer

        try:
            client.auth(mechanism, respond)
            return
        except smtplib.SMTPAuthenticationError as exc:
            if attempt == 2:
                reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
                raise oauth.refused("SMTP", reply, username) from None
            oauth.renew_after_refusal("SMTP")


def _text(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def sender_refused(code: int, text: bytes | str, sender: str, username: str) -> SessionRefused:
    """MAIL FROM refused: every message would be, so say what the administrator must change."""
    detail = f"SMTP {code} {_text(text)}"[:300]
    account = username or "the SMTP account"
    if "5.2.252" in detail or "sendas" in detail.lower().replace(" ", ""):
        return SessionRefused(
            f"the mailbox may not send as {sender}: grant {account} Send As on {sender}"
            f" (Microsoft 365: Exchange admin center > Recipients > Mailboxes > {sender} > Delegation)"
            f"; queued mail waits and goes out by itself once allowed ({detail})"
        )
    if code == 530:
        return SessionRefused(
            f"the SMTP server requires a login: set [sending] username and password_env ({detail})"
        )
    return SessionRefused(f"the SMTP server refuses our sender {sender}: check [sending] ({detail})")


def helo_refused(exc: smtplib.SMTPResponseException, name: str) -> SessionRefused:
    detail = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"[:300]
    return SessionRefused(
        f"the SMTP server refused our EHLO name {name!r}:"
        f" set [sending] helo_name to this host's DNS name ({detail})"
    )


def _classified(code: int, text: bytes | str) -> Exception:
    message = f"SMTP {code} {_text(text)}"
    if code == 421:  # the server is closing the connection: the rest of the batch waits too
        return ConnectionLost(message)
    return PermanentError(message) if 500 <= code < 600 else TransientError(message)


class SmtpTransport:
    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        username: str,
        password: str,
        timeout: float = 30.0,
        helo_name: str = "",
        ca_file: Path | None = None,
        oauth: OAuthLogin | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.oauth = oauth  # tokens instead of the password (Microsoft 365, Google Workspace)
        self.helo_name = helo_name
        self.ca_file = ca_file

    @contextmanager
    def open(self) -> Iterator[SmtpSession]:
        client = self._connect()
        try:
            yield SmtpSession(client, self.username)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    @cached_property
    def _tls(self) -> ssl.SSLContext:
        # Loading the system's CA certificates takes ~35 ms: once per transport, not per batch.
        # With ca_file only that (internal) CA is trusted, as for [mailbox] ca_file.
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        # A name given here keeps smtplib from asking DNS for getfqdn() on every connection.
        placeholder = self.helo_name or default_helo_name() or "localhost.invalid"
        try:
            client = self._dial(placeholder)
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"cannot connect to SMTP {self.host}:{self.port}: {exc}") from exc
        try:
            if not (self.helo_name or default_helo_name()) and client.sock is not None:
                # No FQDN for this host: our address literal, e.g. [192.0.2.7], is always valid.
                client.local_hostname = f"[{client.sock.getsockname()[0]}]"
            client.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                client.starttls(context=self._tls)
            if self.oauth is not None:
                _oauth_login(client, self.username, self.oauth)
            elif self.username:
                _login(client, self.username, self.password)
            return client
        except TransientError:  # no token, or the token refused: already translated
            client.close()
            raise
        except smtplib.SMTPHeloError as exc:
            client.close()
            raise helo_refused(exc, client.local_hostname) from exc
        except smtplib.SMTPAuthenticationError as exc:
            client.close()
            # Not permanent for the messages: fix the password and everything queued goes out.
            raise SessionRefused(
                f"SMTP login refused for {self.username}: {exc.smtp_code} {_text(exc.smtp_error)[:200]};"
                " check [sending] username and password (is SMTP AUTH enabled for the account?)"
            ) from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            client.close()
            raise TransientError(f"cannot connect to SMTP {self.host}:{self.port}: {exc}") from exc

    def _dial(self, local_hostname: str) -> smtplib.SMTP:
        """Connected, greeting read. The host goes to the constructor: smtplib checks the
        certificate against the name given there only; a later connect() leaves it empty and TLS
        fails with "check_hostname requires server_hostname" (a ValueError, not an OSError)."""
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host, self.port, local_hostname, timeout=self.timeout, context=self._tls
            )
        return smtplib.SMTP(self.host, self.port, local_hostname, timeout=self.timeout)

    def describe(self) -> str:
        return f"smtp://{self.host}:{self.port} ({self.security})"
