"""Follow-up items as mail templates see them: `followups` (number, text, owner, status, note,
meeting) and, for the mails about the items, `followup_meeting`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from automation.model import Meeting
from automation.render.formatting import meeting_context

# The mails about a meeting that list what the earlier meetings agreed, with its status.
CARRIED = {"invitation", "participant_list"}


def item_context(row: dict[str, Any], meetings: dict[str, Meeting], language: str) -> dict[str, Any]:
    source = meetings.get(row["meeting"])
    return {
        "number": row["id"],
        "text": row["text"],
        "owner": row["owner"],
        "status": row["status"],
        "note": row["note"],
        "meeting": meeting_context(source, language) if source else None,
    }


def carried(
    rows: Iterable[dict[str, Any]], meetings: dict[str, Meeting], meeting: Meeting
) -> list[dict[str, Any]]:
    """What is carried to `meeting`: every item of the meeting before it, and anything older
    still not done."""
    earlier = sorted((m for m in meetings.values() if m.start < meeting.start), key=lambda m: m.start)
    previous = earlier[-1].code if earlier else ""
    codes = {m.code for m in earlier}
    return [r for r in rows if r["meeting"] in codes and (r["meeting"] == previous or r["status"] != "done")]
