"""`automation publish`: the open archive, built from the config, the register and the summary
files. Only what may be public goes in: meetings, initiatives once the preparatory group has
taken them up (the text without its signature block, the "Julkaise nimeni" line or contact
lines, the submitter's name only when they asked for it, never an address), their history
without who acted, and the summaries."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from automation.app import App
from automation.config import Settings, ordered
from automation.jobs import summary_versions
from automation.model import (
    HistoryEntry,
    PublicFollowup,
    PublicInitiative,
    PublicNetwork,
    PublicPerson,
    PublicSummary,
    SiteData,
    plus_address,
)
from automation.render.archive import write_site
from automation.render.public_text import public_text
from automation.render.translations import followup_version
from automation.workflows.lifecycle import Responsible, responsible_for
from automation.workflows.membership import JOIN_TAG


def site_data(app: App, now: datetime) -> SiteData:
    settings = app.settings
    store = app.store
    initiatives = tuple(
        PublicInitiative(
            reference=item.reference,
            title=item.title,
            # The submitter's name only when they asked for it, as the acknowledgement promises.
            text=public_text(item.text, () if item.publish_name else (item.submitter_name,)),
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
        # Until someone has looked at it, an initiative is the submitter's mail, not a public text.
        if item.status != "received"
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
        network_name=ordered(settings.network.name, settings.network.languages),
        network_address=settings.network.address,
        languages=tuple(settings.network.languages),
        meetings=tuple(settings.meeting_objects()),
        initiatives=initiatives,
        summaries=tuple(summaries),
        now=now,
        base_url=settings.network.public_url,
        home=public_network(settings, now),
        followups=public_followups(app),
    )


def public_followups(app: App) -> tuple[PublicFollowup, ...]:
    """The follow-up items with their text and owner in each of the site's languages."""
    rows = {row["id"]: row for row in app.store.followups()}
    languages = app.settings.network.languages
    found = []
    for item in app.store.public_followups():
        row = rows.get(item.number)
        versions = (
            [] if row is None else [(lang, followup_version(app.settings, row, lang)) for lang in languages]
        )
        found.append(
            replace(item, versions=tuple((lang, v.text, v.owner, v.language) for lang, v in versions))
        )
    return tuple(found)


def public_network(settings: Settings, now: datetime) -> PublicNetwork:
    """What the config publishes on purpose about the network: the preparatory group's names
    and organisations, the contact persons with their addresses, the organisations by kind,
    and this year's responsible organisation from the rotation. Never a participant."""
    network = settings.network
    year, responsible = now.year, Responsible("", "", "")
    rotation = settings.rotation
    if rotation.order:
        order = [Responsible(e.organisation, e.name, e.email) for e in rotation.order]
        year, responsible, _ = responsible_for(order, rotation.first_year, rotation.turn, now)
    privacy, accessibility = settings.privacy, settings.accessibility
    return PublicNetwork(
        rules_version=settings.rules.version,
        join_address=plus_address(network.address, JOIN_TAG),
        initiative_address=plus_address(network.address, settings.initiatives.plus_address),
        year=year,
        period=str(year) if rotation.turn == (1, 1) else f"{year}\u2013{year + 1}",
        responsible=responsible.organisation,
        responsible_name=responsible.name,
        group=tuple(PublicPerson(o.name, o.organisation) for o in settings.organisers),
        contacts=tuple(
            PublicPerson(o.name, o.organisation, o.email) for o in settings.organisers if o.contact
        ),
        organisations=tuple((o.kind, o.name) for o in settings.organisations if not o.example),
        controller=ordered(privacy.controller, network.languages),
        controller_address=ordered(privacy.controller_address, network.languages),
        controller_contact=privacy.controller_contact,
        dpo=privacy.dpo,
        legal_basis=privacy.basis,
        privacy_contact=privacy.contact or network.address,
        retention_days=privacy.retention_days,
        accessibility_feedback=accessibility.feedback or network.coordinator or network.address,
        # The date the coordinator wrote, never the day of publishing: the statement says when
        # the site was assessed, and that does not change by publishing it again.
        accessibility_assessed=accessibility.assessed.isoformat() if accessibility.assessed else "",
        accessibility_assessed_by=ordered(accessibility.assessed_by, network.languages),
    )


MANIFEST = ".published-files"


def publish(app: App, output: Path, now: datetime) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    written = write_site(site_data(app, now), app.settings.path(app.settings.templates.directory), output)
    _remove_stale(output, written)
    return written


def _remove_stale(output: Path, written: list[Path]) -> None:
    """What an earlier publish wrote and this one did not (a meeting or a language taken out of
    the config) is removed, so no page goes on showing it. The list of what we wrote is kept
    beside the site; files someone else put into the directory are never touched."""
    manifest = output / MANIFEST
    current = sorted({path.relative_to(output).as_posix() for path in written})
    before = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    root = output.resolve()
    for relative in sorted(set(before) - set(current)):
        path = (output / relative).resolve()
        if root not in path.parents or not path.is_file():
            continue  # an edited manifest cannot point outside the site
        path.unlink()
        for folder in path.parents:
            if folder == root or any(folder.iterdir()):
                break
            folder.rmdir()
    manifest.write_text("".join(f"{relative}\n" for relative in current), encoding="utf-8")


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
