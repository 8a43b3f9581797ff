"""The daemon: `schedule` ticks poll / lifecycle / outbox; IMAP IDLE wakes it for new mail.

`run_once` is one full pass (contacts, lifecycle jobs, poll, flush) and is what `--once` and the
tests use. `run_forever` stops cleanly on SIGTERM/SIGINT after the step in progress.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType

import schedule

from automation import config as config_module
from automation.alerts import alert_once
from automation.app import App
from automation.errors import ConfigError, TransientError
from automation.inbox.base import LoginRefused, MailSource, SourceUnavailable
from automation.jobs import lifecycle
from automation.outbox import (
    SENDING,
    FlushReport,
    Progress,
    acquire_sending,
    flush_all,
    holder_id,
    recover_interrupted,
    release_sending,
)
from automation.publish import publish_if_changed
from automation.render.sample import sample_variants
from automation.render.template_check import check_templates
from automation.service import Outcomes, first_start, poll, sync_contacts
from automation.store import pauses
from automation.store.pauses import MAILBOX_LOGIN
from automation.transports.base import Transport

log = logging.getLogger(__name__)
_MAX_BACKOFF = 300.0
_WAIT_SLICE = 5.0  # longest uninterrupted wait, so a stop request is honoured quickly


@dataclass
class PassReport:
    contacts_changed: int = 0
    lifecycle: list[str] = field(default_factory=list)
    outcomes: Outcomes = field(default_factory=Outcomes)
    flushed: FlushReport = field(default_factory=FlushReport)
    source_error: str = ""
    left_older: int = 0  # first start: older mail left in place, not acted on
    mailbox_unreachable: bool = False  # `run --once` exits 1: a monitor must see it


class Daemon:
    def __init__(self, app: App, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock
        self.source: MailSource = app.source()
        self.transport: Transport = app.transport()
        self.stopping = False
        self.progress: Progress | None = None
        self.backoff = 0.0
        self.retry_at = 0.0
        # A pass that could not finish (locked database, lost server): its mail may already be
        # past the point IDLE announces, so it is retried on its own, not when IDLE wakes us.
        self.poll_owed = False
        self.stamp = self._stamp()
        self.holder = holder_id()

    # ---- steps ---------------------------------------------------------------------------------

    def poll_step(self, report: PassReport) -> None:
        if time.monotonic() < self.retry_at:
            self.poll_owed = True
            return
        if self._login_paused(report):
            return
        try:
            report.left_older += first_start(self.app, self.source, self.clock())
            poll(self.app, self.source, self.clock(), report.outcomes)
            self.backoff = 0.0
            self.poll_owed = False
            if self.source.name == "imap":
                with self.app.store.db.conn:
                    if pauses.resumed(self.app.store, MAILBOX_LOGIN):
                        log.warning("mail source: login accepted again; reading resumes")
        except LoginRefused as exc:
            # Durable, so a `run --once` from cron every minute or a restarted daemon keeps the
            # same wait: a few refused logins a minute lock a directory account.
            self.poll_owed = True
            self.source.close()
            with self.app.store.db.conn:
                pause = pauses.refused(self.app.store, MAILBOX_LOGIN, str(exc), self.clock())
            report.mailbox_unreachable = True
            report.source_error = f"{exc} (next attempt at {pause.next_attempt_at})"
            log.error("mail source: login refused (%d in a row): %s", pause.failures, exc)
            told = alert_once(self.app, pause, self.clock())
            if told:
                report.source_error += f"; {told}"
        except TransientError as exc:
            self.poll_owed = True
            # Reconnect later with exponential backoff; nothing was marked handled unless committed.
            self._back_off()
            self.source.close()
            report.mailbox_unreachable = isinstance(exc, SourceUnavailable)
            report.source_error = f"{exc} (retrying in {self.backoff:.0f} s)"
            log.warning("mail source: %s", report.source_error)

    def _login_paused(self, report: PassReport) -> bool:
        pause = pauses.current(self.app.store, MAILBOX_LOGIN)
        if pause is None or not pause.waiting(self.clock()):
            return False
        self.poll_owed = True
        report.mailbox_unreachable = True
        report.source_error = f"reading paused: {pause.reason}; next attempt at {pause.next_attempt_at}"
        return True

    def _back_off(self) -> None:
        self.backoff = min(max(self.backoff * 2, 1.0), _MAX_BACKOFF)
        self.retry_at = time.monotonic() + self.backoff

    def lifecycle_step(self, report: PassReport) -> None:
        now = self.clock()
        try:
            report.contacts_changed += sync_contacts(self.app, now)
            report.lifecycle.extend(lifecycle(self.app, now))
            if self.app.settings.publish.automatic:
                report.lifecycle.extend(publish_if_changed(self.app, now))
        except sqlite3.OperationalError as exc:
            raise TransientError(f"database unavailable, schedule waits: {exc}") from exc

    def flush_step(self, report: PassReport) -> None:
        try:
            if not acquire_sending(self.app.store, self.holder):
                report.flushed.retrying.append("another process is sending; its mail goes out from there")
                return
            # We hold the lease, so nothing is in flight: rows in `sending` were left by a crash
            # or a failed record after the server accepted; they go again, same Message-ID.
            recover_interrupted(self.app.store)
            result = flush_all(self.app.store, self.transport, self.app.settings, self.clock(), self.progress)
        except sqlite3.OperationalError as exc:
            raise TransientError(f"database unavailable, outbox waits: {exc}") from exc
        report.flushed.absorb(result)
        report.flushed.unreachable = report.flushed.unreachable or result.unreachable
        report.flushed.paused = report.flushed.paused or result.paused
        if result.paused:
            pause = pauses.current(self.app.store, SENDING)
            told = alert_once(self.app, pause, self.clock()) if pause else ""
            if told:
                report.flushed.retrying.append(told)

    def reload_if_changed(self) -> bool:
        """Config and templates are re-read when their files change; a broken edit is reported
        and the previous good configuration keeps running."""
        stamp = self._stamp()
        if stamp == self.stamp:
            return False
        self.stamp = stamp
        settings = self.app.settings
        try:
            fresh = config_module.load(settings.source)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("config not reloaded, the previous one keeps running: %s", problem)
            return False
        problems = check_templates(
            fresh.path(fresh.templates.directory), list(fresh.network.languages), sample_variants(fresh)
        )
        for problem in problems:
            log.error("template problem (messages using it wait until it is fixed): %s", problem)
        servers_changed = (fresh.mailbox, fresh.sending) != (settings.mailbox, settings.sending)
        self.app.settings = fresh
        if servers_changed:
            self.source.close()
            self.source = self.app.source()
            self.transport = self.app.transport()
        log.info("configuration reloaded from %s", fresh.source)
        return True

    def _stamp(self) -> tuple[float, ...]:
        settings = self.app.settings
        files = [settings.source, settings.path(settings.contacts.file)]
        directory = settings.path(settings.templates.directory)
        files += sorted(directory.rglob("*")) if directory.exists() else []
        return tuple(path.stat().st_mtime if path.exists() else 0.0 for path in files)

    def run_once(self) -> PassReport:
        report = PassReport()
        for step in (self.lifecycle_step, self.poll_step, self.flush_step):
            try:
                step(report)
            except TransientError as exc:
                report.source_error = str(exc)
                log.warning("%s: %s", step.__name__, exc)
        return report

    # ---- loop ------------------------------------------------------------------------------------

    def run_forever(self) -> None:
        settings = self.app.settings
        jobs = schedule.Scheduler()
        jobs.every(max(1, round(settings.mailbox.poll_seconds))).seconds.do(self._scheduled_poll)
        jobs.every(max(1, round(settings.schedule.lifecycle_seconds))).seconds.do(
            self._logged, self.lifecycle_step
        )
        jobs.every(max(1, round(settings.schedule.outbox_seconds))).seconds.do(self._logged, self.flush_step)
        jobs.every(2).seconds.do(self.reload_if_changed)
        self._install_signals()
        self._logged(self.lifecycle_step)
        self._react()
        log.info("ready: first pass done; watching %s", self.source.name)
        while not self.stopping:
            jobs.run_pending()
            if self._retry_due():
                self._react()
                continue
            timeout = self._wait_timeout(jobs.idle_seconds)
            if self.poll_owed and time.monotonic() < self.retry_at:
                # Backing off after a failed connection: waiting would connect again at once
                # (a refused token, a server that is down), so only the owed poll retries.
                time.sleep(timeout)
                continue
            try:
                if self.source.wait(timeout):
                    self._react()
            except TransientError as exc:
                log.warning("mail source: %s", exc)
                self.source.close()
                self.poll_owed = True
                self._back_off()
        self.source.close()
        release_sending(self.app.store, self.holder)
        log.info("stopped")

    def _scheduled_poll(self) -> None:
        """The poll on schedule is for sources that do not announce mail: an open IDLE does,
        and ending it for a poll every poll_seconds is what RFC 2177 asks clients not to do.
        The IDLE's renewal (every 25 minutes) is its safety poll."""
        if not self.source.watching():
            self._logged(self.poll_step)

    def _retry_due(self) -> bool:
        return self.poll_owed and time.monotonic() >= self.retry_at

    def _wait_timeout(self, idle: float | None) -> float:
        """Up to the next due job (or a failed pass's retry), at most _WAIT_SLICE. The wait
        returns without DONE when it times out, so due jobs run while the IDLE stays open."""
        timeout = min(_WAIT_SLICE, idle if idle is not None else _WAIT_SLICE)
        if self.poll_owed:
            timeout = min(timeout, self.retry_at - time.monotonic())
        return max(0.05, timeout)

    def _react(self) -> None:
        """New mail: handle it and send the answers right away (answer within seconds)."""
        report = PassReport()
        self.poll_step(report)
        if report.outcomes:
            try:
                self.flush_step(report)
            except TransientError as exc:
                log.warning("flush_step: %s", exc)

    def _logged(self, step: Callable[[PassReport], None]) -> None:
        report = PassReport()
        try:
            step(report)
        except TransientError as exc:
            log.warning("%s: %s", step.__name__, exc)
        for line in report.lifecycle:
            log.info(line)
        if report.flushed.sent_count:
            log.info("sent %d message(s)", report.flushed.sent_count)

    def _install_signals(self) -> None:
        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("signal %d: stopping after the current step", signum)
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
