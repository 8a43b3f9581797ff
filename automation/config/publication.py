"""What the public site must say: the privacy notice and accessibility statement sections, and their check."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from automation.config.sections import EmailAddress, LocalisedText, _Section

if TYPE_CHECKING:  # only for the annotation: settings.py imports this module
    from automation.config.settings import Settings


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
