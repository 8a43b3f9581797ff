"""SMTP with TLS (default), STARTTLS, or plain on loopback; one connection per batch.

Errors say whether they are permanent: a 5xx for a recipient is final for that message only;
4xx replies and connection failures are transient and retried with backoff by the outbox.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from automation.errors import ConnectionLost, PermanentError, TransientError


class SmtpSession:
    def __init__(self, client: smtplib.SMTP) -> None:
        self.client = client

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
            if code == 250:
                code, reply = client.docmd("RCPT", f"TO:<{recipient}>")
            if code not in (250, 251):
                self._reset()
                raise _classified(code, reply)
            code, reply = client.data(message)  # raises only if DATA itself is refused
            if code != 250:
                self._reset()
                raise _classified(code, reply)
        except smtplib.SMTPResponseException as exc:  # DATA refused
            self._reset()
            raise _classified(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionLost(f"SMTP connection lost: {exc}") from exc

    def _reset(self) -> None:
        """After a refusal the transaction is abandoned (RSET), so the next mail starts clean."""
        # If the connection is gone, the next send finds out and says so.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            self.client.rset()


def _classified(code: int, text: bytes | str) -> Exception:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    message = f"SMTP {code} {detail}"
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
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout

    @contextmanager
    def open(self) -> Iterator[SmtpSession]:
        client = self._connect()
        try:
            yield SmtpSession(client)
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()

    @cached_property
    def _tls(self) -> ssl.SSLContext:
        # Loading the system's CA certificates takes ~35 ms: once per transport, not per batch.
        return ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        try:
            client: smtplib.SMTP
            if self.security == "tls":
                client = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=self._tls,
                    local_hostname="localhost",
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname="localhost")
                if self.security == "starttls":
                    client.starttls(context=self._tls)
            if self.username:
                client.login(self.username, self.password)
            return client
        except smtplib.SMTPAuthenticationError as exc:
            # Not permanent for the messages: fix the password and everything queued goes out.
            raise TransientError(f"SMTP login refused for {self.username}: {exc.smtp_code}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"cannot connect to SMTP {self.host}:{self.port}: {exc}") from exc

    def describe(self) -> str:
        return f"smtp://{self.host}:{self.port} ({self.security})"
