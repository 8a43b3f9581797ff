"""Meeting lifecycle jobs computed from state: who is due for what now.

Nothing here keeps timers: a restart, a changed date or a late start does the right thing,
because the due time is derived from the meeting each time.
"""

from __future__ import annotations

from collections.abc import Iterable

from automation.model import Contact, Meeting, SendMail


def invitations(
    meeting: Meeting,
    contacts: Iterable[Contact],
    already: set[str],
    default_language: str,
    languages: Iterable[str],
) -> list[SendMail]:
    """One invitation per contact who has not had one, in the contact's language."""
    known = set(languages)
    mails = []
    for contact in contacts:
        if contact.email in already:
            continue
        language = contact.language if contact.language in known else default_language
        mails.append(
            SendMail(
                template="invitation",
                recipient=contact.email,
                name=contact.name,
                language=language,
                purpose="invite",
                meeting=meeting.code,
                revision="1",
                auto_submitted="auto-generated",
            )
        )
    return mails
