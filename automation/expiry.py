"""When a queued mail becomes pointless, so a queue that waited (SMTP down for days) never sends
"register by 22.2." on 1.3., a calendar request for a past event or a late confirmation.

Computed from the row and the meeting as configured now, so a moved meeting or deadline moves the
expiry too (the same rule as the schedule's: state, not timers).
"""

from __future__ import annotations

from datetime import datetime

from automation.config import Settings
from automation.model import Meeting
from automation.workflows.lifecycle import STAGE_TEMPLATES, Offsets, stages

# Mail that stays worth sending whatever the date: the published summary, and what is not about
# a meeting (initiatives, joining, privacy answers, notices to the coordinator).
_NEVER = {"summary", "undeliverable", "unsubscribed", "rotation"}
# Answers owed whatever the date (a data export is a legal duty) and mail about initiatives or
# membership, even when a meeting is named in them.
_NEVER_PREFIXES = ("privacy-", "initiative", "join", "rules-", "rule-")


def offsets_of(settings: Settings) -> Offsets:
    s, f = settings.schedule, settings.feedback
    return Offsets(
        s.invite_days_before,
        s.deadline_reminder_days_before,
        s.meeting_reminder_days_before,
        s.thanks_hours_after,
        f.days_after,
        f.pack_days_after,
    )


def expiry(purpose: str, meeting: Meeting | None, offsets: Offsets) -> tuple[datetime, str] | None:
    """(the moment after which the mail is pointless, why), or None: it never expires.
    Invitation and reminders: their stage's end (the registration deadline for the invitation);
    everything else about a meeting (confirmations, calendar copies): the meeting's end."""
    if meeting is None or purpose in _NEVER or purpose.startswith(_NEVER_PREFIXES):
        return None
    if meeting.cancelled and purpose in STAGE_TEMPLATES:
        # A cancelled meeting has no schedule: an invitation or reminder still queued (SMTP was
        # down, or it was queued just before the cancellation) must not go out. Its
        # cancellation mail and calendar CANCEL are not schedule mail and still go.
        return datetime.min.replace(tzinfo=meeting.start.tzinfo), "pointless: the meeting was cancelled"
    for stage in stages(meeting, offsets):
        if stage.name == purpose:
            if stage.until == meeting.registration_deadline:
                return stage.until, "pointless after the registration deadline"
            return stage.until, f"pointless after {stage.until:%d.%m.%Y %H:%M}"
    return meeting.end, "pointless after the meeting ended"


def expired(row_purpose: str, row_meeting: str, settings: Settings, now: datetime) -> str:
    """Why the row is pointless now, or ""."""
    code = row_meeting.removeprefix("feedback:")
    found = expiry(row_purpose, settings.meeting(code) if code else None, offsets_of(settings))
    if found is None or now <= found[0]:
        return ""
    if found[0].year == datetime.min.year:  # pointless whenever it is (a cancelled meeting)
        return f"{found[1]}; not sent"
    return f"{found[1]} ({found[0]:%d.%m.%Y %H:%M}); not sent"
