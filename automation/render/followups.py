"""Follow-up items as mail templates see them: `followups` (number, text, owner, status, note,
meeting) and, for the mails about the items, `followup_meeting`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from automation.config import Settings
from automation.model import Meeting
from automation.render.formatting import meeting_context
from automation.render.translations import followup_version

# The mails about a meeting that list what the earlier meetings agreed, with its status.
CARRIED = {"invitation", "participant_list"}


def item_context(
    row: dict[str, Any], meetings: dict[str, Meeting], language: str, settings: Settings | None = None
) -> dict[str, Any]:
    """One item for a mail in `language`: with `settings`, its text from the summary written in
    that language (when there is one) and its owner's organisation named in that language."""
    source = meetings.get(row["meeting"])
    version = followup_version(settings, row, language) if settings is not None else None
    return {
        "number": row["id"],
        "text": version.text if version else row["text"],
        "owner": version.owner if version else row["owner"],
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
