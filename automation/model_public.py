"""The public archive's records: what the site may publish, nothing personal beyond consent."""

# Pure types like automation.model (which re-exports them); this module imports nothing from
# automation, so the model stays the bottom layer.

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HistoryEntry:
    at: str  # ISO date-time
    status: str
    note: str = ""
    meeting: str = ""


@dataclass(frozen=True)
class PublicInitiative:
    reference: str  # e.g. ALOITE-2024-007
    title: str
    text: str  # plain text as written (never HTML); the site escapes it
    status: str  # received | preparation | agenda | rejected | resolved
    meeting: str  # meeting code when on an agenda, else ""
    submitter: str  # the name only if the submitter agreed to publish it, else ""
    created_at: str
    history: tuple[HistoryEntry, ...] = ()
    attachments: tuple[str, ...] = ()  # file names only


@dataclass(frozen=True)
class PublicSummary:
    meeting: str
    language: str
    markdown: str  # as the coordinator wrote it; rendered and sanitised by the site
    published_at: str


@dataclass(frozen=True)
class PublicPerson:
    """Someone the config publishes on purpose: a member of the preparatory group (name and
    organisation) or a contact person (also their address)."""

    name: str
    organisation: str | dict[str, str]  # per language, as in the config
    email: str = ""  # only for contact persons


@dataclass(frozen=True)
class PublicFollowup:
    """A follow-up item agreed at a meeting, as the public sees it (no addresses)."""

    number: int
    meeting: str
    text: str
    owner: str  # the organisation or person responsible, as the summary names it
    status: str  # open | in_progress | done
    note: str = ""
    initiative: str = ""  # the initiative it came from, when the item names one
    updated_at: str = ""
    language: str = ""  # of the summary it was read from (pages in other languages mark it)
    # The item per site language: (language, text, owner, language the text is in), from the
    # summary written in that language where there is one; the owner named in that language.
    versions: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class PublicNetwork:
    """What the home, privacy and accessibility pages show, all from the config."""

    rules_version: str = ""
    join_address: str = ""  # verkosto+liity@…
    initiative_address: str = ""  # verkosto+aloite@…
    year: int = 0  # the operating year of the preparatory group (turns on turn_of_year)
    period: str = ""  # that year as shown: "2024", or "2024–2025" when it turns mid-year
    responsible: str | dict[str, str] = ""  # the organisation responsible this year (from [rotation])
    responsible_name: str = ""
    group: tuple[PublicPerson, ...] = ()
    contacts: tuple[PublicPerson, ...] = ()
    organisations: tuple[tuple[str, str | dict[str, str]], ...] = ()  # (kind, name) in config order
    controller: str | dict[str, str] = ""  # GDPR art. 13: the legal person deciding about the data
    controller_address: str | dict[str, str] = ""
    controller_contact: str = ""
    dpo: str = ""  # the data protection officer's contact
    legal_basis: str = "legitimate_interest"  # public_task | legitimate_interest | consent
    privacy_contact: str = ""
    retention_days: int = 365
    accessibility_feedback: str = ""
    accessibility_assessed: str = ""  # ISO date of the last assessment ("" when not yet assessed)
    accessibility_assessed_by: str | dict[str, str] = ""
