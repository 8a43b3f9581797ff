"""Which queued mail becomes pointless when (issue 17, item 6): pure, no servers."""

from __future__ import annotations

from meetings import MEETING

from automation.expiry import expiry
from automation.workflows.lifecycle import Offsets


def test_invitation_and_deadline_reminder_expire_at_the_registration_deadline() -> None:
    for purpose in ("invite", "deadline-reminder"):
        found = expiry(purpose, MEETING, Offsets())
        assert found is not None
        assert found == (MEETING.registration_deadline, "pointless after the registration deadline")


def test_confirmations_and_calendar_copies_expire_when_the_meeting_ends() -> None:
    for purpose in ("confirmation", "organiser-invite", "update", "cancel"):
        found = expiry(purpose, MEETING, Offsets())
        assert found is not None and found[0] == MEETING.end, purpose


def test_meeting_reminder_expires_at_the_start() -> None:
    found = expiry("meeting-reminder", MEETING, Offsets())
    assert found is not None and found[0] == MEETING.start


def test_summaries_and_mail_about_no_meeting_never_expire() -> None:
    assert expiry("summary", MEETING, Offsets()) is None
    assert expiry("initiative-ack", None, Offsets()) is None
    for purpose in ("privacy-export", "initiative-status", "joined"):
        assert expiry(purpose, MEETING, Offsets()) is None, purpose


def test_schedule_mail_of_a_cancelled_meeting_is_pointless_at_once_but_its_cancellation_is_not() -> None:
    """Found by the soak: invitations queued before a meeting was cancelled (contacts added
    that morning) went out the next day, inviting people to a meeting that will not happen."""
    from dataclasses import replace
    from datetime import datetime

    cancelled = replace(MEETING, cancelled=True)
    for purpose in ("invite", "deadline-reminder", "meeting-reminder", "thanks", "feedback", "pack", "close"):
        found = expiry(purpose, cancelled, Offsets())
        assert found is not None and found[0] < datetime(2024, 1, 1, tzinfo=MEETING.start.tzinfo), purpose
        assert "cancelled" in found[1], found
    found = expiry("cancel-meeting", cancelled, Offsets())
    assert found is not None and found[0] == MEETING.end
