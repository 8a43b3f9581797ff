"""Wiring: settings → store, mail source, transport, contacts. The only place that chooses adapters."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from automation.config import Settings, resolve_password
from automation.errors import AutomationError, ConfigError
from automation.inbox.base import MailSource
from automation.inbox.imap import ImapSource
from automation.inbox.maildir import MaildirSource
from automation.model import Contact
from automation.store.db import Store
from automation.transports.base import Transport
from automation.transports.maildir import MaildirTransport
from automation.transports.smtp import SmtpTransport


@dataclass
class App:
    settings: Settings
    store: Store

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
        return ImapSource(
            box.host,
            box.effective_port,
            box.security,
            box.username,
            resolve_password(box, "mailbox", self.settings.source.parent),
            box.folder,
            box.handled_folder,
            box.attention_folder,
            box.idle,
            box.timeout,
            attention_of=self.attention_of,
            ca_file=self.settings.path(box.ca_file) if box.ca_file else None,
        )

    def transport(self) -> Transport:
        out = self.settings.sending
        if out.kind == "maildir":
            return MaildirTransport(self.settings.path(out.path))
        return smtp_transport(self.settings)

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


def smtp_transport(settings: Settings) -> SmtpTransport:
    """The SMTP transport as configured; `check --connect` tries the very same one."""
    out = settings.sending
    return SmtpTransport(
        out.host,
        out.effective_port,
        out.security,
        out.username,
        resolve_password(out, "sending", settings.source.parent),
        out.timeout,
        out.helo_name,
        settings.path(out.ca_file) if out.ca_file else None,
    )


def read_contacts(path: Path, languages: list[str]) -> list[Contact]:
    """The coordinator's CSV; every bad row is named with its line number."""
    if not path.exists():
        raise AutomationError(
            f"{path}: contact list not found; fix: create it with the header email,name,organisation,language"
        )
    problems: list[str] = []
    contacts: dict[str, Contact] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"email", "name"} - set(reader.fieldnames or [])
        if missing:
            raise ConfigError(
                [
                    f"{path}: header lacks {', '.join(sorted(missing))}; fix: first line"
                    " must be email,name,organisation,language"
                ]
            )
        for line, row in enumerate(reader, start=2):
            email = (row.get("email") or "").strip().lower()
            language = (row.get("language") or "").strip().lower()
            if "@" not in email or " " in email:
                problems.append(
                    f"{path}:{line}: email {email!r} is not an address; fix it or delete the line"
                )
                continue
            if language and language not in languages:
                problems.append(
                    f"{path}:{line}: language {language!r} is not one of"
                    f" {', '.join(languages)}; fix: use one of them or leave it empty"
                )
                continue
            contacts[email] = Contact(
                email,
                (row.get("name") or "").strip(),
                (row.get("organisation") or "").strip(),
                language,
            )
    if problems:
        raise ConfigError(problems)
    return list(contacts.values())
