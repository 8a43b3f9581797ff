"""Claim → render → send → record. Every mail exists as a durable row before it is sent.

A row is claimed with a conditional UPDATE (pending → sending) and sent only if exactly that
row changed. A crash after the server accepted but before we recorded it leaves the row in
`sending`; at start-up such rows go back to pending and are sent again with the same
deterministic Message-ID, so a duplicate is recognisable and never has a different identity.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from jinja2 import TemplateError

from automation.config import Settings
from automation.errors import AutomationError, ConnectionLost, PermanentError, SessionRefused, TransientError
from automation.expiry import expired
from automation.model import ERASED_PURPOSE, SHOWN, SendMail

# Rendering a row and the sending lease live in their own modules; their names stay importable
# from here (the daemon, the CLI and the tests import them as automation.outbox.X).
from automation.outbox_context import coordinator_at as coordinator_at
from automation.outbox_context import initiative_context as initiative_context
from automation.outbox_context import outgoing
from automation.outbox_context import privacy_url as privacy_url
from automation.outbox_lease import LEASE_SECONDS as LEASE_SECONDS
from automation.outbox_lease import acquire_sending as acquire_sending
from automation.outbox_lease import holder_id as holder_id
from automation.outbox_lease import recover_interrupted as recover_interrupted
from automation.outbox_lease import release_sending as release_sending
from automation.render.emails import build_message
from automation.store import pauses
from automation.store.db import Store, iso
from automation.store.privacy import ERASED_ADDRESS, without_address
from automation.transports.base import Transport

log = logging.getLogger(__name__)


@dataclass
class FlushReport:
    # The first SHOWN mails sent (recipient, template, language), for the run summary; all are
    # counted. Sending 40,000 queued answers must not hold 40,000 outbox rows in memory.
    sent: list[dict[str, str]] = field(default_factory=list)
    sent_count: int = 0
    by_template: Counter[str] = field(default_factory=Counter)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    finished: int = 0  # rows that left the queue (sent, failed or skipped)
    paused: str = ""  # why sending waits: the server refused the session or our sender
    unreachable: bool = False  # the connection did not open: no use trying the next batch now

    def note_sent(self, row: dict[str, Any]) -> None:
        self.sent_count += 1
        self.by_template[row["template"]] += 1
        if len(self.sent) < SHOWN:
            recipient, _ = reported(row)
            self.sent.append(
                {"recipient": recipient, "template": row["template"], "language": row["language"]}
            )

    def absorb(self, other: FlushReport) -> None:
        """Another batch's sent, retrying and failed mail, added to this report's."""
        self.sent += other.sent[: max(0, SHOWN - len(self.sent))]
        self.sent_count += other.sent_count
        self.by_template += other.by_template
        self.retrying += other.retrying
        self.failed += other.failed


def reported(row: dict[str, Any], error: str = "") -> tuple[str, str]:
    """(recipient, error) as the run summary and the log may name them: an erased person's last
    mail ("your data is erased") names nobody, nor does the server's answer quoting them."""
    if row["purpose"] != ERASED_PURPOSE:
        return row["recipient"], error
    return ERASED_ADDRESS, without_address(error, row["recipient"])


def due_rows(store: Store, now: datetime, limit: int) -> list[dict[str, Any]]:
    return list(
        store.db.query(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
            [iso(now), limit],
        )
    )


Progress = Callable[[int, int], None]


def flush_all(
    store: Store, transport: Transport, settings: Settings, now: datetime, progress: Progress | None = None
) -> FlushReport:
    """Send everything that is due, batch after batch (one connection each), and log a summary."""
    pause = pauses.current(store, SENDING)
    if pause is not None and pause.waiting(now):
        # Refused before: do not knock again before the backoff says (a locked-out account).
        note = f"sending paused: {pause.reason}; next attempt at {pause.next_attempt_at}"
        return FlushReport(retrying=[note], paused=pause.reason)
    total = store.db.execute(
        "SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?", [iso(now)]
    ).fetchone()[0]
    report = FlushReport()
    started = time.monotonic()
    while True:
        batch = flush(store, transport, settings, now, progress=progress, done=report.sent_count, total=total)
        report.absorb(batch)
        report.paused = batch.paused
        report.unreachable = batch.unreachable
        if not batch.finished or batch.paused or batch.unreachable:
            break  # nothing left, or only messages waiting for a retry
    if report.sent_count or report.failed:
        log.info(
            "outbox: sent %d message(s) in %.1f s; %d to retry, %d failed",
            report.sent_count,
            time.monotonic() - started,
            len(report.retrying),
            len(report.failed),
        )
    return report


def flush(
    store: Store,
    transport: Transport,
    settings: Settings,
    now: datetime,
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
) -> FlushReport:
    """One batch over one connection; each message is recorded as sent before the next is sent.
    What every mail of the batch shares (undeliverable addresses, initiatives, the rendered
    parts of a mass mailing) is read or rendered once for the batch."""
    report = FlushReport()
    rows = due_rows(store, now, settings.sending.batch_size)
    if not rows:
        return report

    undeliverable = store.undeliverable([row["recipient"] for row in rows])
    # Invitations and deadline reminders are queued by the lifecycle step before the pass reads
    # its mail: someone who left the list meanwhile must not get them.
    left = store.unsubscribed([row["recipient"] for row in rows if row["purpose"] in _TO_MEMBERS])
    memo: dict[Any, Any] = {}  # what the mails of this batch share: initiatives, rendered parts

    def record(row: dict[str, Any], error: AutomationError | ValueError | None) -> bool:
        """Note how the message went; False when the connection is gone."""
        if error is None:
            store.db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, error = '' WHERE id = ?",
                [iso(now), row["id"]],
            )
            store.forget_last_mail(row)
            report.note_sent(row)
            report.finished += 1
            if progress is not None:
                progress(done + report.sent_count, max(total, done + report.sent_count))
            return True
        if isinstance(error, ConnectionLost):
            _retry(store, row, now, settings, str(error), report)
            return False  # the server went away: the rest stay pending for the next pass
        if isinstance(error, TransientError):
            _retry(store, row, now, settings, str(error), report)
        else:
            _fail(store, row, str(error), report)
            _tell_coordinator(store, settings, row, str(error), now)
        return True

    try:
        with transport.open() as session:
            for row in rows:
                skip = _skip_reason(row, undeliverable, left)
                message = _prepare(store, settings, now, row, report, skip, memo)
                if message is None:
                    continue
                try:
                    session.send(message, settings.network.address, row["recipient"])
                except SessionRefused:
                    _unclaim(store, row)
                    raise
                except (TransientError, PermanentError, ValueError) as exc:
                    if not record(row, exc):
                        break
                else:
                    record(row, None)
        if pauses.resumed(store, SENDING):
            log.info("outbox: the SMTP server accepts again; sending resumed")
    except SessionRefused as exc:
        _pause(store, str(exc), now, report)
    except TransientError as exc:
        log.warning("outbox: %s; %d message(s) wait for the next attempt", exc, len(rows))
        report.retrying.append(str(exc))
        report.unreachable = True
        _give_up_unreachable(store, settings, rows, now, str(exc), report)
    return report


def _give_up_unreachable(
    store: Store,
    settings: Settings,
    rows: list[dict[str, Any]],
    now: datetime,
    error: str,
    report: FlushReport,
) -> None:
    """max_retry_hours holds when the server never answers too, not only after a 4xx reply; a
    row that expired meanwhile is dropped as pointless instead."""
    limit = timedelta(hours=settings.sending.max_retry_hours)
    given_up: list[dict[str, Any]] = []
    for row in rows:
        if row["status"] != "pending" or now - datetime.fromisoformat(row["created_at"]) <= limit:
            continue
        if not _claim(store, row["id"]):
            continue
        pointless = expired(row["purpose"], row["meeting"] or "", settings, now)
        if pointless:
            store.db.execute(
                "UPDATE outbox SET status = 'expired', error = ? WHERE id = ?", [pointless, row["id"]]
            )
            report.finished += 1
            continue
        _fail(store, row, f"gave up after {settings.sending.max_retry_hours:g} h: {error}", report)
        given_up.append(row)
    # One notice for all of them, not one per message: the server is the problem. (None about
    # notices to the coordinator themselves.)
    told = [
        r
        for r in given_up
        if r["purpose"] != "undeliverable" and r["recipient"] != settings.network.coordinator
    ]
    if told:
        _tell_coordinator(store, settings, told[0], error, now, [r["recipient"] for r in told])


SENDING = "smtp"  # the name of the sending side's pause


def _pause(store: Store, reason: str, now: datetime, report: FlushReport) -> None:
    """No message is at fault: all stay pending, and the next attempt waits with backoff."""
    pause = pauses.refused(store, SENDING, reason, now)
    report.paused = reason
    report.retrying.append(f"sending paused: {reason}; next attempt at {pause.next_attempt_at}")
    log.error("outbox: sending paused (refusal %d in a row): %s", pause.failures, reason)


def _unclaim(store: Store, row: dict[str, Any]) -> None:
    """The session was refused while this row was claimed: it is due again, as if untried."""
    store.db.execute(
        "UPDATE outbox SET status = 'pending', attempts = attempts - 1 WHERE id = ? AND status = 'sending'",
        [row["id"]],
    )


_TO_MEMBERS = ("invite", "deadline-reminder")  # mail only those on the contact list get


def _skip_reason(row: dict[str, Any], undeliverable: set[str], left: set[str]) -> str:
    if row["recipient"] in undeliverable:
        return "address undeliverable (bounces)"
    if row["purpose"] in _TO_MEMBERS and row["recipient"] in left:
        return "unsubscribed after it was queued"
    return ""


def _prepare(
    store: Store,
    settings: Settings,
    now: datetime,
    row: dict[str, Any],
    report: FlushReport,
    skip: str,
    memo: dict[Any, Any],
) -> bytes | None:
    """Claim the row and render it; None when it is not to be sent now (and why is recorded)."""
    if not _claim(store, row["id"]):
        return None
    if skip:
        # The address bounced past the threshold, or its owner left the list: no more mail.
        store.db.execute("UPDATE outbox SET status = 'skipped', error = ? WHERE id = ?", [skip, row["id"]])
        report.finished += 1
        return None
    pointless = expired(row["purpose"], row["meeting"] or "", settings, now)
    if pointless:
        # Sending it now would mislead ("register by 22.2." in March): dropped, shown in status.
        store.db.execute(
            "UPDATE outbox SET status = 'expired', error = ? WHERE id = ?", [pointless, row["id"]]
        )
        log.warning("outbox: message %s to %s dropped: %s", row["message_id"], row["recipient"], pointless)
        report.finished += 1
        return None
    try:
        out = outgoing(row, settings, now, store, memo)
        return build_message(out, settings.path(settings.templates.directory), memo)
    except TemplateError as exc:
        # A broken template edit: the message waits (with the error shown by `automation
        # status`) until the coordinator fixes the template.
        _retry(store, row, now, settings, f"template problem: {getattr(exc, 'located', exc)}", report)
    except (PermanentError, ValueError) as exc:
        _fail(store, row, str(exc), report)
        _tell_coordinator(store, settings, row, str(exc), now)
    return None


def _claim(store: Store, row_id: int) -> bool:
    cursor = store.db.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
        [row_id],
    )
    return cursor.rowcount == 1


def _retry(
    store: Store,
    row: dict[str, Any],
    now: datetime,
    settings: Settings,
    error: str,
    report: FlushReport,
) -> None:
    created = datetime.fromisoformat(row["created_at"])
    if now - created > timedelta(hours=settings.sending.max_retry_hours):
        _fail(store, row, f"gave up after {settings.sending.max_retry_hours:g} h: {error}", report)
        _tell_coordinator(store, settings, row, error, now)
        return
    attempts = int(row["attempts"]) + 1
    delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
    store.db.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, error = ? WHERE id = ?",
        [iso(now + delay), error, row["id"]],
    )
    recipient, error = reported(row, error)
    report.retrying.append(f"{recipient}: {error}")


def _tell_coordinator(
    store: Store,
    settings: Settings,
    row: dict[str, Any],
    error: str,
    now: datetime,
    addresses: list[str] | None = None,
) -> None:
    """A message refused for good: the coordinator hears of it by mail, once per address and
    reason (every later invitation and reminder to a dead address is refused the same way; the
    notice's Message-ID comes from the address and the reason, so queuing it again is a no-op)."""
    coordinator = settings.network.coordinator
    if not coordinator or row["purpose"] == "undeliverable" or row["recipient"] == coordinator:
        return
    if row["purpose"] == ERASED_PURPOSE:
        return  # "your data is erased" did not arrive: a notice could only name whom, and must not
    revision = row["message_id"] if addresses else f"{row['recipient'].lower()} {error[:200]}"
    store.enqueue(
        SendMail(
            template="undeliverable",
            recipient=coordinator,
            name="",
            language=settings.network.default_language,
            purpose="undeliverable",
            meeting=None,
            revision=revision,
            auto_submitted="auto-generated",
            reply_token=False,
            context={"addresses": addresses or [row["recipient"]], "reason": error[:200]},
        ),
        now,
        settings.network.address.partition("@")[2],
    )


def _fail(store: Store, row: dict[str, Any], error: str, report: FlushReport) -> None:
    store.db.execute("UPDATE outbox SET status = 'failed', error = ? WHERE id = ?", [error, row["id"]])
    store.forget_last_mail(row)
    recipient, error = reported(row, error)
    report.failed.append(f"{recipient} ({row['template']}): {error}")
    report.finished += 1
    log.error("outbox: message %s to %s failed permanently: %s", row["message_id"], recipient, error)
