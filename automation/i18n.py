"""The coordinator's terminal in their language: `[network] coordinator_language` (fi, sv, en).

Catalogues are gettext `.po` files in `automation/locale/<lang>/LC_MESSAGES/automation.po`,
compiled with Babel when first used (in memory, so an editable or a wheel install finds them
without a build step; a compiled `automation.mo` beside the `.po` is used when it is newer).
A message without a translation is shown in English. Mail text is not here: it lives in the
templates.
"""

from __future__ import annotations

import gettext as _gettext
import io
from functools import cache
from pathlib import Path

DOMAIN = "automation"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("fi", "sv", "en")

_current: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The catalogue of `language`, English (the messages themselves) when there is none."""
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    if not po.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def use(language: str) -> None:
    """Speak `language` on the terminal from now on (the CLI calls it once the config is read)."""
    global _current, _language
    _language = language if language in LANGUAGES else "en"
    _current = translations(_language)


def language() -> str:
    return _language


def _(message: str) -> str:
    return _current.gettext(message)


def n_(singular: str, plural: str, count: int) -> str:
    return _current.ngettext(singular, plural, count)


def status_name(status: str) -> str:
    """A registration status as the coordinator reads it (tentative → alustava / preliminär)."""
    return _current.pgettext("status", status)


def N_(message: str) -> str:
    """Marks a message for the catalogue; translated where it is shown."""
    return message


# Column headers of the files the coordinator opens in Excel (register, participant list, report).
COLUMNS = {
    "email": N_("Email"),
    "name": N_("Name"),
    "organisation": N_("Organisation"),
    "language": N_("Language"),
    "status": N_("Status"),
    "diet": N_("Diet"),
    "attendance": N_("Attendance"),
    "position": N_("Place in queue"),
    "updated_at": N_("Updated"),
    "companions": N_("Companions"),
    "code": N_("Meeting"),
    "date": N_("Date"),
    "invited": N_("Invited"),
    "registered": N_("Registered"),
    "attended": N_("Attended"),
    "no_show": N_("No-shows"),
    "feedback_average": N_("Feedback average"),
    "feedback_answers": N_("Feedback answers"),
    "kind": N_("Kind"),
}
ATTENDANCE = {"onsite": N_("onsite"), "remote": N_("remote")}


def in_language(language: str, message: str) -> str:
    """`message` in `language` (not the terminal's): for a file sent to someone."""
    return translations(language if language in LANGUAGES else "en").gettext(message)


def column(key: str, language: str | None = None) -> str:
    message = COLUMNS.get(key, key)
    return in_language(language, message) if language else _(message)


def status_in(language: str, status: str) -> str:
    return translations(language if language in LANGUAGES else "en").pgettext("status", status)
