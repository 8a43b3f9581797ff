"""Schema as a registry of migrations, each applied once in its own transaction.

Add a migration at the end; never edit one that has shipped. `automation` runs them by itself
at start-up, so an upgrade needs no manual step (take a backup of the database file first).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_core(db: sqlite_utils.Database) -> None:
    db.table("contacts").create(
        {
            "email": str,
            "name": str,
            "organisation": str,
            "language": str,
            "source": str,
            "unsubscribed_at": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="email",
    )
    db.table("registrations").create(
        {
            "meeting": str,
            "email": str,
            "name": str,
            "organisation": str,
            "language": str,
            "status": str,
            "diet": str,
            "attendance": str,
            "position": int,
            "created_at": str,
            "updated_at": str,
        },
        pk=("meeting", "email"),
    )
    db.table("registrations").create_index(["meeting", "status", "position"])
    # Reply tokens: a token in a plus-address or a References header authorises changes to
    # exactly one person's registration for one meeting.
    db.table("tokens").create({"token": str, "meeting": str, "email": str, "created_at": str}, pk="token")
    db.table("tokens").create_index(["meeting", "email"], unique=True)
    # What happened to every received message; no bodies, only what the coordinator needs.
    db.table("messages").create(
        {
            "key": str,
            "source_ref": str,
            "kind": str,
            "meeting": str,
            "sender": str,
            "language": str,
            "reason": str,
            "attention": int,
            "subject": str,
            "received_at": str,
        },
        pk="key",
    )
    db.table("messages").create_index(["attention"])
    db.table("messages").create_index(["source_ref"])
    db.table("outbox").create(
        {
            "id": int,
            "message_id": str,
            "purpose": str,
            "meeting": str,
            "recipient": str,
            "name": str,
            "language": str,
            "template": str,
            "context": str,
            "reply_token": str,
            "in_reply_to": str,
            "auto_submitted": str,
            "status": str,
            "attempts": int,
            "next_attempt_at": str,
            "created_at": str,
            "sent_at": str,
            "error": str,
        },
        pk="id",
    )
    db.table("outbox").create_index(["message_id"], unique=True)
    db.table("outbox").create_index(["status", "next_attempt_at"])
    db.table("outbox").create_index(["meeting", "purpose"])
    # Where each mail source stopped reading: poll cost must not grow with the mailbox.
    db.table("source_state").create({"source": str, "uidvalidity": int, "last_uid": int}, pk="source")


@migration
def m002_calendar(db: sqlite_utils.Database) -> None:
    # One event per meeting: its SEQUENCE and the facts last sent, to see what changed.
    db.table("calendar_events").create(
        {"meeting": str, "sequence": int, "snapshot": str, "cancelled": int, "updated_at": str},
        pk="meeting",
    )
    # Who holds the event in their calendar, so updates and cancellations reach exactly them.
    db.table("calendar_holders").create(
        {
            "meeting": str,
            "email": str,
            "name": str,
            "role": str,
            "language": str,
            "state": str,
            "partstat": str,
            "updated_at": str,
        },
        pk=("meeting", "email"),
    )
    db.table("outbox").add_column("calendar_method", str, not_null_default="")
    db.table("outbox").add_column("calendar_sequence", int, not_null_default=0)
    db.table("outbox").add_column("calendar_role", str, not_null_default="")


@migration
def m003_lifecycle(db: sqlite_utils.Database) -> None:
    # Which lifecycle stages of a meeting ran (or were dropped because their moment passed).
    db.table("lifecycle_runs").create(
        {"meeting": str, "stage": str, "outcome": str, "at": str}, pk=("meeting", "stage")
    )


@migration
def m004_initiatives(db: sqlite_utils.Database) -> None:
    db.table("initiatives").create(
        {
            "reference": str,
            "year": int,
            "number": int,
            "title": str,
            "text": str,
            "submitter_email": str,
            "submitter_name": str,
            "publish_name": int,
            "language": str,
            "status": str,
            "meeting": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="reference",
    )
    db.table("initiatives").create_index(["status"])
    db.table("initiatives").create_index(["meeting"])
    # References are never reused: the counter survives deleted or erased initiatives.
    db.table("initiative_counters").create({"year": int, "last": int}, pk="year")
    db.table("initiative_events").create(
        {"id": int, "reference": str, "at": str, "status": str, "note": str, "actor": str, "meeting": str},
        pk="id",
    )
    db.table("initiative_events").create_index(["reference"])
    db.table("initiative_attachments").create(
        {"id": int, "reference": str, "filename": str, "content_type": str, "size": int, "path": str},
        pk="id",
    )


@migration
def m005_bounces_and_limits(db: sqlite_utils.Database) -> None:
    # Addresses that bounce: a score per address; at the threshold no more mail goes there.
    db.table("bounces").create(
        {"email": str, "score": float, "undeliverable_at": str, "last_reason": str, "updated_at": str},
        pk="email",
    )
    # The daily limit of automatic answers per address is counted from the outbox.
    db.table("outbox").create_index(["recipient", "created_at"])


@migration
def m006_privacy(db: sqlite_utils.Database) -> None:
    # Addresses whose owner had their data erased, as a hash only: a later import of the
    # coordinator's CSV must not bring them back.
    db.table("erased").create({"hash": str, "at": str}, pk="hash")
    db.table("messages").create_index(["sender"])
    db.table("registrations").create_index(["email"])


@migration
def m007_membership_and_feedback(db: sqlite_utils.Database) -> None:
    # Joining: the goals-and-rules text a person accepted (its version) and when.
    db.table("contacts").add_column("rules_version", str, not_null_default="")
    db.table("contacts").add_column("rules_accepted_at", str, not_null_default="")
    db.table("join_requests").create(
        {
            "email": str,
            "name": str,
            "language": str,
            "requested_at": str,
            "reminded_at": str,
            "accepted_at": str,
        },
        pk="email",
    )
    # Feedback is kept without the address: a hash only to count one answer per person.
    db.table("feedback").create(
        {"meeting": str, "person": str, "score": int, "comment": str, "language": str, "at": str},
        pk=("meeting", "person"),
    )
    # The coordinator marks who did not come, for the picture of participation.
    db.table("registrations").add_column("no_show", int, not_null_default=0)


@migration
def m008_leases(db: sqlite_utils.Database) -> None:
    # Only one process sends at a time (the daemon, or `run --once` when no daemon runs): the
    # holder renews its lease; a lease whose holder died or expired can be taken over.
    db.table("leases").create({"name": str, "holder": str, "expires_at": float}, pk="name")


@migration
def m009_pauses(db: sqlite_utils.Database) -> None:
    # A server refusing the session or our sender (login, Send As) pauses that side: the queued
    # mail stays pending, `status` shows why, and the next attempt waits with backoff.
    db.table("pauses").create(
        {"name": str, "reason": str, "since": str, "failures": int, "next_attempt_at": str},
        pk="name",
    )


@migration
def m010_companions(db: sqlite_utils.Database) -> None:
    # People a registrant brings without an address: listed by name under them, one seat each.
    db.execute("ALTER TABLE registrations ADD COLUMN companions TEXT NOT NULL DEFAULT ''")


@migration
def m011_desk(db: sqlite_utils.Database) -> None:
    # What needs a human, with a short number the coordinator types (`attention resolve 3`,
    # "#3 kyllä" in a reply to the digest). The excerpt (the first lines of the new text) is
    # kept only while the item is open: message bodies are otherwise never stored.
    db.execute(
        "CREATE TABLE attention_items (number INTEGER PRIMARY KEY AUTOINCREMENT,"
        " key TEXT NOT NULL UNIQUE, reason TEXT NOT NULL DEFAULT '', excerpt TEXT NOT NULL DEFAULT '',"
        " created_at TEXT NOT NULL, resolved_at TEXT NOT NULL DEFAULT '',"
        " resolved_by TEXT NOT NULL DEFAULT '', resolution TEXT NOT NULL DEFAULT '',"
        " outcome TEXT NOT NULL DEFAULT '')"
    )
    db.execute(
        "INSERT INTO attention_items (key, reason, created_at)"
        " SELECT key, reason, received_at FROM messages WHERE attention = 1 ORDER BY received_at"
    )
    # One digest a day at most: its items (the numbers a reply may act on) and the counts per
    # meeting, to say what changed by the next one.
    db.table("digests").create(
        {"day": str, "kind": str, "sent_at": str, "items": str, "counts": str}, pk="day"
    )


@migration
def m015_pause_alerts(db: sqlite_utils.Database) -> None:
    # When the coordinator was told of a pause by the [alerts] route: once per outage.
    db.execute("ALTER TABLE pauses ADD COLUMN alerted_at TEXT NOT NULL DEFAULT ''")


@migration
def m012_followups(db: sqlite_utils.Database) -> None:
    # Follow-up items agreed at a meeting (a summary's "## Jatkotoimet" section): each has an
    # owner from the preparatory group and a status that owners and the coordinator update.
    # One row per (meeting, language, position): re-reading the same summary adds nothing.
    db.table("followups").create(
        {
            "id": int,
            "meeting": str,
            "position": int,
            "text": str,
            "language": str,  # of the summary the item was read from
            "owner": str,
            "owner_email": str,
            "initiative": str,
            "status": str,
            "note": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("followups").create_index(["meeting", "position"], unique=True)
    db.table("followups").create_index(["status"])


@migration
def m016_companion_seats_index(db: sqlite_utils.Database) -> None:
    # Counting seats runs for every answer; only the few registrations that name companions need
    # their row read (the count of the rest comes from the covering index): without this a
    # meeting with thousands of registrations made each count read every row.
    db.execute(
        "CREATE INDEX IF NOT EXISTS registrations_with_companions ON registrations (meeting, status)"
        " WHERE companions != ''"
    )


# The seats one registration row takes: the person and each companion (one per line).
_SEATS_OF = (
    "(1 + CASE WHEN {r}.companions = '' THEN 0"
    " ELSE LENGTH({r}.companions) - LENGTH(REPLACE({r}.companions, char(10), '')) + 1 END)"
)


@migration
def m018_seat_counts(db: sqlite_utils.Database) -> None:
    # Seats taken per meeting and status (each registration and each companion it names), kept
    # by triggers: every answer reads them, and counting the index grew with the meeting (a
    # meeting of 7,000 registrations made the count most of the cost of reading one reply). The
    # triggers keep it right whoever writes the table; registrations are upserted, never
    # REPLACEd, because REPLACE deletes without firing the delete trigger.
    db.execute(
        "CREATE TABLE seat_counts (meeting TEXT NOT NULL, status TEXT NOT NULL,"
        " seats INTEGER NOT NULL, PRIMARY KEY (meeting, status)) WITHOUT ROWID"
    )
    db.execute(
        "INSERT INTO seat_counts SELECT meeting, status, SUM("
        + _SEATS_OF.format(r="registrations")
        + ") FROM registrations GROUP BY meeting, status"
    )
    add = (
        "INSERT INTO seat_counts VALUES (NEW.meeting, NEW.status, {seats})"
        " ON CONFLICT (meeting, status) DO UPDATE SET seats = seats + excluded.seats;"
    ).format(seats=_SEATS_OF.format(r="NEW"))
    remove = (
        "UPDATE seat_counts SET seats = seats - {seats} WHERE meeting = OLD.meeting AND status = OLD.status;"
    ).format(seats=_SEATS_OF.format(r="OLD"))
    db.execute(f"CREATE TRIGGER seat_counts_insert AFTER INSERT ON registrations BEGIN {add} END")
    db.execute(f"CREATE TRIGGER seat_counts_delete AFTER DELETE ON registrations BEGIN {remove} END")
    db.execute(
        "CREATE TRIGGER seat_counts_update AFTER UPDATE OF meeting, status, companions ON registrations"
        f" BEGIN {remove} {add} END"
    )


@migration
def m019_contact_removed(db: sqlite_utils.Database) -> None:
    # The coordinator removed the contact (`contacts remove`, a status column saying inactive):
    # no more mail; their registrations stay as history until retention anonymises them.
    db.table("contacts").add_column("removed_at", str, not_null_default="")
