"""`automation publish`: the open archive, built from the config, the register and the summary
files. Only what may be public goes in: meetings, initiatives (the submitter's name only when
they asked for it, never an address), their history without who acted, and the summaries."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from automation.app import App
from automation.jobs import summary_versions
from automation.model import HistoryEntry, PublicInitiative, PublicSummary, SiteData
from automation.render.archive import write_site


def site_data(app: App, now: datetime) -> SiteData:
    settings = app.settings
    store = app.store
    initiatives = tuple(
        PublicInitiative(
            reference=item.reference,
            title=item.title,
            text=item.text,
            status=item.status,
            meeting=item.meeting,
            submitter=item.submitter_name if item.publish_name else "",
            created_at=item.created_at,
            history=tuple(
                HistoryEntry(e["at"], e["status"], e["note"] or "", e["meeting"] or "")
                for e in store.initiative_history(item.reference)
            ),
            attachments=tuple(store.attachments(item.reference)),
        )
        for item in store.initiatives()
    )
    summaries = []
    directory = settings.path(settings.summaries.directory)
    for meeting in settings.meeting_objects():
        for language, (markdown, _) in summary_versions(app, meeting.code).items():
            suffix = "" if language == settings.network.default_language else f".{language}"
            stamp = datetime.fromtimestamp((directory / f"{meeting.code}{suffix}.md").stat().st_mtime, UTC)
            summaries.append(
                PublicSummary(meeting.code, language, markdown, stamp.isoformat(timespec="seconds"))
            )
    return SiteData(
        network_name=settings.network.name,
        network_address=settings.network.address,
        languages=tuple(settings.network.languages),
        meetings=tuple(settings.meeting_objects()),
        initiatives=initiatives,
        summaries=tuple(summaries),
        now=now,
        base_url=settings.network.public_url,
    )


def publish(app: App, output: Path, now: datetime) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    return write_site(site_data(app, now), app.settings.path(app.settings.templates.directory), output)


def publish_if_changed(app: App, now: datetime) -> list[str]:
    """The scheduled publish: rewrite the site only when what it shows has changed (the date of
    the day counts, so "upcoming" and "past" follow the calendar)."""
    data = site_data(app, now)
    fingerprint = hashlib.sha256(
        repr(replace(data, now=now.replace(hour=0, minute=0, second=0, microsecond=0))).encode()
    ).hexdigest()
    marker = app.settings.path(app.settings.publish.directory) / ".published"
    if marker.exists() and marker.read_text(encoding="utf-8") == fingerprint:
        return []
    written = publish(app, marker.parent, now)
    marker.write_text(fingerprint, encoding="utf-8")
    return [f"published the public archive ({len(written)} files) to {marker.parent}"]
