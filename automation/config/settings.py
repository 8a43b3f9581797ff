"""The whole config ([Settings]) with its cross-section checks, and its meetings as model Meetings."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, PrivateAttr, model_validator
from pydantic_core import PydanticCustomError

from automation.config.publication import AccessibilitySettings, PrivacySettings
from automation.config.sections import (
    ContactsSettings,
    DigestSettings,
    FeedbackSettings,
    FollowupsSettings,
    InitiativesSettings,
    LocalisedText,
    MeetingSettings,
    NetworkSettings,
    OrganisationSettings,
    OrganiserSettings,
    PublishSettings,
    RotationSettings,
    RulesSettings,
    ScheduleSettings,
    SecuritySettings,
    StorageSettings,
    SummariesSettings,
    TemplatesSettings,
    _Section,
    ordered,
)
from automation.config.servers import _COPIES_MAILBOX_OAUTH2, AlertSettings, MailboxSettings, SendingSettings
from automation.model import Meeting


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
