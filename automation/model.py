"""Dataclasses shared by every layer: what came in, what we decided, what must go out.

Nothing here does I/O. Parsers produce `Inbound`, workflows turn it (with state and `now`) into
`Decision`s made of effects, the store applies the effects in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# The public archive's records live in their own module; imported here so that
# `from automation.model import PublicInitiative` (and the rest) keeps working.
from automation.model_public import HistoryEntry as HistoryEntry
from automation.model_public import PublicFollowup as PublicFollowup
from automation.model_public import PublicInitiative as PublicInitiative
from automation.model_public import PublicNetwork as PublicNetwork
from automation.model_public import PublicPerson as PublicPerson
from automation.model_public import PublicSummary as PublicSummary

SHOWN = 500  # per pass, outcomes and sent mails kept to be listed; the rest are counted


class Kind(StrEnum):
    """What a message is; the contract of `automation inspect`."""

    REGISTRATION = "registration"
    CANCELLATION = "cancellation"
    TENTATIVE = "tentative"  # a hedged answer ("maybe", "probably"): never a yes
    INITIATIVE = "initiative"
    CALENDAR_REPLY = "calendar-reply"
    SUMMARY = "summary"
    COMMAND = "command"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    BULK = "bulk"
    UNKNOWN = "unknown"

    @property
    def is_machine(self) -> bool:
        """Mail written by a robot: never answered."""
        return self in (Kind.AUTO_REPLY, Kind.BOUNCE, Kind.BULK)


class Status(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    DECLINED = "declined"
    TENTATIVE = "tentative"


class Attendance(StrEnum):
    ONSITE = "onsite"
    REMOTE = "remote"


@dataclass(frozen=True)
class CalendarReply:
    """The parts of an iMIP REPLY we act on (RFC 6047); times in a reply are never trusted."""

    method: str
    uid: str
    attendee: str
    partstat: str
    sequence: int = 0
    comment: str = ""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Inbound:
    """One received message, parsed. `key` identifies it for idempotency."""

    key: str
    message_id: str
    sender: str
    sender_name: str
    recipients: tuple[str, ...]
    subject: str
    headers: dict[str, str]
    text: str
    reply_text: str
    references: tuple[str, ...] = ()
    calendar: CalendarReply | None = None
    calendar_method: str = ""
    content_type: str = "text/plain"
    report_type: str = ""
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    auth_results: tuple[str, ...] = ()


@dataclass(frozen=True)
class Details:
    """Optional lines of a registration reply ("Erityisruokavalio: gluteeniton")."""

    name: str = ""
    organisation: str = ""
    diet: str = ""
    attendance: str = ""


@dataclass(frozen=True)
class Intent:
    """How a human message was read. `evidence` is the line that decided it, echoed back."""

    kind: Kind
    language: str | None
    evidence: str = ""
    details: Details = field(default_factory=Details)
    command: str = ""
    # How the deciding sentence was read (for `inspect` and the coordinator): the verb's lemma,
    # negation, mood, hedge; the people named as coming along; questions asked.
    lemma: str = ""
    negated: bool = False
    mood: str = ""
    hedge: str = ""
    companions: tuple[tuple[str, str | None], ...] = ()
    questions: tuple[str, ...] = ()
    abstained: str = ""  # why the reply was not taken as an answer (it is asked about instead)
    elsewhere: tuple[str, ...] = ()  # sentences about another meeting: passed on, not acted on
    # (month or season, kind, sentence): a clear answer to another meeting the reply names.
    other_answers: tuple[tuple[str, Kind, str], ...] = ()


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reason: str
    language: str | None = None
    intent: Intent | None = None
    answerable: bool = True


@dataclass(frozen=True)
class Meeting:
    code: str
    start: datetime
    end: datetime
    registration_deadline: datetime
    place: dict[str, str]
    address: str | dict[str, str]  # one string or per language, like place
    theme: dict[str, str]
    mode: str
    online_url: str
    capacity: int | None
    cancelled: bool = False
    bring: dict[str, str] = field(default_factory=dict)
    late_to_waiting_list: bool = False
    draft: bool = False  # not published: no mail, no calendar invitation, not on the site

    def text(self, field_name: str, language: str) -> str:
        return localised(getattr(self, field_name), language)


def plus_address(address: str, tag: str) -> str:
    """The network's mailbox with a tag after a plus (verkosto+liity@…): how replies carry a
    token and how people join or send initiatives without a form."""
    local, _, domain = address.partition("@")
    return f"{local}+{tag}@{domain}"


def localised(values: str | dict[str, str], language: str) -> str:
    """A name or text given per language ({fi=…, sv=…}) in `language`; else the first one
    given (the config puts the network's first language first), or the plain string."""
    if isinstance(values, str):
        return values
    return values.get(language) or next((value for value in values.values() if value), "")


@dataclass(frozen=True)
class Contact:
    email: str
    name: str = ""
    organisation: str = ""
    language: str = ""


@dataclass(frozen=True)
class Registration:
    meeting: str
    email: str
    name: str
    organisation: str
    language: str
    status: Status
    diet: str
    attendance: str
    position: int
    updated_at: str
    companions: tuple[str, ...] = ()  # brought along, named without an address


@dataclass(frozen=True)
class Match:
    """Which meeting (and whose registration) a message is about, and how we know."""

    meeting: str | None
    email: str | None
    by: str
    authorised: bool = False
    # The owner of a reply token that came from another address (an invitation forwarded to a
    # colleague): the message acts for its sender, never for this owner.
    via: str = ""


# ---- effects: what a workflow wants done; the store makes them durable together -------------


@dataclass(frozen=True)
class SetRegistration:
    meeting: str
    email: str
    status: Status
    name: str = ""
    organisation: str = ""
    language: str = ""
    details: Details = field(default_factory=Details)
    companions: tuple[str, ...] | None = None  # None keeps what is stored


@dataclass(frozen=True)
class SendMail:
    """One outgoing message, rendered later from `template` in `language` with `context`.

    `purpose` and `revision` make the Message-ID deterministic, so queuing twice is a no-op
    and a resend after a crash carries the same Message-ID.
    """

    template: str
    recipient: str
    name: str
    language: str
    purpose: str
    meeting: str | None
    revision: str
    context: dict[str, Any] = field(default_factory=dict)
    in_reply_to: str = ""
    reply_token: bool = True
    auto_submitted: str = "auto-replied"
    # iMIP part: "REQUEST" or "CANCEL" for this recipient's copy of the meeting's event.
    calendar: str = ""
    calendar_role: str = "REQ-PARTICIPANT"
    # None: the store uses the event's current SEQUENCE (a CANCEL to one person bumps it).
    sequence: int | None = None


@dataclass(frozen=True)
class CalendarResponse:
    """What a person answered in their calendar (ACCEPTED, DECLINED, TENTATIVE)."""

    meeting: str
    email: str
    partstat: str


@dataclass(frozen=True)
class Unsubscribe:
    email: str


@dataclass(frozen=True)
class Attention:
    reason: str


@dataclass(frozen=True)
class AddContact:
    """Someone new who wrote to us for themselves (e.g. with a forwarded invitation): on the
    contact list from now on, with where they came from. Never overwrites an existing contact."""

    email: str
    name: str = ""
    organisation: str = ""
    language: str = ""
    source: str = ""


Effect = SetRegistration | SendMail | Unsubscribe | CalendarResponse | Attention


@dataclass(frozen=True)
class Decision:
    effects: tuple[AnyEffect, ...]
    summary: str

    @property
    def needs_attention(self) -> bool:
        return any(isinstance(e, Attention) for e in self.effects)

    @property
    def reasons(self) -> str:
        """Why it needs the coordinator: its Attention reasons, joined."""
        return "; ".join(e.reason for e in self.effects if isinstance(e, Attention))


# ---- the public archive: what may be published, nothing personal beyond consent --------------
# Its records are in automation.model_public (re-exported above); the site is built from this.


@dataclass(frozen=True)
class SiteData:
    network_name: str | dict[str, str]  # per language, as in [network] name
    network_address: str
    languages: tuple[str, ...]  # the first is the site's default language
    meetings: tuple[Meeting, ...]
    initiatives: tuple[PublicInitiative, ...]
    summaries: tuple[PublicSummary, ...]
    now: datetime
    base_url: str = ""  # absolute URL of the site when known (Atom needs absolute links)
    home: PublicNetwork = PublicNetwork()
    followups: tuple[PublicFollowup, ...] = ()


# ---- initiatives -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Initiative:
    reference: str
    title: str
    text: str
    submitter_email: str
    submitter_name: str
    language: str
    status: str
    meeting: str
    created_at: str
    publish_name: bool = False


@dataclass(frozen=True)
class CreateInitiative:
    initiative: Initiative


@dataclass(frozen=True)
class SetInitiativeStatus:
    reference: str
    status: str
    meeting: str = ""
    note: str = ""
    actor: str = ""


INITIATIVE_STATUSES = ("received", "preparation", "agenda", "rejected", "resolved")


@dataclass(frozen=True)
class RecordBounce:
    email: str
    points: float
    reason: str
    undeliverable: bool  # the score reached the threshold with this bounce


# The one mail an erased person still gets ("your data is erased"); once it is sent (or has
# failed for good) its row keeps no address either.
ERASED_PURPOSE = "privacy-erased"


@dataclass(frozen=True)
class EraseData:
    """Erase or anonymise everything about one address, keeping only counts."""

    email: str


@dataclass(frozen=True)
class JoinRequest:
    email: str
    name: str
    language: str


@dataclass(frozen=True)
class AcceptRules:
    """The person accepted the goals and rules (this version): they are on the contact list."""

    email: str
    name: str
    organisation: str
    language: str
    version: str


@dataclass(frozen=True)
class StoreFeedback:
    meeting: str
    person: str  # a hash of the address: one answer per person, no address kept
    score: int | None
    comment: str
    language: str


@dataclass(frozen=True)
class ResolveAttention:
    """The coordinator decided an item that needed a human (by command or a reply to the
    digest): it leaves the list, with who decided what."""

    number: int
    key: str
    resolution: str
    actor: str
    outcome: str


@dataclass(frozen=True)
class SetFollowup:
    """A follow-up item's new status (open | in_progress | done), by its owner or the coordinator."""

    number: int
    status: str
    note: str = ""
    actor: str = ""


# Every change a workflow may ask for; the store applies them in one transaction.
AnyEffect = (
    Effect
    | SetFollowup
    | CreateInitiative
    | SetInitiativeStatus
    | RecordBounce
    | EraseData
    | JoinRequest
    | AcceptRules
    | StoreFeedback
    | AddContact
    | ResolveAttention
)
