"""The plain sections of config.toml: network, storage, schedule, meetings, organisers and the rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from automation.model import localised

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


def ordered(value: LocalisedText, languages: Sequence[str]) -> LocalisedText:
    """A per-language value with the network's languages first, in their order: what a
    reader's language lacks falls back to the network's first language."""
    if not isinstance(value, dict):
        return value
    rank = {language: number for number, language in enumerate(languages)}
    return dict(sorted(value.items(), key=lambda item: rank.get(item[0], len(rank))))


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
