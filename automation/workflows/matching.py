"""Which meeting, and whose registration, a message is about. Pure: lookups are passed in.

Order of trust: the per-recipient reply token (plus-address we put in Reply-To), then the
References to one of our deterministic Message-IDs, then a meeting code or date in the subject
or body, then the only meeting open for registration. Only the token, used from its owner's
own address, authorises changes to an existing registration; everything else (a forwarded
token included) acts on the sender's own address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from automation.model import Inbound, Match, Meeting

_TOKEN = re.compile(r"^[^@+]+\+(?:reg-)?([0-9a-f]{32})@", re.I)
_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?!\d)")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTHS = {
    # en, sv, fi (the partitive "maaliskuuta" as written after a day number)
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "januari",
                "februari",
                "mars",
                "april",
                "maj",
                "juni",
                "juli",
                "augusti",
                "september",
                "oktober",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "tammikuuta",
                "helmikuuta",
                "maaliskuuta",
                "huhtikuuta",
                "toukokuuta",
                "kesäkuuta",
                "heinäkuuta",
                "elokuuta",
                "syyskuuta",
                "lokakuuta",
                "marraskuuta",
                "joulukuuta",
            ],
            1,
        )
    },
}
_NAMED_DATE = re.compile(r"\b(\d{1,2})\.? (" + "|".join(_MONTHS) + r")\b(?: (\d{4}))?", re.IGNORECASE)


def reply_tokens(message: Inbound, own_address: str) -> list[str]:
    """Tokens found in plus-addresses of our own mailbox among the recipients."""
    local, _, domain = own_address.lower().partition("@")
    found = []
    for recipient in message.recipients:
        if recipient.startswith(local + "+") and recipient.endswith("@" + domain):
            match = _TOKEN.match(recipient)
            if match:
                found.append(match.group(1).lower())
    return found


def open_meetings(meetings: Sequence[Meeting], now: datetime) -> list[Meeting]:
    return [m for m in meetings if not m.cancelled and now <= m.registration_deadline]


def upcoming_meetings(meetings: Sequence[Meeting], now: datetime) -> list[Meeting]:
    return [m for m in meetings if not m.cancelled and now < m.start]


def match_message(
    message: Inbound,
    meetings: Sequence[Meeting],
    now: datetime,
    token_owner: tuple[str, str] | None,
    reference_owner: tuple[str, str] | None,
) -> Match:
    known = {m.code for m in meetings}
    if token_owner and token_owner[0] in known:
        owner = token_owner[1]
        if owner.lower() == message.sender.lower():
            return Match(token_owner[0], owner, "reply token", authorised=True)
        # Forwarding an invitation is routine: the token names the meeting, but whoever writes
        # with it speaks for themselves, and the owner's registration is theirs alone to change.
        return Match(token_owner[0], message.sender, f"reply token of {owner}", via=owner)
    if reference_owner and reference_owner[0] in known:
        # Our Message-IDs are deterministic, so a References header can be forged: it names the
        # meeting, but only the secret reply token authorises changes to someone's registration.
        return Match(reference_owner[0], message.sender, "reply to our message")
    sender = message.sender
    text = f"{message.subject}\n{message.reply_text}"
    by_code = [m for m in meetings if re.search(rf"(?<![\w-]){re.escape(m.code)}(?![\w-])", text)]
    if len(by_code) == 1:
        return Match(by_code[0].code, sender, "meeting code in the message")
    by_date = _meetings_by_date(text, meetings, now)
    if len(by_date) == 1:
        return Match(by_date[0].code, sender, "meeting date in the message")
    candidates = open_meetings(meetings, now) or upcoming_meetings(meetings, now)
    if len(candidates) == 1:
        return Match(candidates[0].code, sender, "the only meeting open for registration")
    return Match(None, sender, "no meeting named and not exactly one open")


def _meetings_by_date(text: str, meetings: Sequence[Meeting], now: datetime) -> list[Meeting]:
    dates: set[tuple[int | None, int, int]] = set()
    for day, month, year in _DATE.findall(text):
        full_year = None if not year else int(year) + (2000 if len(year) == 2 else 0)
        dates.add((full_year, int(month), int(day)))
    for year, month, day in _ISO_DATE.findall(text):
        dates.add((int(year), int(month), int(day)))
    for day, month_name, year in _NAMED_DATE.findall(text):
        dates.add((int(year) if year else None, _MONTHS[month_name.lower()], int(day)))
    found = []
    for meeting in meetings:
        start = meeting.start
        for year, month, day in dates:
            same_day = (month, day) == (start.month, start.day)
            if same_day and (year == start.year or (year is None and start >= now)):
                found.append(meeting)
                break
    return found
