"""The shared mailbox over IMAP (imapclient): TLS by default, IDLE when offered, reconnects.

Poll cost stays flat as the mailbox grows: the folder stays selected on one connection and we
ask only for UIDs above the last one handled (`UID SEARCH UID n:*`), fetching with BODY.PEEK[]
so nothing is marked \\Seen behind a person's back. Handled mail is MOVEd (or COPY + expunge)
to a folder after its transaction committed; a crash in between is swept up on reconnect.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from automation.auth.login import OAuthLogin
from automation.errors import TransientError
from automation.inbox.base import LoginRefused, RawMail, SourceUnavailable
from automation.inbox.imap_filing import _MOVE_BATCH, FolderFiling

# automation.connect imports login and _in_namespace from here.
from automation.inbox.imap_wire import (
    _ERRORS,
    _announces_mail,
    _at_eof,
    _aware,
    _goodbye,
    _in_namespace,
    _server_text,
    login,
)
from automation.inbox.spool import CHUNK, LARGE, Reducer
from automation.parse.message import message_keys

log = logging.getLogger(__name__)
_FETCH_BATCH = 200
_FETCH_BYTES = 8 * 1024 * 1024  # at most this much mail held from one FETCH
_IDLE_RENEW = 25 * 60.0  # seconds; RFC 2177: servers may drop an IDLE after 30 minutes


class ImapSource(FolderFiling):
    name = "imap"

    def __init__(
        self,
        host: str,
        port: int,
        security: str,
        username: str,
        password: str,
        folder: str,
        handled_folder: str,
        attention_folder: str,
        use_idle: bool,
        timeout: float,
        attention_of: Callable[[list[str]], dict[str, bool]],
        ca_file: Path | None = None,
        oauth: OAuthLogin | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.oauth = oauth  # tokens instead of the password (Microsoft 365, Google Workspace)
        self.username, self.password = username, password
        self.folder, self.handled_folder, self.attention_folder = (
            folder,
            handled_folder,
            attention_folder,
        )
        self.configured = (handled_folder, attention_folder)  # as written, before the namespace
        self.use_idle, self.timeout = use_idle, timeout
        self.attention_of = attention_of
        self.ca_file = ca_file
        self.client: IMAPClient | None = None
        self.uidvalidity = 0
        self.can_move = False
        self.can_uid_expunge = False
        self.can_idle = False
        self.swept = False
        self.seen_uid = 0  # highest UID read on this connection
        self.sizes: dict[int, int] = {}  # RFC822.SIZE of the batch being read
        self.floor_uid = 0  # mail at or below it was left in place at the first start
        self.idling = False  # an IDLE is open on self.client (see wait)
        self.idle_since = 0.0
        # EXISTS/RECENT seen in a response no SEARCH has looked past yet (the answer to DONE or
        # NOOP): the next wait() returns at once instead of opening an IDLE that would not say it.
        self.mail_pending = False

    # ---- connection ------------------------------------------------------------------------

    def _connected(self) -> IMAPClient:
        if self.client is not None:
            if self.idling:
                # Every other command needs the IDLE ended first; what DONE announces is kept
                # in mail_pending (_end_idle) for the next wait().
                try:
                    self._end_idle(self.client)
                except _ERRORS as exc:
                    raise self._drop(exc) from exc
            return self.client
        try:
            # The system's CAs, or only the given one (an internal CA the system does not know).
            context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
            client = IMAPClient(
                self.host,
                port=self.port,
                ssl=self.security == "tls",
                ssl_context=context if self.security == "tls" else None,
                timeout=self.timeout,
            )
            if self.security == "starttls":
                client.starttls(context)
            client.normalise_times = False  # INTERNALDATE with its zone, compared in leave_older
            try:
                login(client, self.username, self.password, self.oauth)
            except LoginError as exc:  # the password refused (a refused token is translated)
                raise LoginRefused(
                    f"IMAP login refused for {self.username} at {self.host}:{self.port}"
                    f" ({_server_text(exc)}); fix: check [mailbox] username and the password in"
                    " password_env/password_file (is IMAP enabled for the account?)"
                ) from exc
            capabilities = client.capabilities()
            if b"NAMESPACE" in capabilities:
                self._read_namespace(client)
            for folder in (self.handled_folder, self.attention_folder):
                if folder and not client.folder_exists(folder):
                    client.create_folder(folder)
            selected = client.select_folder(self.folder)
            self.uidvalidity = int(selected[b"UIDVALIDITY"])
        except LoginRefused:
            raise
        except TransientError as exc:  # no token, or the token refused: already translated
            with contextlib.suppress(*_ERRORS):
                client.shutdown()
            raise SourceUnavailable(str(exc)) from None
        except _ERRORS as exc:
            raise SourceUnavailable(f"IMAP {self.host}:{self.port} unavailable: {exc}") from exc
        self.can_move = b"MOVE" in capabilities
        self.can_uid_expunge = b"UIDPLUS" in capabilities
        self.can_idle = self.use_idle and b"IDLE" in capabilities
        self.swept = False
        self.client = client
        # What arrived while we were not connected is not announced (SELECT's EXISTS is already
        # read): the first wait() on a new connection returns at once for a poll.
        self.mail_pending = True
        return client

    def _read_namespace(self, client: IMAPClient) -> None:
        """Put our folders where this server keeps folders: Courier, Cyrus and many hosted
        servers refuse "Handled" and want "INBOX.Handled" (RFC 2342 personal namespace)."""
        personal = client.namespace().personal
        if not personal:
            return
        prefix, delimiter = personal[0]
        prefix = prefix.decode() if isinstance(prefix, bytes) else str(prefix or "")
        sep = delimiter.decode() if isinstance(delimiter, bytes) else str(delimiter or "")
        self.handled_folder = _in_namespace(self.configured[0], prefix, sep)
        self.attention_folder = _in_namespace(self.configured[1], prefix, sep)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(*_ERRORS):
                if self.idling:
                    self._end_idle(self.client)
                self.client.logout()
            self.client = None
        self.idling = False

    def _drop(self, exc: BaseException) -> TransientError:
        self.client = None  # reconnect on the next call
        self.idling = False
        self.mail_pending = True  # what the lost connection would have announced: look again
        return TransientError(f"IMAP connection lost: {exc}")

    # ---- reading -------------------------------------------------------------------------------

    def fetch_new(self, last_uid: int, uidvalidity: int) -> Iterator[RawMail]:
        client = self._connected()
        if uidvalidity != self.uidvalidity:
            if uidvalidity:
                log.warning(
                    "IMAP UIDVALIDITY changed (%s → %s): reading the folder again; "
                    "mail already handled is recognised by Message-ID",
                    uidvalidity,
                    self.uidvalidity,
                )
            last_uid = 0
            self.seen_uid = 0
        # The SEARCH below looks past everything announced so far.
        self.mail_pending = False
        try:
            self._sweep(client, last_uid)
            uids = [u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid]
        except _ERRORS as exc:
            raise self._drop(exc) from exc
        for start in range(0, len(uids), _FETCH_BATCH):
            batch = sorted(uids[start : start + _FETCH_BATCH])
            try:
                fetched = client.fetch(batch, [b"RFC822.SIZE"])
            except _ERRORS as exc:
                raise self._drop(exc) from exc
            self.sizes = {u: int(fetched.get(u, {}).get(b"RFC822.SIZE", 0)) for u in batch}
            for group in _by_size(batch, self.sizes):
                yield from self._read(client, group)

    def _read(self, client: IMAPClient, uids: list[int]) -> Iterator[RawMail]:
        """Small messages whole, in one FETCH; a big one (a single UID) streamed in chunks."""
        if len(uids) == 1 and self.sizes.get(uids[0], 0) > LARGE:
            yield self._read_large(client, uids[0])
            return
        try:
            fetched = client.fetch(uids, [b"BODY.PEEK[]"])
        except _ERRORS as exc:
            raise self._drop(exc) from exc
        for uid in uids:
            data = fetched.pop(uid, {}).get(b"BODY[]")
            self.seen_uid = max(self.seen_uid, uid)
            if isinstance(data, bytes):
                yield RawMail(
                    ref=f"imap:{self.uidvalidity}:{uid}", data=data, uid=uid, uidvalidity=self.uidvalidity
                )

    def _read_large(self, client: IMAPClient, uid: int) -> RawMail:
        """BODY.PEEK[]<offset.length> chunk by chunk through the spooling reader: the text parts
        are kept, attachments decoded into files; memory does not grow with their size."""
        size = self.sizes[uid]
        spool = Path(tempfile.mkdtemp(prefix="automation-spool-"))
        reducer = Reducer(spool)
        try:
            for offset in range(0, size, CHUNK):
                key = f"BODY[]<{offset}>".encode()
                fetched = client.fetch([uid], [f"BODY.PEEK[]<{offset}.{CHUNK}>".encode()])
                chunk = fetched.get(uid, {}).get(key, b"")
                reducer.feed(chunk if isinstance(chunk, bytes) else b"")
            data = reducer.close()
        except _ERRORS as exc:
            shutil.rmtree(spool, ignore_errors=True)
            raise self._drop(exc) from exc
        except BaseException:
            shutil.rmtree(spool, ignore_errors=True)
            raise
        self.seen_uid = max(self.seen_uid, uid)
        ref = f"imap:{self.uidvalidity}:{uid}"
        return RawMail(ref=ref, data=data, uid=uid, uidvalidity=self.uidvalidity, spool=spool, size=size)

    def _sweep(self, client: IMAPClient, last_uid: int) -> None:
        """File messages handled before a crash stopped us from moving them."""
        if self.swept or last_uid == 0 or not self.handled_folder:
            return
        self.swept = True
        if last_uid <= self.floor_uid:
            return
        low = self.floor_uid + 1
        stale = [u for u in client.search(["UID", f"{low}:{last_uid}"]) if low <= u <= last_uid]
        if not stale:
            return
        refs = {f"imap:{self.uidvalidity}:{u}": u for u in stale}
        status = self.attention_of(list(refs))
        # At or below the recorded position every message was handled; one without a record of
        # its own is a duplicate of one that was (same Message-ID): file it as handled too.
        attention = [u for r, u in refs.items() if status.get(r, False)]
        handled = [u for r, u in refs.items() if not status.get(r, False)]
        self._move(client, handled, self.handled_folder)
        self._move(client, attention, self.attention_folder or self.handled_folder)

    # ---- first start ---------------------------------------------------------------------------

    def leave_older(self, cutoff: datetime) -> tuple[int, int, int]:
        client = self._connected()
        try:
            # SEARCH BEFORE is by date only: it narrows, INTERNALDATE decides to the second.
            candidates = sorted(client.search(["BEFORE", (cutoff + timedelta(days=1)).date()]))
            old = self._arrived_before(client, candidates, cutoff)
            # UIDs follow arrival: everything up to the newest old message counts as old.
            floor = max(old, default=0)
            count = len(client.search(["UID", f"1:{floor}"])) if floor else 0
        except _ERRORS as exc:
            raise self._drop(exc) from exc
        self.floor_uid = floor
        return self.uidvalidity, floor, count

    def _arrived_before(self, client: IMAPClient, uids: list[int], cutoff: datetime) -> list[int]:
        old: list[int] = []
        for start in range(0, len(uids), _MOVE_BATCH):
            fetched = client.fetch(uids[start : start + _MOVE_BATCH], [b"INTERNALDATE"])
            for uid, data in fetched.items():
                arrived = data.get(b"INTERNALDATE")
                if isinstance(arrived, datetime) and _aware(arrived) < cutoff:
                    old.append(uid)
        return old

    def keep_floor(self, uid: int) -> None:
        self.floor_uid = uid

    # ---- filing (how a message is moved: imap_filing.FolderFiling) ----------------------------

    def finish(self, handled: list[RawMail], attention: list[RawMail]) -> None:
        if not self.handled_folder and not self.attention_folder:
            return
        client = self._connected()
        try:
            self._move(client, [m.uid for m in handled], self.handled_folder)
            self._move(client, [m.uid for m in attention], self.attention_folder or self.handled_folder)
        except _ERRORS as exc:
            raise self._drop(exc) from exc

    # ---- the coordinator's desk ----------------------------------------------------------------

    def attention_mail(self, keys: list[str]) -> dict[str, bytes]:
        folder = self.attention_folder or self.handled_folder or self.folder
        client = self._connected()
        try:
            client.select_folder(folder, readonly=True)
            try:
                return {key: data for key, (_, data) in self._find(client, keys).items()}
            finally:
                client.select_folder(self.folder)
        except _ERRORS as exc:
            raise self._drop(exc) from exc

    def file_resolved(self, keys: list[str]) -> None:
        if not self.attention_folder or not self.handled_folder or not keys:
            return
        client = self._connected()
        try:
            client.select_folder(self.attention_folder)
            try:
                uids = [uid for uid, _ in self._find(client, keys).values()]
                self._move(client, uids, self.handled_folder, home=self.attention_folder)
            finally:
                client.select_folder(self.folder)
        except _ERRORS as exc:
            raise self._drop(exc) from exc

    def _find(self, client: IMAPClient, keys: list[str]) -> dict[str, tuple[int, bytes]]:
        """{key: (UID, bytes)} in the selected folder. A Message-ID is searched for by the
        server; a message known by its hash only is looked for among them all (the attention
        folder holds a few dozen, not thousands)."""
        wanted = set(keys)
        by_id = [k for k in keys if not k.startswith(("sha256:", "broken:"))]
        candidates: set[int] = set()
        for key in by_id:
            candidates.update(client.search(["HEADER", "Message-ID", key]))
        if len(by_id) < len(wanted):
            candidates.update(client.search(["ALL"]))
        found: dict[str, tuple[int, bytes]] = {}
        ordered = sorted(candidates)
        for start in range(0, len(ordered), _FETCH_BATCH):
            fetched = client.fetch(ordered[start : start + _FETCH_BATCH], [b"BODY.PEEK[]"])
            for uid in sorted(fetched):
                data = fetched[uid].get(b"BODY[]")
                if not isinstance(data, bytes):
                    continue
                known = next((k for k in message_keys(data) if k in wanted), None)
                if known is not None and known not in found:
                    found[known] = (uid, data)
        return found

    # ---- waiting -------------------------------------------------------------------------------

    def watching(self) -> bool:
        """An IDLE is open and not due for renewal: the server announces new mail itself."""
        fresh = time.monotonic() - self.idle_since < _IDLE_RENEW
        return self.client is not None and self.idling and fresh and not self.mail_pending

    def wait(self, timeout: float) -> bool:
        if self.mail_pending:
            # Announced while no IDLE was listening (during DONE, NOOP, a lost connection):
            # IDLE would not announce it again. Consumed here; the caller polls now.
            self.mail_pending = False
            return True
        if self.client is not None and self.idling:
            return self._keep_idling(self.client, timeout)
        client = self._connected()
        if self.mail_pending:  # a new connection (see _connected)
            self.mail_pending = False
            return True
        if not self.can_idle:
            time.sleep(timeout)
            return False
        try:
            # IDLE announces only what the session has not been told about yet. Mail that
            # arrived since the last command is announced by a NOOP (Dovecot syncs the view on
            # it; a SEARCH alone may answer from the old view and bury the EXISTS in its own
            # untagged responses). Mail announced during an earlier command (a FETCH) is found
            # by the SEARCH for UIDs above the last one read.
            _, untagged = client.noop()
            if _announces_mail(untagged):
                return True
            if self.seen_uid and any(
                u > self.seen_uid for u in client.search(["UID", f"{self.seen_uid + 1}:*"])
            ):
                return True
            client.idle()
        except _ERRORS as exc:
            raise self._drop(exc) from exc
        self.idling, self.idle_since = True, time.monotonic()
        return self._keep_idling(client, timeout)

    def _keep_idling(self, client: IMAPClient, timeout: float) -> bool:
        """Listen on the IDLE left open by an earlier call; end it only for mail or renewal.

        One IDLE stays open across calls (RFC 2177: renew before 29 minutes), so an idle daemon
        sends a few commands an hour instead of three a second. The renewal doubles as the
        safety poll (True): the daemon skips its scheduled poll while an IDLE is open."""
        try:
            started = time.monotonic()
            responses = list(client.idle_check(timeout=timeout))
            ended = _goodbye(responses)
            # imapclient swallows EOF during IDLE and returns nothing at once, for ever: a wait
            # that ends early with nothing is a closed connection (a restart, or Exchange ending
            # a session whose token expired: BYE Session invalidated - AccessTokenExpired).
            early = not responses and time.monotonic() - started < timeout * 0.5
            if ended or (early and _at_eof(client)):
                reason = ended or "the server closed the connection"
                raise self._drop(ConnectionError(f"IDLE ended by the server ({reason})"))
            if _announces_mail(responses):
                self._end_idle(client)
                self.mail_pending = False  # returned now: the caller polls
                return True
            if time.monotonic() - self.idle_since > _IDLE_RENEW:
                self._end_idle(client)
                self.mail_pending = False
                return True
        except _ERRORS as exc:
            raise self._drop(exc) from exc
        return False

    def _end_idle(self, client: IMAPClient) -> list[object]:
        self.idling = False
        _, done = client.idle_done()
        responses = list(done or [])
        if _announces_mail(responses):
            self.mail_pending = True
        return responses

    def describe(self) -> str:
        return f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"


def _by_size(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    """UIDs in order, grouped so one FETCH holds at most _FETCH_BYTES; a big message alone."""
    group: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if group and (size > LARGE or total + size > _FETCH_BYTES):
            yield group
            group, total = [], 0
        group.append(uid)
        total += size
        if size > LARGE:
            yield group
            group, total = [], 0
    if group:
        yield group
