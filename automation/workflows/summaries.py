"""Meeting summaries: found in Markdown files (or sent by email), mailed to everyone once.

Pure. A summary file may start with front matter (`---` … `---`) holding `version: N`; raising the
version is how the coordinator says "send the corrected summary again". Each language version
(<code>.md in the default language, <code>.sv.md, <code>.en.md) goes to the readers of that
language; the others get the default language with a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from automation.model import Meeting, SendMail
from automation.workflows.calendar import Person

# The token of the "confirm this summary" mail to the coordinator: summary:<code>:<language>.
SUMMARY_SCOPE = "summary:"
_REFERENCE = re.compile(r"(?<![\w/#\[-])([A-Z]{2,12}-\d{4}-\d{3})\b")


def version_of(meta: dict[str, str]) -> int:
    try:
        return max(1, int(meta.get("version", "1")))
    except ValueError:
        return 1


def link_initiatives(markdown: str, site_url: str) -> str:
    """ALOITE-2024-007 in a summary becomes a link to the initiative in the public archive."""
    if not site_url:
        return markdown
    base = site_url.rstrip("/")
    return _REFERENCE.sub(lambda m: f"[{m.group(1)}]({base}/initiatives.html#{m.group(1)})", markdown)


def summary_target(subject: str, codes: Sequence[str], past_codes: Sequence[str]) -> str | None:
    """The meeting a "Yhteenveto 2024-03" mail is about: the code in the subject, else the most
    recent meeting that has taken place."""
    for code in codes:
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", subject):
            return code
    return past_codes[-1] if past_codes else None


def summary_mails(
    meeting: Meeting,
    versions: dict[str, tuple[str, int]],
    people: Iterable[Person],
    default_language: str,
    site_url: str,
) -> list[SendMail]:
    """One mail per person, in their language when that version exists."""
    if default_language not in versions:
        return []
    mails = []
    seen: set[str] = set()
    for person in people:
        if person.email in seen:
            continue
        seen.add(person.email)
        language = person.language if person.language in versions else default_language
        markdown, version = versions[language]
        mails.append(
            SendMail(
                template="summary",
                recipient=person.email,
                name=person.name,
                language=person.language if person.language in versions else default_language,
                purpose="summary",
                meeting=meeting.code,
                revision=f"v{version}",
                auto_submitted="auto-generated",
                reply_token=False,
                context={
                    "summary_text": markdown,
                    "summary_markdown": link_initiatives(markdown, site_url),
                    "summary_language_fallback": language != person.language,
                    "site_url": site_url,
                },
            )
        )
    return mails
