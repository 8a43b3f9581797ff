"""Wiring: settings → store, mail source, transport, contacts. The only place that chooses adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from automation.auth.login import OAuthLogin
from automation.auth.tokens import TokenProvider
from automation.config import OAuth2Settings, Settings, resolve_password
from automation.inbox.base import MailSource
from automation.inbox.imap import ImapSource
from automation.inbox.maildir import MaildirSource
from automation.model import Contact
from automation.store.db import Store
from automation.transports.base import Transport
from automation.transports.maildir import MaildirTransport
from automation.transports.smtp import SmtpTransport

# Token providers by (section settings, mailbox): the mailbox and the SMTP server configured
# alike share one token, and a reload that leaves [*.oauth2] alone keeps the cached token.
Providers = dict[tuple[OAuth2Settings, str], TokenProvider]


@dataclass
class App:
    settings: Settings
    store: Store
    providers: Providers = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> App:
        storage = settings.storage
        return cls(settings, Store(settings.path(storage.database), storage.busy_timeout_seconds))

    def close(self) -> None:
        self.store.close()

    @property
    def domain(self) -> str:
        return self.settings.network.address.partition("@")[2]

    def source(self) -> MailSource:
        box = self.settings.mailbox
        if box.kind == "maildir":
            return MaildirSource(
                self.settings.path(box.path),
                self.settings.path(Path(box.handled_folder)) if box.handled_folder else None,
                self.settings.path(Path(box.attention_folder)) if box.attention_folder else None,
                is_known=self.known_refs,
            )
        oauth = oauth_login(self.settings, "mailbox", self.providers)
        return ImapSource(
            box.host,
            box.effective_port,
            box.security,
            box.username,
            "" if oauth else resolve_password(box, "mailbox", self.settings.source.parent),
            box.folder,
            box.handled_folder,
            box.attention_folder,
            box.idle,
            box.timeout,
            attention_of=self.attention_of,
            ca_file=self.settings.path(box.ca_file) if box.ca_file else None,
            oauth=oauth,
        )

    def transport(self) -> Transport:
        out = self.settings.sending
        if out.kind == "maildir":
            return MaildirTransport(self.settings.path(out.path))
        return smtp_transport(self.settings, self.providers)

    def known_refs(self, refs: list[str]) -> set[str]:
        return set(self.attention_of(refs))

    def attention_of(self, refs: list[str]) -> dict[str, bool]:
        found: dict[str, bool] = {}
        for start in range(0, len(refs), 500):
            chunk = refs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.store.db.execute(
                f"SELECT source_ref, attention FROM messages WHERE source_ref IN ({marks})", chunk
            ).fetchall()
            found.update({str(r[0]): bool(r[1]) for r in rows})
        return found

    def contacts_file(self) -> Path:
        return self.settings.path(self.settings.contacts.file)


def smtp_transport(
    settings: Settings, providers: Providers | None = None, label: Literal["sending", "alerts"] = "sending"
) -> SmtpTransport:
    """The SMTP transport of [sending] (or of the [alerts] route) as configured; `check
    --connect` tries the very same one."""
    out = settings.alerts if label == "alerts" and settings.alerts is not None else settings.sending
    oauth = oauth_login(settings, label, {} if providers is None else providers)
    return SmtpTransport(
        out.host,
        out.effective_port,
        out.security,
        out.username,
        "" if oauth else resolve_password(out, label, settings.source.parent),
        out.timeout,
        out.helo_name,
        settings.path(out.ca_file) if out.ca_file else None,
        oauth=oauth,
    )


def oauth_login(
    settings: Settings, label: Literal["mailbox", "sending", "alerts"], providers: Providers
) -> OAuthLogin | None:
    """How [mailbox], [sending] or [alerts] logs in with tokens, or None for a password. Reads
    the secret (ConfigError naming the key when it is missing); asks the identity provider
    nothing yet."""
    from automation.auth.providers import provider_for  # msal and google-auth load only if used

    sections = {"mailbox": settings.mailbox, "sending": settings.sending, "alerts": settings.alerts}
    section = sections[label]
    if section is None:
        return None
    o = section.oauth2
    if o is None:
        return None
    # `[sending] oauth2 = "mailbox"` copies the mailbox's table: messages name where it is written.
    where = "[mailbox.oauth2]" if o == settings.mailbox.oauth2 else f"[{label}.oauth2]"
    key = (o, section.username)
    if key not in providers:
        providers[key] = provider_for(o, where, section.username, settings.source.parent)
    return OAuthLogin(providers[key], o.mechanism, o.client_id)


def read_contacts(path: Path, languages: list[str]) -> list[Contact]:
    """The coordinator's contact list (CSV of any Excel locale, or .xlsx); every bad row is
    named with its line number."""
    from automation.contactfile import read_contacts as read

    return read(path, languages)
