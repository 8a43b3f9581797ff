"""The open static archive: meeting pages with their summaries, the initiatives, an Atom feed of
the summaries and the public calendar, in the site's default language (`data.languages[0]`) at
the top and in each other language with site templates under `<lang>/`.

Every word that is not data comes from `templates/site/<lang>/`. Jinja autoescapes everything
people wrote (titles, initiative texts, names); the one piece of HTML inserted as is, a summary,
has been through Markdown and then nh3, which keeps only http(s) and mailto links.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import markdown
import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from automation.model import (
    Meeting,
    PublicFollowup,
    PublicInitiative,
    PublicNetwork,
    PublicSummary,
    SiteData,
    localised,
)
from automation.parse.followups import fold
from automation.render.feed import public_calendar
from automation.render.formatting import meeting_context, short_date

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A summary link with any other scheme (javascript:, data:, vbscript:…) loses its href.
URL_SCHEMES = {"http", "https", "mailto"}
# A meeting code becomes a file name and part of URLs: nothing that could leave meetings/.
_SAFE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
Context = dict[str, Any]


def write_site(data: SiteData, templates: Path, output: Path) -> list[Path]:
    """Render the whole archive into `output`; returns the files written.

    The first configured language is the site at `output` itself; every other language with
    templates in `templates/site/<lang>/` is the same site in `output/<lang>/`, its dates, words
    and summaries in that language. Each page links to itself in the other languages."""
    domain = data.network_address.partition("@")[2]
    if not domain:
        # Feed ids and calendar UIDs are built from it; an empty one would make them collide.
        raise ValueError(f"network address {data.network_address!r} has no domain")
    for meeting in data.meetings:
        if not _SAFE_CODE.fullmatch(meeting.code):
            raise ValueError(f"meeting code {meeting.code!r} cannot be a file name")
    loader = FileSystemLoader(str(templates))
    html_env = Environment(loader=loader, autoescape=True, undefined=StrictUndefined)
    # Feed titles and calendar texts are escaped by ElementTree and icalendar, not by Jinja.
    text_env = Environment(loader=loader, autoescape=False, undefined=StrictUndefined)
    default = data.languages[0]
    languages = [default] + [
        lang for lang in data.languages[1:] if (templates / "site" / lang).is_dir() and lang != default
    ]
    versions = [
        {
            "code": lang,
            "prefix": "" if lang == default else f"{lang}/",
            # The name of each language in itself ("Suomeksi", "På svenska", "In English").
            "name": text_env.get_template(f"site/{lang}/language_name.txt").render().strip(),
        }
        for lang in languages
    ]
    written: list[Path] = []

    def write(relative: str, content: str | bytes) -> None:
        target = output / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        # Written beside and renamed: a web server serving `output` never sends half a page.
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(content)
        partial.replace(target)
        written.append(target)

    write("style.css", (templates / "site" / "style.css").read_bytes())
    for version in versions:
        _write_language(data, version, versions, html_env, text_env, domain, write)
    return written


def _write_language(
    data: SiteData,
    version: dict[str, str],
    versions: list[dict[str, str]],
    html_env: Environment,
    text_env: Environment,
    domain: str,
    write: Callable[[str, str | bytes], None],
) -> None:
    """One language's pages, feed and calendar, under its prefix ("" or "sv/")."""
    language, prefix = version["code"], version["prefix"]
    base = data.base_url.rstrip("/") + "/" + prefix if data.base_url else ""
    network = {
        "name": localised(data.network_name, language),
        "address": data.network_address,
        "coordinator": "",
    }
    # This language's summary first, then the configured order.
    order = (language, *(lang for lang in data.languages if lang != language))
    summaries = _chosen_summaries(data.summaries, order)
    meetings = {
        m.code: _meeting(m, data.now, language, summaries.get(m.code), data.summaries)
        for m in sorted(data.meetings, key=lambda m: m.start)
    }
    followups = [_followup(f, meetings, language) for f in data.followups if f.meeting in meetings]
    initiatives = [
        {
            **_initiative(i, meetings, language),
            "followups": [f for f in followups if f["initiative"] == i.reference],
        }
        for i in sorted(data.initiatives, key=lambda i: (i.created_at, i.reference), reverse=True)
    ]
    common = {
        "network": network,
        "home": _home(data.home, language),
        "language": language,
        "languages": versions,
        "has_calendar": bool(meetings),
        "updated": short_date(data.now, language),
        "site_url": base,  # this language's address on the web ("" when not published)
    }

    def page(name: str, relative: str, **context: Any) -> None:
        # Pages link to each other relatively, so the archive works from any URL or from disk:
        # `root` leads to this language's pages, `top` to the site's (style, other languages).
        root = "../" * relative.count("/")
        top = root + "../" * prefix.count("/")
        template = html_env.get_template(f"site/{language}/{name}")
        context = {**common, "root": root, "top": top, "path": relative, "page": name, **context}
        write(prefix + relative, template.render(context))

    def text(name: str, **context: Any) -> str:
        template = text_env.get_template(f"site/{language}/{name}")
        return template.render({"network": network, "language": language, **context}).strip()

    upcoming = [m for m in meetings.values() if not m["past"]]
    page(
        "index.html",
        "index.html",
        upcoming=upcoming,
        past=[m for m in reversed(meetings.values()) if m["past"]],
        next_meeting=next((m for m in upcoming if not m["cancelled"]), None),
        # The same versioned text people accept when they join (templates/<lang>/_rules.md).
        rules=_rules(text_env, language, data.home.rules_version),
    )
    for m in meetings.values():
        agenda = [i for i in initiatives if i["meeting_code"] == m["code"]]
        items = [f for f in followups if f["meeting_code"] == m["code"]]
        page("meeting.html", m["href"], meeting=m, initiatives=agenda, followups=items)
    page("initiatives.html", "initiatives.html", initiatives=initiatives)
    by_meeting = [
        (m, [f for f in followups if f["meeting_code"] == m["code"]]) for m in reversed(meetings.values())
    ]
    page("followups.html", "followups.html", meetings=[(m, items) for m, items in by_meeting if items])
    page("privacy.html", "privacy.html")
    page("accessibility.html", "accessibility.html")

    entries = [(meetings[code], summary) for code, summary in summaries.items() if code in meetings]
    # The follow-up items of a meeting are one entry of their own, updated when a status changes.
    followed = [
        (m, items, html_env.get_template(f"site/{language}/feed_followups.html").render(items=items))
        for m, items in by_meeting
        if items
    ]
    write(
        prefix + "feed.xml",
        _atom(data, language, domain, base, entries, text, name=prefix.strip("/"), followed=followed),
    )
    if data.meetings:

        def event_text(name: str, meeting: Meeting) -> str:
            m = meetings[meeting.code]
            return text(name, meeting=m, url=base + m["href"] if base else "")

        write(
            prefix + "meetings.ics",
            public_calendar(
                data.meetings,
                name=network["name"],
                domain=domain,
                stamp=data.now,
                summary=lambda m: " ".join(event_text("event_summary.txt", m).split()),
                description=lambda m: event_text("event_description.txt", m),
                language=language,
            ),
        )


def _chosen_summaries(
    summaries: Iterable[PublicSummary], languages: tuple[str, ...]
) -> dict[str, PublicSummary]:
    """One summary per meeting: the site's language, else the next configured one, else any."""
    rank = {lang: n for n, lang in enumerate(languages)}
    chosen: dict[str, PublicSummary] = {}
    for s in summaries:
        current = chosen.get(s.meeting)
        if current is None or rank.get(s.language, len(rank)) < rank.get(current.language, len(rank)):
            chosen[s.meeting] = s
    return chosen


def _meeting(
    meeting: Meeting,
    now: datetime,
    language: str,
    summary: PublicSummary | None,
    every_summary: Iterable[PublicSummary] = (),
) -> Context:
    url = meeting.online_url
    if meeting.cancelled:
        registration = "cancelled"
    else:
        registration = "open" if now <= meeting.registration_deadline else "closed"
    return {
        **meeting_context(meeting, language),
        "href": f"meetings/{meeting.code}.html",
        "start_iso": meeting.start.isoformat(),
        "past": meeting.end < now,
        "registration": registration,
        # Only web links become links; anything else in the config is shown as text.
        "online_link": url if url.startswith(("https://", "http://")) else "",
        "summary": _summary(summary, language) if summary else None,
        # The other language versions (Swedish, English) follow the main one, each with its lang.
        "other_summaries": [
            _summary(s, language)
            for s in every_summary
            if s.meeting == meeting.code and summary is not None and s.language != summary.language
        ],
    }


def _summary(summary: PublicSummary, language: str) -> Context:
    # baselevel 3: the summary sits under the page's h2, so "# Title" must not become a 2nd h1.
    rendered = markdown.markdown(
        summary.markdown, extensions=["toc"], extension_configs={"toc": {"baselevel": 3}}
    )
    published = _moment(summary.published_at)
    return {
        # Markup only after nh3: it drops <script>, event handlers and non-web link schemes.
        "html": Markup(nh3.clean(rendered, url_schemes=URL_SCHEMES)),
        "language": summary.language,
        "foreign": summary.language != language,
        "published": short_date(published, language),
        "published_iso": published.isoformat(),
    }


def _initiative(initiative: PublicInitiative, meetings: dict[str, Context], language: str) -> Context:
    return {
        "reference": initiative.reference,
        "title": initiative.title,
        "text": initiative.text.replace("\r\n", "\n"),
        "status": initiative.status,
        "meeting_code": initiative.meeting,
        "meeting": meetings.get(initiative.meeting),
        "submitter": initiative.submitter,
        "created": _date(initiative.created_at, language),
        "attachments": list(initiative.attachments),
        "history": [
            {
                "date": _date(h.at, language),
                "status": h.status,
                "note": h.note,
                "meeting": meetings.get(h.meeting),
            }
            for h in sorted(initiative.history, key=lambda h: h.at)
        ],
    }


KINDS = ("national", "municipal_network", "company", "university")


def _home(home: PublicNetwork, language: str) -> Context:
    """The network as the home page shows it: the preparatory group by organisation with this
    year's responsible one marked, the contact persons, the organisations by kind."""
    # Names given per language ({fi=…, sv=…}) are shown in the page's language.
    groups: dict[str, list[str]] = {}
    for person in home.group:
        groups.setdefault(localised(person.organisation, language), []).append(person.name)
    responsible = fold(localised(home.responsible, language))
    assessed = _date(home.accessibility_assessed, language) if home.accessibility_assessed else None
    return {
        "rules_version": home.rules_version,
        "join_address": home.join_address,
        "initiative_address": home.initiative_address,
        "year": home.year,
        "period": home.period,
        "responsible": localised(home.responsible, language),
        "group": [
            {
                "organisation": organisation,
                "responsible": bool(responsible) and fold(organisation) == responsible,
                "people": [
                    {"name": name, "responsible": bool(name) and name == home.responsible_name}
                    for name in names
                ],
            }
            for organisation, names in groups.items()
        ],
        "contacts": [
            {"name": c.name, "organisation": localised(c.organisation, language), "email": c.email}
            for c in home.contacts
        ],
        "organisations": [
            {
                "kind": kind,
                "names": [localised(name, language) for k, name in home.organisations if k == kind],
            }
            for kind in KINDS
            if any(k == kind for k, _ in home.organisations)
        ],
        "controller": localised(home.controller, language),
        "controller_address": localised(home.controller_address, language),
        "controller_contact": home.controller_contact,
        "dpo": home.dpo,
        "legal_basis": home.legal_basis,
        "privacy_contact": home.privacy_contact,
        "retention_days": home.retention_days,
        "accessibility_feedback": home.accessibility_feedback,
        "accessibility_assessed": assessed,
        "accessibility_assessed_by": localised(home.accessibility_assessed_by, language),
    }


def _rules(env: Environment, language: str, version: str) -> Markup:
    """The goals and rules as the join mail has them, from the same template, as HTML."""
    source = env.get_template(f"{language}/_rules.md").render(rules_version=version)
    return Markup(nh3.clean(markdown.markdown(source), url_schemes=URL_SCHEMES))


def _followup(item: PublicFollowup, meetings: dict[str, Context], language: str) -> Context:
    # The item in the page's language where the summary was written in it too.
    text, owner, written = next(
        ((t, o, w) for lang, t, o, w in item.versions if lang == language),
        (item.text, item.owner, item.language),
    )
    return {
        "number": item.number,
        "anchor": f"item-{item.number}",
        "text": text,
        # Marked on pages in another language (WCAG 3.1.2): the item is in its summary's language.
        "lang": written if written and written != language else "",
        "owner": owner,
        "status": item.status,
        "note": item.note,
        "initiative": item.initiative,
        "meeting_code": item.meeting,
        "meeting": meetings.get(item.meeting),
        "updated": _date(item.updated_at, language) if item.updated_at else None,
    }


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    # Atom requires an offset; the store writes UTC when it writes none.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _date(value: str, language: str) -> Context:
    """{"text", "iso"} for a <time> element; a value we cannot read is shown as written."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return {"text": value, "iso": ""}
    return {"text": short_date(moment, language), "iso": value}


def _latest(items: list[Context], default: datetime) -> datetime:
    """When a meeting's follow-up items last changed (the meeting's start when none says)."""
    moments = [_moment(i["updated"]["iso"]) for i in items if i["updated"] and i["updated"]["iso"]]
    return max(moments, default=default)


def _atom(
    data: SiteData,
    language: str,
    domain: str,
    base: str,
    entries: list[tuple[Context, PublicSummary]],
    text: Callable[..., str],
    name: str = "",
    followed: Iterable[tuple[Context, list[Context], str]] = (),
) -> bytes:
    """Atom 1.0 (RFC 4287) of the summaries. Ids use tag: URIs (RFC 4151) so that they stay the
    same when the site moves; the year is the meeting's, fixed once the meeting has been held."""
    first_year = min((m.start.year for m in data.meetings), default=data.now.year)
    # Plain tag names under an xmlns attribute: the default namespace without ET's global
    # register_namespace, and ET's default_namespace= rejects unqualified attributes (href, rel).
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: language})

    def add(parent: ET.Element, tag: str, value: str = "", **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = value or None
        return element

    # The default language's feed keeps the id it always had; another language's is its own.
    suffix = f"-{name}" if name else ""
    add(feed, "id", f"tag:{domain},{first_year}:summaries{suffix}")
    add(feed, "title", text("feed_title.txt"))
    stamps = [_moment(s.published_at) for _, s in entries]
    dated = [(m, content, _latest(items, _moment(m["start_iso"]))) for m, items, content in followed]
    add(feed, "updated", max([*stamps, *(latest for _, _, latest in dated)], default=data.now).isoformat())
    add(add(feed, "author"), "name", localised(data.network_name, language))
    add(feed, "link", rel="alternate", type="text/html", href=base or "index.html")
    if base:
        add(feed, "link", rel="self", type="application/atom+xml", href=base + "feed.xml")
    ordered = sorted(zip(entries, stamps, strict=True), key=lambda pair: pair[1], reverse=True)
    for (meeting, summary), stamp in ordered:
        entry = add(feed, "entry")
        add(entry, "id", f"tag:{domain},{meeting['start_iso'][:4]}:summary-{meeting['code']}{suffix}")
        add(entry, "title", " ".join(text("feed_entry_title.txt", meeting=meeting).split()))
        add(entry, "updated", stamp.isoformat())
        add(entry, "link", rel="alternate", type="text/html", href=base + meeting["href"])
        content = add(entry, "content", str(meeting["summary"]["html"]), type="html")
        if summary.language != language:
            content.set(XML_LANG, summary.language)
    for meeting, content_html, latest in dated:
        entry = add(feed, "entry")
        add(entry, "id", f"tag:{domain},{meeting['start_iso'][:4]}:followups-{meeting['code']}{suffix}")
        add(entry, "title", " ".join(text("feed_followups_title.txt", meeting=meeting).split()))
        add(entry, "updated", latest.isoformat())
        add(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{base}followups.html#followups-{meeting['code']}",
        )
        add(entry, "content", content_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
