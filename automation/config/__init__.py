"""TOML → validated, frozen settings: every name of the config's parts, importable from here."""

# The parts, by what they do: sections.py (plain sections), servers.py (mailbox and sending,
# their OAuth2 and secrets), publication.py (privacy notice and accessibility statement),
# settings.py (the whole config and its meetings), loading.py (reading and reporting problems).
# None of them imports this module, so the order below is the only one that matters.

from automation.config.loading import load
from automation.config.publication import (
    AccessibilitySettings,
    LegalBasis,
    PrivacySettings,
    publication_problems,
)
from automation.config.sections import (
    ContactsSettings,
    DigestSettings,
    EmailAddress,
    FeedbackSettings,
    FollowupsSettings,
    InitiativesSettings,
    LocalisedText,
    MeetingSettings,
    NetworkSettings,
    OrganisationKind,
    OrganisationSettings,
    OrganiserSettings,
    PublishSettings,
    RotationEntry,
    RotationSettings,
    RulesSettings,
    ScheduleSettings,
    SecuritySettings,
    StorageSettings,
    SummariesSettings,
    TemplatesSettings,
    ordered,
)
from automation.config.servers import (
    AlertSettings,
    MailboxSettings,
    OAuth2Settings,
    SendingSettings,
    resolve_password,
)
from automation.config.settings import Settings, to_meeting

__all__ = [
    "AccessibilitySettings",
    "AlertSettings",
    "ContactsSettings",
    "DigestSettings",
    "EmailAddress",
    "FeedbackSettings",
    "FollowupsSettings",
    "InitiativesSettings",
    "LegalBasis",
    "LocalisedText",
    "MailboxSettings",
    "MeetingSettings",
    "NetworkSettings",
    "OAuth2Settings",
    "OrganisationKind",
    "OrganisationSettings",
    "OrganiserSettings",
    "PrivacySettings",
    "PublishSettings",
    "RotationEntry",
    "RotationSettings",
    "RulesSettings",
    "ScheduleSettings",
    "SecuritySettings",
    "SendingSettings",
    "Settings",
    "StorageSettings",
    "SummariesSettings",
    "TemplatesSettings",
    "load",
    "ordered",
    "publication_problems",
    "resolve_password",
    "to_meeting",
]
