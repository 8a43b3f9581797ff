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
