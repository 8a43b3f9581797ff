"""SMTP with TLS (default), STARTTLS, or plain on loopback; one connection per batch.

Errors say whether they are permanent: a 5xx for a recipient is final for that message only;
4xx replies and connection failures are transient and retried with backoff by the outbox.
"""

from __future__ import annotations

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
        # A non-ASCII address can only travel with SMTPUTF8 (RFC 6531); its headers are UTF-8.
        international = not (envelope_from + recipient).isascii()
        options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
        try:
            self.client.ehlo_or_helo_if_needed()
            if international and not self.client.has_extn("smtputf8"):
                raise PermanentError(f"the mail server does not accept non-ASCII addresses: {recipient}")
            refused = self.client.sendmail(envelope_from, [recipient], message, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classified(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classified(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionLost(f"SMTP connection lost: {exc}") from exc
        if refused:
            code, text = next(iter(refused.values()))
            raise _classified(code, text)


def _classified(code: int, text: bytes | str) -> Exception:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    message = f"SMTP {code} {detail}"
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
