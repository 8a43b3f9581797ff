"""The server sections ([mailbox], [sending], [alerts], their oauth2) and reading their secrets."""

# Secrets never live in the config: a server section names an environment variable
# (`password_env`) or a file (`password_file`) and `resolve_password` reads it when a connection is
# made; an OAuth2 section (`[mailbox.oauth2]`) likewise names the variable or file of its client
# secret, key or certificate (read by automation.auth).

from __future__ import annotations

import ipaddress
import os
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from automation.config.sections import EmailAddress, _Section
from automation.errors import ConfigError


class OAuth2Settings(_Section):
    """How to obtain access tokens for a server (SASL XOAUTH2 / OAUTHBEARER instead of a password).

    Only names of environment variables and paths of files: the secrets stay outside the config."""

    provider: Literal["microsoft", "google", "generic"]
    # microsoft: the Directory (tenant) ID or primary domain; the app's Application (client) ID
    tenant: str = ""
    client_id: str = ""
    client_secret_env: str | None = None
    client_secret_file: Path | None = None
    # microsoft, instead of a secret: PEM with private key + certificate, or a .pfx / .p12
    certificate_file: Path | None = None
    certificate_password_env: str | None = None
    # Sovereign clouds (login.microsoftonline.us, login.partner.microsoftonline.cn)
    authority_host: str = "https://login.microsoftonline.com"
    # google: the service account's JSON key; the mailbox to act as (default: the username)
    key_file: Path | None = None
    subject: str = ""
    # generic: the token endpoint; client credentials, or a refresh token from env/file
    token_url: str = ""
    refresh_token_env: str | None = None
    refresh_token_file: Path | None = None
    client_auth: Literal["post", "basic"] = "post"
    # Default per provider (https://outlook.office365.com/.default, https://mail.google.com/)
    scope: str = ""
    # auto: OAUTHBEARER where the server offers it, else XOAUTH2
    mechanism: Literal["auto", "xoauth2", "oauthbearer"] = "auto"
    # A private CA for the token endpoint's certificate (PEM), e.g. a municipality's own IdP
    ca_file: Path | None = None

    @model_validator(mode="after")
    def _complete_for_provider(self) -> OAuth2Settings:
        required = {
            "microsoft": ["tenant", "client_id"],
            "google": ["key_file"],
            "generic": ["token_url", "client_id"],
        }[self.provider]
        for key in required:
            if not getattr(self, key):
                raise PydanticCustomError(
                    "oauth2_missing",
                    '{key}: required for provider "{provider}"',
                    {"key": key, "provider": self.provider},
                )
        if self.provider == "microsoft" and not (
            self.client_secret_env or self.client_secret_file or self.certificate_file
        ):
            raise PydanticCustomError(
                "oauth2_missing",
                'client_secret_env: required for provider "microsoft" (or client_secret_file, or'
                " certificate_file)",
            )
        plain = not self.token_url.startswith("https://")
        if self.provider == "generic" and plain and not _is_loopback_url(self.token_url):
            raise ValueError("token_url: must be an https:// URL (the client secret travels in it)")
        if self.authority_host and not self.authority_host.startswith("https://"):
            raise ValueError("authority_host: must be an https:// URL")
        return self


class _ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int | None = None
    username: str = ""
    password_env: str | None = None
    password_file: Path | None = None
    security: Literal["tls", "starttls", "none"] = "tls"
    timeout: float = Field(default=30.0, gt=0)
    # Log in with OAuth2 access tokens instead of the password (Microsoft 365, Google Workspace).
    oauth2: OAuth2Settings | None = None

    @model_validator(mode="after")
    def _plaintext_only_on_loopback(self) -> _ServerSettings:
        if self.security == "none" and not _is_loopback(self.host):
            raise ValueError(
                f'security = "none" sends the password in clear text to {self.host}; '
                'use "tls" or "starttls" (none is allowed only for loopback hosts)'
            )
        if self.oauth2 is not None and not self.username:
            raise PydanticCustomError(
                "oauth2_username",
                "username: required with oauth2 (the mailbox's address, e.g. verkosto@example.fi)",
            )
        return self


class MailboxSettings(_ServerSettings):
    kind: Literal["imap", "maildir"] = "imap"
    path: Path = Path("mailboxes/inbox")
    folder: str = "INBOX"
    handled_folder: str = ""
    attention_folder: str = ""
    idle: bool = True
    poll_seconds: float = Field(default=60.0, gt=0)
    # A private (internal) CA to trust for the server's certificate, PEM; relative to the config.
    ca_file: Path | None = None
    # A new installation acts only on mail that arrived from this date (local midnight), or
    # without it from its first start: a mailbox's history is never answered (issue 17).
    since: date | None = None

    @property
    def effective_port(self) -> int:
        return self.port or (993 if self.security == "tls" else 143)


class SendingSettings(_ServerSettings):
    kind: Literal["smtp", "maildir"] = "smtp"
    path: Path = Path("mailboxes/sent")
    batch_size: int = Field(default=200, gt=0)
    max_retry_hours: float = Field(default=72.0, gt=0)
    # The name we announce in EHLO; empty: this host's FQDN (relays refuse "localhost" with 504).
    helo_name: str = ""
    # A private (internal) CA to trust for the relay's certificate, PEM; relative to the config.
    ca_file: Path | None = None

    @property
    def effective_port(self) -> int:
        return self.port or {"tls": 465, "starttls": 587, "none": 25}[self.security]


_COPIES_MAILBOX_OAUTH2 = ("sending", "alerts")  # sections where `oauth2 = "mailbox"` may stand


class AlertSettings(SendingSettings):
    """A second route to the coordinator (e.g. the organisation's internal relay), used once per
    outage when the usual one is what fails: the mailbox or the SMTP server refusing our login or
    our sender. Same keys as [sending]; `to` defaults to [network] coordinator."""

    to: EmailAddress | None = None


def _is_loopback_url(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "http" and _is_loopback(parts.hostname or "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_password(section: _ServerSettings, label: str, base: Path) -> str:
    """The secret for a server section, from its environment variable or file."""
    if section.password_env:
        value = os.environ.get(section.password_env)
        if value is None:
            raise ConfigError(
                [
                    f"[{label}] password_env: environment variable {section.password_env} is not set;"
                    " fix: export it (or use password_file)"
                ]
            )
        return value
    if section.password_file:
        try:
            path = section.password_file
            return (path if path.is_absolute() else base / path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                [
                    f"[{label}] password_file: cannot read {section.password_file} ({exc.strerror});"
                    " fix: create it, readable only by the service user"
                ]
            ) from exc
    return ""
