"""One mail to the coordinator by a second route when the usual one is what fails.

A refused login to the mailbox or a refused sender at the SMTP server stops the service silently:
the outbox cannot carry the news, since it is the thing that is paused. When `[alerts]` names a
second route (e.g. the organisation's internal relay, or a Maildir a monitor watches), the
coordinator gets one mail per outage through it; `status` says the same (exit 1) either way.
"""

from __future__ import annotations

import logging
from datetime import datetime

from automation.app import App
from automation.config import AlertSettings, Settings
from automation.errors import AutomationError
from automation.render.emails import Outgoing, build_message
from automation.render.formatting import clock, short_date
from automation.store import pauses
from automation.store.pauses import MAILBOX_LOGIN, Pause
from automation.transports.base import Transport
from automation.transports.maildir import MaildirTransport

log = logging.getLogger(__name__)


def alert_once(app: App, pause: Pause, now: datetime) -> str:
    """Tell the coordinator of `pause` unless already told; returns a line for the pass report
    ("" when there is nothing to do). A failed alert is tried again at the next refusal."""
    settings = app.settings
    route, recipient = settings.alerts, _recipient(settings)
    if route is None or not recipient or pause.alerted_at:
        return ""
    try:
        message = _message(settings, pause, recipient, app.domain, now)
        with _transport(settings, route).open() as session:
            session.send(message, settings.network.address, recipient)
    except (AutomationError, OSError) as exc:
        log.error("alerts: could not tell the coordinator by the [alerts] route: %s", exc)
        return f"could not alert {recipient} by the [alerts] route: {exc}"
    with app.store.db.conn:
        pauses.alerted(app.store, pause.name, now)
    return f"the coordinator ({recipient}) was told by the [alerts] route"


def _recipient(settings: Settings) -> str:
    route = settings.alerts
    return str((route.to if route else None) or settings.network.coordinator or "")


def _transport(settings: Settings, route: AlertSettings) -> Transport:
    if route.kind == "maildir":
        return MaildirTransport(settings.path(route.path))
    from automation.app import smtp_transport  # app builds on this module's callers

    return smtp_transport(settings, label="alerts")  # a password, or tokens as [sending] does


def _message(settings: Settings, pause: Pause, recipient: str, domain: str, now: datetime) -> bytes:
    network, language = settings.network, settings.network.default_language
    zone = network.zone

    def local(stamp: str) -> str:
        moment = datetime.fromisoformat(stamp).astimezone(zone)
        return f"{short_date(moment, language)} {clock(moment, language)}"

    # One Message-ID per outage: a resend after a crash is the same message, not a second one.
    since_key = "".join(ch for ch in pause.since if ch.isdigit())
    outgoing = Outgoing(
        message_id=f"alert-{pause.name}-{since_key}@{domain}",
        template="service_alert",
        language=language,
        recipient=recipient,
        name="",
        sender=network.address,
        sender_name=network.name_in(language),
        reply_to="",
        in_reply_to="",
        auto_submitted="auto-generated",
        unsubscribe="",
        date=now,
        context={
            "network": {
                "name": network.name_in(language),
                "address": network.address,
                "coordinator": recipient,
            },
            "meeting": None,
            "side": "mailbox" if pause.name == MAILBOX_LOGIN else "sending",
            "reason": pause.reason,
            "since": local(pause.since),
            "next_attempt": local(pause.next_attempt_at),
        },
    )
    return build_message(outgoing, settings.path(settings.templates.directory))
