"""Real mail servers for tests: a private Dovecot (IMAP) and an aiosmtpd sink (SMTP).

Both listen on loopback only and keep their files on tmpfs. Nothing here imports
pytest, so the helpers can also be used from scripts and benchmarks.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import Envelope, Session

LOOPBACK = "127.0.0.1"

# Where the helpers put their files. tmpfs because file creation on disk costs
# ~50x more, and because pytest's tmp_path sits under a 0700 directory that
# dovenull cannot traverse.
_SHM = Path("/dev/shm")

# Dovecot is usually in /usr/sbin, which is not on PATH for ordinary users.
_DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")

# Login names and passwords end up in a passwd-file (colon separated, one per
# line) and names also become directory names, so keep both boring.
_USERNAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")

_START_ATTEMPTS = 5  # new port per attempt when the picked one got taken meanwhile
_READY_TIMEOUT = 30.0  # generous: a busy 2-core CI box must not make tests flaky
_STOP_TIMEOUT = 15.0  # a clean stop takes ~1.1 s


def _find_dovecot() -> str:
    found = shutil.which("dovecot")
    if found:
        return found
    for candidate in _DOVECOT_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    # Raise rather than skip: a missing server must fail CI loudly, never turn
    # the IMAP tests silently green.
    raise RuntimeError(
        "dovecot binary not found (looked on PATH and in "
        f"{', '.join(_DOVECOT_CANDIDATES)}); install it with "
        "`apt-get install -y --no-install-recommends dovecot-imapd`"
    )


def _free_port() -> int:
    # The OS hands out a free port; it is released before Dovecot binds it, so
    # another process may grab it in between. start() retries for that case.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def _same_process(pid: int, start_time: int | None) -> bool:
    """Whether ``pid`` is alive and, if ``start_time`` is given, not a reused pid."""
    if start_time is None:
        return _pid_alive(pid)
    info = _proc_stat(pid)
    return info is not None and info[1] == start_time


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    # The daemonised master is reparented to PID 1, and in a container PID 1
    # may never reap it: a dead master then lingers as a zombie that kill(0)
    # still reports as existing.
    return _proc_stat(pid) is not None


def _proc_stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a live process, None if gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Format: "pid (comm) state ppid ..."; comm may contain spaces and ")".
    fields = stat.rsplit(")", 1)[-1].split()
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[1]), int(fields[19])


def _descendants(root_pid: int) -> list[tuple[int, int]]:
    """(pid, start time) of every live process below ``root_pid``."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        info = _proc_stat(int(entry.name))
        if info is not None:
            children.setdefault(info[0], []).append((int(entry.name), info[1]))
    found: list[tuple[int, int]] = []
    todo = [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "<none>"
    return text[-limit:] or "<empty>"


class _AddressInUseError(RuntimeError):
    """Dovecot could not bind its port; the caller may retry (with another port)."""


class DovecotServer:
    """A private Dovecot IMAP server on 127.0.0.1 with its own config and data.

    Plain IMAP, LOGIN allowed without TLS, users from a passwd-file that tests
    append to while the server runs. Each user's mail is DIR/mail/<name>/Maildir.
    """

    host: str
    port: int
    root: Path

    def __init__(self, root: Path, port: int, extra_config: str = "") -> None:
        # Use start(); the constructor only records state.
        self.host = LOOPBACK
        self.port = port
        self.root = root
        self.extra_config = extra_config
        self._binary = _find_dovecot()
        self._lock = threading.Lock()
        self._pid: int | None = None
        if os.geteuid() == 0:
            # Dovecot refuses to serve mail as uid 0: run children as dovenull
            # (created by the Debian package) and let it own the mail.
            try:
                entry = pwd.getpwnam("dovenull")
            except KeyError as exc:
                raise RuntimeError(
                    "running as root but user 'dovenull' does not exist; is dovecot-core installed?"
                ) from exc
        else:
            entry = pwd.getpwuid(os.getuid())
        self._user = entry.pw_name
        self._uid = entry.pw_uid
        self._gid = entry.pw_gid
        self._group = grp.getgrgid(entry.pw_gid).gr_name
        self._probe_user = "probe-" + secrets.token_hex(4)
        self._probe_password = secrets.token_hex(12)

    # -- paths ------------------------------------------------------------

    @property
    def config_path(self) -> Path:
        return self.root / "etc" / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.root / "log" / "dovecot.log"

    @property
    def _passwd_dir(self) -> Path:
        return self.root / "etc" / "passwd.d"

    @property
    def _stderr_path(self) -> Path:
        return self.root / "log" / "stderr.log"

    # -- lifecycle --------------------------------------------------------

    @classmethod
    def start(cls, extra_config: str = "") -> DovecotServer:
        """Create a fresh data dir, start Dovecot on a free port, wait until ready.

        `extra_config` is appended to the generated config, to look like another server (e.g.
        `imap_capability` without MOVE/UIDPLUS, or a `namespace` with prefix "INBOX.")."""
        _find_dovecot()  # fail with a clear message before creating anything

        last_error: Exception | None = None
        for _attempt in range(_START_ATTEMPTS):
            root = Path(tempfile.mkdtemp(prefix="dc", dir=_SHM if _SHM.is_dir() else None))
            # mkdtemp makes 0700; the unprivileged children must traverse it.
            root.chmod(0o755)
            server = cls(root, _free_port(), extra_config)
            try:
                server._prepare()
                # The master daemonises: without this, a script or session that
                # dies without stop() would leave it running forever.
                atexit.register(server._cleanup)
                server._launch()
                server._wait_ready()
            except _AddressInUseError as exc:
                last_error = exc
                server._cleanup()
                continue
            except BaseException:
                server._cleanup()
                raise
            return server
        raise RuntimeError(
            f"dovecot could not bind a free port in {_START_ATTEMPTS} attempts"
        ) from last_error

    def stop(self) -> None:
        """Stop the master and every child, then delete all data. Idempotent."""
        self._cleanup()

    def restart(self) -> None:
        """Stop the master and start it again on the same port with the same data.

        Open client connections are dropped, so this tests reconnect logic.
        """
        if not self.config_path.exists():
            raise RuntimeError("restart() after stop(): the server's data is gone")
        self._stop_master()
        deadline = time.monotonic() + 10.0
        while True:
            try:
                self._launch()
                break
            except _AddressInUseError:
                # The port must stay the same; usually it is only a lingering
                # socket of the old master, so wait a little and try again.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self._wait_ready()

    def is_running(self) -> bool:
        return self._pid is not None and _pid_alive(self._pid)

    # -- users ------------------------------------------------------------

    def add_user(self, name: str, password: str) -> Path:
        """Add a login (picked up by the running server) and return its empty Maildir."""
        if not _USERNAME_RE.fullmatch(name):
            raise ValueError(f"unsupported user name {name!r}")
        if any(ch in password for ch in ":\r\n\0") or not password:
            raise ValueError("password must be non-empty without ':' or line breaks")
        home = self.root / "mail" / name
        maildir = home / "Maildir"
        with self._lock:
            if home.exists():
                raise ValueError(f"user {name!r} already exists")
            # Create the Maildir ourselves so the test can rely on it existing
            # before the first login, and hand it to the user Dovecot runs as.
            for path in (home, maildir, maildir / "cur", maildir / "new", maildir / "tmp"):
                path.mkdir(mode=0o700)
                os.chown(path, self._uid, self._gid)
            # One passwd-file per user: Dovecot re-checks a passwd-file at most
            # once per second, so a line appended to a shared file is invisible
            # for up to 1 s, while a file it has never opened is read at once.
            passwd = self._passwd_dir / name
            passwd.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
            passwd.chmod(0o600)
            os.chown(passwd, self._uid, self._gid)
        return maildir

    # -- internals --------------------------------------------------------

    def _prepare(self) -> None:
        for sub in ("etc", "run", "state", "log"):
            (self.root / sub).mkdir(mode=0o755)
        mail = self.root / "mail"
        mail.mkdir(mode=0o755)
        os.chown(mail, self._uid, self._gid)
        # The auth process (run user) reads the passwd-files; test credentials,
        # but still no reason to make them world readable.
        self._passwd_dir.mkdir(mode=0o700)
        os.chown(self._passwd_dir, self._uid, self._gid)
        self.config_path.write_text(self._config())
        self.add_user(self._probe_user, self._probe_password)

    def _config(self) -> str:
        root = self.root
        user = self._user
        return f"""\
# Generated by tests/servers.py; complete on purpose (no /etc/dovecot includes).
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
protocols = imap
listen = {LOOPBACK}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {user}
default_login_user = {user}
# Its default "dovecot" makes the master chown sockets to that group, which an
# ordinary user may not do; as root it keeps the children off stats-writer.
default_internal_group = {self._group}
first_valid_uid = {self._uid}
last_valid_uid = {self._uid}
mail_location = maildir:~/Maildir
mail_fsync = never
mailbox_idle_check_interval = 1 secs

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/etc/passwd.d/%u
}}
userdb {{
  driver = static
  args = uid={self._uid} gid={self._gid} home={root}/mail/%u allow_all_users=yes
}}

service imap-login {{
  chroot =
  service_count = 0
  process_min_avail = 1
  inet_listener imap {{
    address = {LOOPBACK}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service imap {{
  process_min_avail = 1
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth {{
  user = {user}
}}
service auth-worker {{
  user = {user}
}}
protocol imap {{
  mail_max_userip_connections = 500
}}
{self.extra_config}"""

    def _launch(self) -> None:
        # The master daemonises; its stderr goes to a file because a pipe
        # would stay open in the daemon and a reader would never see EOF.
        offset = self._stderr_path.stat().st_size if self._stderr_path.exists() else 0
        with self._stderr_path.open("ab") as stderr:
            result = subprocess.run(
                [self._binary, "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                timeout=30,
                check=False,
            )
        with self._stderr_path.open("rb") as stderr_file:
            stderr_file.seek(offset)
            output = stderr_file.read().decode(errors="replace")
        if result.returncode != 0:
            message = (
                f"dovecot exited with {result.returncode} on port {self.port}:\n"
                f"{output}\nlog:\n{_tail(self.log_path)}"
            )
            if "Address already in use" in output:
                raise _AddressInUseError(message)
            raise RuntimeError(message)
        self._pid = self._read_master_pid()

    def _read_master_pid(self) -> int:
        pid_file = self.root / "run" / "master.pid"
        deadline = time.monotonic() + 10.0
        while True:
            with contextlib.suppress(OSError, ValueError):
                return int(pid_file.read_text().strip())
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot wrote no {pid_file}; log:\n{_tail(self.log_path)}")
            time.sleep(0.01)

    def _wait_ready(self) -> None:
        # LOGIN alone is not enough: a broken setup answers
        # "OK Logged in, but initialization failed"; SELECT proves mail access.
        deadline = time.monotonic() + _READY_TIMEOUT
        last_problem = "no attempt"
        while True:
            if not self.is_running():
                raise RuntimeError(
                    f"dovecot master died while starting; stderr:\n"
                    f"{_tail(self._stderr_path)}\nlog:\n{_tail(self.log_path)}"
                )
            try:
                with imaplib.IMAP4(self.host, self.port, timeout=5) as conn:
                    conn.login(self._probe_user, self._probe_password)
                    status, detail = conn.select("INBOX")
                    if status == "OK":
                        return
                    last_problem = f"SELECT INBOX: {status} {detail!r}"
            except (OSError, imaplib.IMAP4.error) as exc:
                last_problem = repr(exc)
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"dovecot on port {self.port} not ready after {_READY_TIMEOUT} s "
                    f"({last_problem}); log:\n{_tail(self.log_path)}"
                )
            time.sleep(0.02)

    def _stop_master(self) -> None:
        pid = self._pid
        if pid is None:
            return
        # TERM to the master alone is not enough: an imap process serving a
        # client outlives the master by ~10 s and keeps answering it, so a
        # restart would not drop connections; and the master itself waits ~1 s
        # for its children. TERM every child too (snapshot first: they are
        # reparented once the master exits): all gone in ~0.1 s.
        children = _descendants(pid)
        processes: list[tuple[int, int | None]] = [(pid, None), *children]
        for target, start_time in processes:
            # Re-check identity so a reused pid is never signalled.
            if _same_process(target, start_time):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(target, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_TIMEOUT
        while True:
            alive = [(p, st) for p, st in processes if _same_process(p, st)]
            if not alive:
                break
            if time.monotonic() > deadline:
                # Last resort so a wedged server never outlives the session.
                for p, _st in alive:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(p, signal.SIGKILL)
                break
            time.sleep(0.01)
        self._pid = None

    def _cleanup(self) -> None:
        self._stop_master()
        atexit.unregister(self._cleanup)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class ImapUser:
    """Login data of one user on a DovecotServer (what the imap_user fixture returns)."""

    host: str
    port: int
    username: str
    password: str
    maildir: Path


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: list[str]
    data: bytes


class _PortZeroController(Controller):
    """Controller that may listen on port 0.

    aiosmtpd 1.4 opens a trigger connection to ``self.port`` after binding,
    which fails for port 0; read the real port off the bound socket first.
    """

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server), "called before the server was bound"
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _SinkHandler:
    """aiosmtpd handler: records messages, refuses what the test asked it to."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.messages: list[ReceivedMail] = []
        self.refusals: list[str] = []  # one reply per upcoming DATA to refuse
        self.refused_rcpts: dict[str, str] = {}  # lower-cased address -> reply
        self.refusing: str | None = None  # every DATA answered with this until accept_all()

    async def handle_RCPT(
        self,
        server: SMTPServer,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self.lock:
            reply = self.refused_rcpts.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        with self.arrived:
            if self.refusals:
                return self.refusals.pop(0)
            if self.refusing is not None:
                return self.refusing
            content = envelope.original_content or b""
            self.messages.append(
                ReceivedMail(
                    envelope_from=envelope.mail_from or "",
                    envelope_to=list(envelope.rcpt_tos),
                    data=bytes(content),
                )
            )
            self.arrived.notify_all()
        return "250 OK"


class SmtpSink:
    """An SMTP server on 127.0.0.1 (plain, no TLS) that keeps what it accepts."""

    host: str
    port: int

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = 0
        self._handler = _SinkHandler()
        self._controller: _PortZeroController | None = None

    @property
    def messages(self) -> list[ReceivedMail]:
        """Snapshot of the accepted messages, oldest first."""
        with self._handler.lock:
            return list(self._handler.messages)

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("SMTP sink already running")
        # server_hostname avoids socket.getfqdn(), a DNS lookup per start.
        # SMTPUTF8 because real relays offer it and smtplib uses it for
        # non-ASCII addresses.
        controller = _PortZeroController(
            self._handler,
            hostname=LOOPBACK,
            port=0,
            server_hostname="localhost",
            enable_SMTPUTF8=True,
        )
        controller.start()
        self._controller = controller
        self.port = controller.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        deadline = time.monotonic() + timeout
        with self._handler.arrived:
            while len(self._handler.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    got = self._handler.messages
                    summary = [(m.envelope_from, m.envelope_to, len(m.data)) for m in got]
                    raise AssertionError(
                        f"expected at least {count} message(s) within {timeout} s, got {len(got)}: {summary}"
                    )
                self._handler.arrived.wait(remaining)
            return list(self._handler.messages)

    def refuse_next(self, n: int, code: int = 451, text: str = "4.3.0 try again later") -> None:
        """Answer the next ``n`` DATA transactions with ``code text`` instead of 250."""
        with self._handler.lock:
            self._handler.refusals.extend([f"{code} {text}"] * n)

    def refuse_recipient(self, address: str, code: int = 550, text: str = "5.1.1 no such user") -> None:
        """Refuse RCPT TO for ``address`` (case-insensitive) from now on."""
        with self._handler.lock:
            self._handler.refused_rcpts[address.lower()] = f"{code} {text}"

    def refuse_all(self, code: int = 451, text: str = "4.3.2 service not available, try later") -> None:
        """Answer every DATA with ``code text`` until ``accept_all()`` (an outage of hours)."""
        with self._handler.lock:
            self._handler.refusing = f"{code} {text}"

    def accept_all(self) -> None:
        with self._handler.lock:
            self._handler.refusing = None

    def clear(self) -> None:
        """Forget received messages, pending DATA refusals and refused recipients."""
        with self._handler.lock:
            self._handler.messages.clear()
            self._handler.refusals.clear()
            self._handler.refused_rcpts.clear()
            self._handler.refusing = None

    def __enter__(self) -> SmtpSink:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


__all__ = ["DovecotServer", "ImapUser", "ReceivedMail", "SmtpSink"]


def loopback_config(user: ImapUser, sink: SmtpSink, password_env: str, *, mailbox: str = "") -> str:
    """The [mailbox] and [sending] sections of a config reaching this Dovecot user and this sink
    (plain, on loopback; the password in `password_env`); `mailbox` adds lines to [mailbox]."""
    return f"""[mailbox]
kind = "imap"
host = "{user.host}"
port = {user.port}
username = "{user.username}"
password_env = "{password_env}"
security = "none"
handled_folder = "Handled"
attention_folder = "Attention"
{mailbox}
[sending]
kind = "smtp"
host = "{sink.host}"
port = {sink.port}
security = "none"
"""
