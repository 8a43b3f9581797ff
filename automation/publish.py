"""`automation publish`: the public static files. For now the calendar feed and an index page;
no personal data, only what the config says about meetings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from automation.config import Settings
from automation.model import Meeting
from automation.render.emails import environments
from automation.render.feed import public_calendar
from automation.render.formatting import meeting_context


def publish(settings: Settings, output: Path, now: datetime) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    language = settings.network.default_language
    directory = settings.path(settings.templates.directory)
    text_env, _ = environments(str(directory))
    network = {
        "name": settings.network.name,
        "address": settings.network.address,
        "coordinator": settings.network.coordinator or "",
    }

    def render(name: str, meeting: Meeting) -> str:
        context = {"network": network, "meeting": meeting_context(meeting, language), "language": language}
        return text_env.get_template(f"{language}/{name}").render(context).strip()

    meetings = settings.meeting_objects()
    written = []
    if meetings:
        feed = public_calendar(
            meetings,
            name=settings.network.name,
            domain=settings.network.address.partition("@")[2],
            stamp=now,
            summary=lambda m: " ".join(render("event.summary.txt", m).split()),
            description=lambda m: render("event.description.txt", m),
            language=language,
        )
        (output / "meetings.ics").write_bytes(feed)
        written.append(output / "meetings.ics")
    _, html_env = environments(str(directory))
    upcoming = [m for m in meetings if m.end >= now]
    past = [m for m in meetings if m.end < now]
    page = html_env.get_template(f"{language}/site_index.html").render(
        network=network,
        language=language,
        now=now,
        upcoming=[
            {**meeting_context(m, language), "open": not m.cancelled and now <= m.registration_deadline}
            for m in sorted(upcoming, key=lambda m: m.start)
        ],
        past=[meeting_context(m, language) for m in sorted(past, key=lambda m: m.start, reverse=True)],
    )
    (output / "index.html").write_text(page, encoding="utf-8")
    written.append(output / "index.html")
    return written
