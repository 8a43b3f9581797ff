"""What the coordinator reads on the terminal: one pass, and the state of things."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import click

from automation.app import App
from automation.i18n import _, n_, status_name
from automation.model import SHOWN, Status

if TYPE_CHECKING:
    from automation.daemon import Daemon, PassReport


def print_pass(report: PassReport, app: App, daemon: Daemon) -> None:
    """What one pass did, framed in the coordinator's language; each message's own summary is
    the workflows' English line, as it is in the log."""
    echo = click.echo
    if report.contacts_changed:
        echo(
            _("Contacts: {count} added or changed from {path}").format(
                count=report.contacts_changed, path=app.contacts_file()
            )
        )
    for line in report.lifecycle:
        echo(_("Schedule: {line}").format(line=line))
    outcomes = report.outcomes
    new = [o for o in outcomes.shown if not o.duplicate]
    count = outcomes.new.total()
    mailbox = n_(
        "Mailbox: {mailbox}: {count} new message(s)", "Mailbox: {mailbox}: {count} new message(s)", count
    )
    echo(mailbox.format(mailbox=daemon.source.describe(), count=count))
    if report.source_error:
        echo(_("  mailbox unavailable: {error}").format(error=report.source_error))
    if report.left_older:
        echo(
            _(
                "  first start: {count} older message(s) left untouched in place"
                " (set [mailbox] since = DATE to act on older mail)"
            ).format(count=report.left_older)
        )
    flag, anonymous = _("ATTENTION") + " ", _("(no sender)")
    for outcome in new:
        marked = flag if outcome.attention else ""
        summary = outcome.summary.removeprefix(outcome.sender).strip()
        echo(f"  {marked}{outcome.kind:<13} {outcome.sender or anonymous} {summary}")
    if len(new) < count:
        echo(_more(outcomes.new - Counter(o.kind for o in new), outcomes.attention))
    flushed = report.flushed
    by_template = ", ".join(f"{n} {name}" for name, n in sorted(flushed.by_template.items()))
    echo(
        _("Outbox: {count} sent to {transport}").format(
            count=flushed.sent_count, transport=daemon.transport.describe()
        )
        + (f" ({by_template})" if flushed.sent_count else "")
    )
    for row in flushed.sent:
        echo(f"  → {row['recipient']}: {row['template']} [{row['language']}]")
    if len(flushed.sent) < flushed.sent_count:
        echo(_("  … and {count} more").format(count=flushed.sent_count - len(flushed.sent)))
    retrying, failed = report.flushed.retrying, report.flushed.failed
    for lines, each, rest in (
        (retrying, _("  will retry: {line}"), _("  … and {count} more will retry")),
        (failed, _("  FAILED: {line}"), _("  … and {count} more failed")),
    ):
        for line in lines[:SHOWN]:
            echo(each.format(line=line))
        if len(lines) > SHOWN:
            echo(rest.format(count=len(lines) - SHOWN))
    if not outcomes.new and not flushed.sent_count:
        echo(_("Nothing new: nothing was changed and nothing sent."))


def _more(kinds: Counter[str], attention: int) -> str:
    by_kind = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
    return _(
        "  … and {count} more: {by_kind}. {attention} of this pass's messages wait for you in"
        " `automation attention`; `automation -v run --once` logs every one."
    ).format(count=kinds.total(), by_kind=by_kind, attention=attention)


def print_status(app: App, now: datetime) -> bool:
    """Print the state; False when something is stuck (for monitors: exit status 1)."""
    echo = click.echo
    store = app.store
    contacts = store.active_contacts()
    echo(_("Contacts: {count} receiving invitations").format(count=len(contacts)))
    for meeting in app.settings.meeting_objects():
        counts = {s: store.count(meeting.code, s) for s in Status}
        answered = {r.email for r in store.registrations(meeting.code)}
        not_answered = sum(1 for c in contacts if c.email not in answered)
        state = (
            _("registration cancelled")
            if meeting.cancelled
            else (
                _("registration open")
                if now <= meeting.registration_deadline
                else _("registration closed")
                if now < meeting.start
                else _("registration past")
            )
        )
        capacity = f"/{meeting.capacity}" if meeting.capacity else ""
        figures = [
            f"{status_name(str(s))} {counts[s]}{capacity if s == Status.REGISTERED else ''}"
            for s in (Status.REGISTERED, Status.WAITING, Status.TENTATIVE, Status.CANCELLED, Status.DECLINED)
        ]
        figures.append(f"{status_name('not answered')} {not_answered}")
        echo(
            _("Meeting {code} ({start}, {state}):").format(
                code=meeting.code, start=f"{meeting.start:%d.%m.%Y %H:%M}", state=state
            )
            + " "
            + ", ".join(figures)
        )
    for meeting in app.settings.all_meetings():
        if meeting.draft:
            echo(
                _(
                    "Meeting {code} ({start}): draft, no mail and no calendar invitation until it is"
                    " published (remove draft = true)"
                ).format(code=meeting.code, start=f"{meeting.start:%d.%m.%Y %H:%M}")
            )
    _print_privacy(app)
    versions = store.rules_versions()
    current = app.settings.rules.version
    accepted = ", ".join(f"{v or 'not accepted'}: {n}" for v, n in sorted(versions.items()))
    echo(_("Rules (current version {version}):").format(version=current) + f" {accepted or _('no contacts')}")
    rows = store.db.execute("SELECT status, COUNT(*), MIN(created_at) FROM outbox GROUP BY status").fetchall()
    queue = {str(r[0]): (int(r[1]), str(r[2])) for r in rows}
    # Mail "in flight" (claimed, not recorded as sent) counts as waiting: a crash leaves it so.
    pending = queue.get("pending", (0, ""))[0] + queue.get("sending", (0, ""))[0]
    oldest = min((queue[s][1] for s in ("pending", "sending") if s in queue), default="")
    failed = queue.get("failed", (0, ""))[0]
    expired = queue.get("expired", (0, ""))[0]
    dropped = f", {expired} expired" if expired else ""
    sent = queue.get("sent", (0, ""))[0]
    echo(
        _("Outbox: {sent} sent, {pending} waiting, {failed} failed").format(
            sent=sent, pending=pending, failed=failed
        )
        + dropped
    )
    if failed:
        echo("  " + _("act: see why below; once fixed, automation outbox retry"))
    stuck = bool(pending) and _older_than_hour(oldest, now)
    for row in store.db.query("SELECT recipient, template, error FROM outbox WHERE status = 'failed'"):
        echo(_("  failed: {recipient} ({template}): {error}").format(**row))
    for row in store.db.query("SELECT recipient, template, error FROM outbox WHERE status = 'expired'"):
        echo(_("  expired: {recipient} ({template}): {error}").format(**row))
    attention = store.attention_messages()
    echo(
        _("Needs attention: {count} message(s)").format(count=len(attention))
        + " "
        + (
            _("(act: automation attention, then attention resolve N)")
            if attention
            else _("(nothing for you to do)")
        )
    )
    for row in attention:
        echo(
            f"  {row['received_at']} {row['sender'] or '(no sender)'} “{row['subject']}”:"
            f" {row['reason'].splitlines()[0]}"
        )
    if stuck:
        echo(_("STUCK: mail has been waiting for more than an hour; check [sending]"))
    paused = _print_pause(app)
    return not (stuck or paused)


def _print_pause(app: App) -> bool:
    """A refused login, session or sender: no mail is read or sent until it is fixed (True: exit 1)."""
    from automation.outbox import SENDING
    from automation.store import pauses

    paused = False
    for name, label in ((pauses.MAILBOX_LOGIN, "MAILBOX LOGIN PAUSED"), (SENDING, "SENDING PAUSED")):
        pause = pauses.current(app.store, name)
        if pause is None:
            continue
        paused = True
        click.echo(
            f"{label} since {pause.since} ({pause.failures} refusal(s) in a row): {pause.reason};"
            f" next attempt at {pause.next_attempt_at} (backoff up to one attempt per 15 minutes)"
        )
    return paused


def _older_than_hour(created: str, now: datetime) -> bool:
    try:
        return (now - datetime.fromisoformat(created)).total_seconds() > 3600
    except ValueError:
        return False


def _print_privacy(app: App) -> None:
    from automation.jobs import retention_due

    for meeting in app.settings.meeting_objects():
        people = sum(1 for r in app.store.registrations(meeting.code) if not r.email.startswith("erased:"))
        if people:
            click.echo(
                f"Privacy: {people} registration(s) of {meeting.code} will be anonymised on"
                f" {retention_due(app, meeting):%d.%m.%Y}"
            )
