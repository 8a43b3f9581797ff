"""TOML → validated, frozen settings. Every problem is reported at once, naming file, key and fix.

Secrets never live here: a server section names an environment variable (`password_env`) or a
file (`password_file`) and `resolve_password` reads it when a connection is made; an OAuth2
section (`[mailbox.oauth2]`) likewise names the variable or file of its client secret, key or
certificate (read by automation.auth).
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from automation.errors import ConfigError
from automation.model import Meeting, localised

LocalisedText = str | dict[str, str]
EmailAddress = Annotated[str, Field(pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkSettings(_Section):
    address: EmailAddress
    # The network's name, one string or per language ({fi = "…", sv = "…", en = "…"}).
    name: LocalisedText = "Verkosto"
    timezone: str = "Europe/Helsinki"
    languages: list[Literal["fi", "sv", "en"]] = Field(default=["fi", "sv", "en"], min_length=1)
    coordinator: EmailAddress | None = None
    # The language of the terminal: what the commands print (fi, sv, en; default English).
    coordinator_language: Literal["fi", "sv", "en"] = "en"
    public_url: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name such as Europe/Helsinki"
            ) from exc
        return value

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def name_in(self, language: str) -> str:
        """The network's name in `language`, else in its first language."""
        return localised(ordered(self.name, self.languages), language)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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


class StorageSettings(_Section):
    database: Path = Path("automation.db")
    # How long a writer waits for a lock held by another process before the message is left
    # for the next pass (it is never lost).
    busy_timeout_seconds: float = Field(default=30.0, gt=0)


class SecuritySettings(_Section):
    # The authserv-id of OUR receiving server's Authentication-Results header (RFC 8601). When
    # set, a message that this server marked dkim=fail or spf=fail (and no dkim=pass) for the
    # claimed sender cannot change anyone's registration or an initiative; it is kept instead.
    trusted_authserv_id: str = ""
    # At most this many automatic answers per address per day: the service can never be used to
    # flood someone, whatever they forge.
    max_auto_replies_per_day: int = Field(default=5, ge=1)
    # Bounce score at which an address counts as undeliverable (a hard bounce scores 1).
    bounce_threshold: float = Field(default=2.0, gt=0)


LegalBasis = Literal["public_task", "legitimate_interest", "consent"]


class PrivacySettings(_Section):
    # Registrations are anonymised (only counts kept) this long after their meeting; records of
    # received messages are thinned after the same time.
    retention_days: int = Field(default=365, ge=1)
    # The privacy notice (GDPR art. 13). The controller is a legal person (the organisation that
    # decides about the data, e.g. the one hosting the secretariat), not the network.
    controller: LocalisedText = ""  # {fi = "Opetushallitus", sv = "Utbildningsstyrelsen", …}
    controller_address: LocalisedText = ""  # the controller's postal address
    controller_contact: str = ""  # the controller's general contact: an address or a phone number
    dpo: str = ""  # how to reach the controller's data protection officer (address or phone)
    contact: EmailAddress | None = None  # where people use their rights; default: network address
    # The controller is a public authority (a ministry, agency, municipality): its basis is its
    # public task, and GDPR art. 6(1) second subparagraph denies it legitimate interest.
    authority: bool = False
    # public_task (art. 6(1)(e)), legitimate_interest (6(1)(f)) or consent (6(1)(a)); default:
    # public_task for an authority, else legitimate_interest.
    legal_basis: LegalBasis | None = None

    @model_validator(mode="after")
    def _basis_fits_the_controller(self) -> PrivacySettings:
        if self.authority and self.legal_basis == "legitimate_interest":
            raise ValueError(
                'legal_basis = "legitimate_interest" is not open to a public authority (authority = true,'
                ' GDPR art. 6(1)); use "public_task", or "consent" if everyone on the list gave it'
            )
        return self

    @property
    def basis(self) -> LegalBasis:
        if self.legal_basis is not None:
            return self.legal_basis
        return "public_task" if self.authority else "legitimate_interest"


class AccessibilitySettings(_Section):
    # The accessibility statement (Act 306/2019 on the Provision of Digital Services, § 15).
    feedback: EmailAddress | None = None  # default: [network] coordinator, else the network address
    # When and by whom the site was last assessed; required once the site is published.
    assessed: date | None = None
    assessed_by: LocalisedText = ""  # e.g. {fi = "itsearviointi, Opetushallitus", …}


class FollowupsSettings(_Section):
    # Owners of open follow-up items are reminded this many days before the next meeting.
    reminder_days_before: int = Field(default=14, ge=0)


class ContactsSettings(_Section):
    file: Path = Path("contacts.csv")


class TemplatesSettings(_Section):
    directory: Path = Path("templates")


class InitiativesSettings(_Section):
    reference_prefix: str = Field(default="ALOITE", pattern=r"^[A-Z]{2,12}$")
    notify: Literal["each", "daily"] = "each"  # the preparatory group: a mail per initiative or a digest
    digest_hour: int = Field(default=8, ge=0, le=23)
    attachments: Path = Path("attachments")
    max_attachment_kb: int = Field(default=5120, gt=0)
    plus_address: str = "aloite"  # verkosto+aloite@… also counts as an initiative


class DigestSettings(_Section):
    # The coordinator's digest: at this hour on days something needs them, weekly otherwise.
    hour: int = Field(default=8, ge=0, le=23)


class SummariesSettings(_Section):
    directory: Path = Path("summaries")  # <code>.md (default language), <code>.sv.md, <code>.en.md
    send_days_after: float = Field(default=1.0, ge=0)


class RulesSettings(_Section):
    # The version of the network's goals and rules (templates/<lang>/join_rules.*). Raise it when
    # the text changes; `automation rules ask` then asks everyone to accept the new version.
    version: str = "2024-1"
    reminder_days: int = Field(default=7, ge=1)  # one reminder to those who asked to join


OrganisationKind = Literal["national", "municipal_network", "company", "university"]


class OrganisationSettings(_Section):
    name: LocalisedText  # one string or per language ({fi = "Opetushallitus", sv = "…"})
    kind: OrganisationKind
    aliases: list[str] = []
    # An example of the demo (config.example.toml): used to match contacts, never published.
    # Remove the key (or the entry) once the organisation really takes part.
    example: bool = False


class FeedbackSettings(_Section):
    days_after: int = Field(default=1, ge=0)  # the feedback question goes out at 9.00 that day
    pack_days_after: int = Field(default=7, ge=1)  # the organisers' post-meeting pack


class PublishSettings(_Section):
    directory: Path = Path("public")
    # Rewrite the public archive by itself whenever what it shows has changed.
    automatic: bool = True


class ScheduleSettings(_Section):
    invite_days_before: int = Field(default=28, ge=0)
    deadline_reminder_days_before: int = Field(default=5, ge=0)
    meeting_reminder_days_before: int = Field(default=2, ge=0)
    thanks_hours_after: int = Field(default=3, ge=0)
    outbox_seconds: float = Field(default=10.0, gt=0)
    lifecycle_seconds: float = Field(default=60.0, gt=0)


class RotationEntry(_Section):
    organisation: LocalisedText
    name: str = ""
    email: EmailAddress


class RotationSettings(_Section):
    """The preparatory group's responsibility rotates yearly in this order."""

    first_year: int = 2024
    turn_of_year: str = Field(default="01-01", pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    order: list[RotationEntry] = []

    @property
    def turn(self) -> tuple[int, int]:
        month, day = self.turn_of_year.split("-")
        return int(month), int(day)


class OrganiserSettings(_Section):
    """A member of the preparatory group or a contact person: gets a calendar invite (CHAIR)."""

    email: EmailAddress
    name: str = ""
    organisation: LocalisedText = ""
    language: Literal["fi", "sv", "en", ""] = ""
    # A contact person of the network: shown on the public home page with this address.
    contact: bool = False


class MeetingSettings(_Section):
    code: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
    start: datetime
    end: datetime
    registration_deadline: date | datetime
    place: LocalisedText = ""
    address: LocalisedText = ""  # street address; per language like place ({fi=…, sv=…})
    theme: LocalisedText = ""
    mode: Literal["onsite", "hybrid", "remote"] = "onsite"
    online_url: str = ""
    capacity: int | None = Field(default=None, gt=0)
    cancelled: bool = False
    bring: LocalisedText = ""
    late_replies: Literal["closed", "waiting_list"] = "closed"
    # Being prepared: no mail and no calendar invitation, not on the public site, until the
    # line is removed (or set to false).
    draft: bool = False

    @model_validator(mode="after")
    def _coherent_times(self) -> MeetingSettings:
        if self.end <= self.start:
            raise ValueError(f"end ({self.end}) must be after start ({self.start})")
        deadline = self.registration_deadline
        if not isinstance(deadline, datetime):
            deadline = datetime.combine(deadline, time(23, 59, 59))  # a date: by the end of that day
        start = self.start.replace(tzinfo=None) if deadline.tzinfo is None else self.start
        if start.tzinfo is None and deadline.tzinfo is not None:
            deadline = deadline.replace(tzinfo=None)
        if deadline > start:
            earlier = (self.start - timedelta(days=14)).date()
            raise ValueError(
                f"registration_deadline ({self.registration_deadline}) is after the meeting starts"
                f" ({self.start}); it must be before, e.g. registration_deadline = {earlier}"
            )
        if self.mode != "onsite" and not self.online_url:
            raise ValueError(f'mode = "{self.mode}" needs online_url (the link for remote participants)')
        return self


class Settings(_Section):
    network: NetworkSettings
    mailbox: MailboxSettings = MailboxSettings()
    sending: SendingSettings = SendingSettings()
    alerts: AlertSettings | None = None
    storage: StorageSettings = StorageSettings()
    contacts: ContactsSettings = ContactsSettings()
    templates: TemplatesSettings = TemplatesSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    publish: PublishSettings = PublishSettings()
    rotation: RotationSettings = RotationSettings()
    initiatives: InitiativesSettings = InitiativesSettings()
    security: SecuritySettings = SecuritySettings()
    rules: RulesSettings = RulesSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    organisations: list[OrganisationSettings] = []
    privacy: PrivacySettings = PrivacySettings()
    accessibility: AccessibilitySettings = AccessibilitySettings()
    followups: FollowupsSettings = FollowupsSettings()
    summaries: SummariesSettings = SummariesSettings()
    digest: DigestSettings = DigestSettings()
    organisers: list[OrganiserSettings] = []
    meetings: list[MeetingSettings] = []
    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)
    # Where the file was read from; relative paths in it are relative to its directory.
    source: Annotated[Path, Field(exclude=True)] = Path("config.toml")

    @model_validator(mode="before")
    @classmethod
    def _sending_oauth2_from_mailbox(cls, data: Any) -> Any:
        """`[sending] oauth2 = "mailbox"` (and the same in [alerts]): the same app and token as
        the mailbox (Microsoft's scope covers IMAP and SMTP), and its username unless the
        section names another."""
        if not isinstance(data, dict):
            return data
        mailbox = data.get("mailbox")
        for name in _COPIES_MAILBOX_OAUTH2:
            section = data.get(name)
            if not isinstance(section, dict) or section.get("oauth2") != "mailbox":
                continue
            if not isinstance(mailbox, dict) or not isinstance(mailbox.get("oauth2"), dict):
                raise PydanticCustomError(
                    "oauth2_from_mailbox",
                    f'{name}.oauth2 = "mailbox" needs a [mailbox.oauth2] section',
                )
            section = {**section, "oauth2": mailbox["oauth2"]}
            section.setdefault("username", mailbox.get("username", ""))
            data = {**data, name: section}
        return data

    @model_validator(mode="after")
    def _unique_codes(self) -> Settings:
        codes = [m.code for m in self.meetings]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"meeting codes must be unique; repeated: {', '.join(duplicates)}")
        return self

    @model_validator(mode="after")
    def _known_languages(self) -> Settings:
        """A name per language must use the network's languages: a typo ("se") would be
        silently ignored and the reader would get the fallback."""
        known = set(self.network.languages)
        values: list[tuple[str, LocalisedText]] = [("[network] name", self.network.name)]
        values += [(f"[[organisations]] #{n} name", o.name) for n, o in enumerate(self.organisations, 1)]
        values += [
            (f"[rotation] order #{n} organisation", e.organisation)
            for n, e in enumerate(self.rotation.order, 1)
        ]
        values += [
            (f"[[organisers]] #{n} organisation", o.organisation) for n, o in enumerate(self.organisers, 1)
        ]
        values += [
            (f"[privacy] {key}", getattr(self.privacy, key)) for key in ("controller", "controller_address")
        ]
        values.append(("[accessibility] assessed_by", self.accessibility.assessed_by))
        for m in self.meetings:
            values += [
                (f"[[meetings]] {m.code} {key}", getattr(m, key))
                for key in ("place", "address", "theme", "bring")
            ]
        for where, value in values:
            unknown = sorted(set(value) - known) if isinstance(value, dict) else []
            if unknown:
                raise ValueError(
                    f"{where}: language {', '.join(unknown)} is not in [network] languages "
                    f"({', '.join(self.network.languages)}); use those keys"
                )
        return self

    def path(self, relative: Path) -> Path:
        """A path from the config, resolved against the config file's directory."""
        return relative if relative.is_absolute() else self.source.parent / relative

    def meeting_objects(self) -> list[Meeting]:
        """The published meetings: everything that sends mail, invites or publishes sees only
        these (a draft is invisible to it)."""
        return [m for m in self.all_meetings() if not m.draft]

    def all_meetings(self) -> list[Meeting]:
        # Settings are frozen, so the converted meetings can be kept (asked for on every mail).
        if "meetings" not in self._cache:
            self._cache["meetings"] = [to_meeting(m, self.network) for m in self.meetings]
        return list(self._cache["meetings"])

    def meeting(self, code: str) -> Meeting | None:
        """The meeting `code`, a draft too (preview renders it; commands that send refuse it)."""
        return next((m for m in self.all_meetings() if m.code == code), None)

    def draft_problem(self, code: str) -> str:
        """Why nothing may be sent for `code` now, or "" when it is published."""
        meeting = self.meeting(code)
        if meeting is None or not meeting.draft:
            return ""
        return (
            f"meeting {code} is a draft (draft = true in {self.source}): no mail and no calendar"
            " invitation until it is published; fix: remove the draft line, then run again"
        )


def to_meeting(m: MeetingSettings, network: NetworkSettings) -> Meeting:
    zone = network.zone
    deadline = m.registration_deadline
    if not isinstance(deadline, datetime):
        # A deadline given as a date means "by the end of that day" in the network's zone.
        deadline = datetime.combine(deadline, time(23, 59, 59))
    return Meeting(
        code=m.code,
        start=_aware(m.start, zone),
        end=_aware(m.end, zone),
        registration_deadline=_aware(deadline, zone),
        place=_localised(m.place, network),
        address=_localised(m.address, network),
        theme=_localised(m.theme, network),
        mode=m.mode,
        online_url=m.online_url,
        capacity=m.capacity,
        cancelled=m.cancelled,
        bring=_localised(m.bring, network),
        late_to_waiting_list=m.late_replies == "waiting_list",
        draft=m.draft,
    )


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def _localised(value: LocalisedText, network: NetworkSettings) -> dict[str, str]:
    found = ordered(value, network.languages)
    return found if isinstance(found, dict) else {"": found}


def ordered(value: LocalisedText, languages: Sequence[str]) -> LocalisedText:
    """A per-language value with the network's languages first, in their order: what a
    reader's language lacks falls back to the network's first language."""
    if not isinstance(value, dict):
        return value
    rank = {language: number for number, language in enumerate(languages)}
    return dict(sorted(value.items(), key=lambda item: rank.get(item[0], len(rank))))


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


def load(path: Path) -> Settings:
    """Read and validate one config file; raise ConfigError listing every problem."""
    if not path.exists():
        raise ConfigError(
            [f"{path}: file not found; copy config.example.toml to {path} or pass --config PATH"]
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc}); fix the syntax at that line"]) from exc
    try:
        settings = Settings.model_validate({**raw, "source": path})
    except ValidationError as exc:
        errors = exc.errors()
        for name in _COPIES_MAILBOX_OAUTH2:
            if isinstance(raw.get(name), dict) and raw[name].get("oauth2") == "mailbox":
                # A copy of [mailbox.oauth2]: its problems are reported once, where they are written.
                errors = [e for e in errors if tuple(e["loc"][:2]) != (name, "oauth2")]
        raise ConfigError([_describe(path, raw, err) for err in errors]) from exc
    from automation.demo import demo_problems

    shared = demo_problems(settings)
    if shared:
        raise ConfigError(shared)
    return settings


def publication_problems(settings: Settings) -> list[str]:
    """What the public site must say before it is published (`[network] public_url` set): the
    privacy notice's controller and DPO, the accessibility statement's assessment. For `check`."""
    if not settings.network.public_url:
        return []
    where = f"{settings.source}: "
    why = "the site is published ([network] public_url is set)"
    privacy, accessibility = settings.privacy, settings.accessibility
    missing = [
        (
            "[privacy] controller",
            privacy.controller,
            "the organisation that decides about the data, e.g."
            ' controller = "Opetushallitus" (a legal person, not the network)',
        ),
        (
            "[privacy] controller_address",
            privacy.controller_address or privacy.controller_contact,
            "the controller's postal address (or controller_contact: its registry's address or phone)",
        ),
        ("[privacy] dpo", privacy.dpo, "how to reach its data protection officer, e.g. an address"),
        (
            "[accessibility] assessed",
            accessibility.assessed,
            "the date the site was last assessed,"
            " e.g. assessed = 2024-03-01 (it is shown as is; change it when you assess again)",
        ),
        (
            "[accessibility] assessed_by",
            accessibility.assessed_by,
            'who assessed it, e.g. assessed_by = "itsearviointi" or the name of the auditor',
        ),
    ]
    problems = [
        f"{where}{key}: missing, but {why}; fix: add {fix}" for key, value, fix in missing if not value
    ]
    names = set(_forms(settings.network.name))
    if privacy.controller and names & set(_forms(privacy.controller)):
        problems.append(
            f"{where}[privacy] controller: the network is not a legal person and cannot be the"
            " controller; fix: name the organisation that decides about the data (e.g. the one"
            " hosting the secretariat)"
        )
    return problems


def _forms(value: LocalisedText) -> list[str]:
    values = value.values() if isinstance(value, dict) else [value]
    return [" ".join(v.casefold().split()) for v in values if v]


_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it or check its spelling (see config.example.toml)",
    "datetime_from_date_parsing": "write a local time such as 2024-03-12T09:00:00",
    "datetime_parsing": "write a local time such as 2024-03-12T09:00:00",
    "datetime_type": "write a local time such as 2024-03-12T09:00:00 (no quotes)",
    "literal_error": "use one of the values listed",
    "value_error": "correct the value",
    "int_parsing": "write a whole number",
    "string_pattern_mismatch": "check the format (codes: letters, digits, - or _, e.g. 2024-03)",
    "oauth2_missing": "add it (see the Microsoft 365 / Google Workspace sections of the README)",
    "oauth2_username": "set username to the mailbox's address",
    "oauth2_from_mailbox": "add [mailbox.oauth2], or give [sending.oauth2] its own settings",
}


def _describe(path: Path, raw: dict[str, Any], err: Any) -> str:
    loc = [part for part in err["loc"] if part not in ("function-after", "str", "date", "datetime")]
    where = _location(raw, loc)
    message = err["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(err["type"], "correct the value")
    if where.endswith("]") and re.match(r"[a-z_]+: ", message):
        # The message names the key inside the table: "[mailbox.oauth2] tenant: required ..."
        return f"{path}: {where} {message}; fix: {fix}"
    return f"{path}: {where}: {message}; fix: {fix}"


def _location(raw: dict[str, Any], loc: list[Any]) -> str:
    if not loc:
        return "(top level)"
    if loc[0] == "meetings" and len(loc) > 1 and isinstance(loc[1], int):
        meetings = raw.get("meetings") or []
        code = meetings[loc[1]].get("code", "?") if loc[1] < len(meetings) else "?"
        key = ".".join(str(p) for p in loc[2:]) or "(the whole entry)"
        return f"[[meetings]] #{loc[1] + 1} (code {code}) {key}"
    if len(loc) == 1:
        return f"[{loc[0]}]" if isinstance(raw.get(str(loc[0])), dict) else f"key {loc[0]}"
    if len(loc) >= 2 and loc[1] == "oauth2":
        # "[mailbox.oauth2] tenant: required ...": the key is in the message or after the table
        rest = ".".join(str(p) for p in loc[2:])
        return f"[{loc[0]}.oauth2]" + (f" {rest}" if rest else "")
    return f"[{loc[0]}] {'.'.join(str(p) for p in loc[1:])}"


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
