"""An access token kept in memory and renewed before it expires.

A token is asked for at every login (a reconnect, a new IDLE connection, each SMTP batch); the
cached one is handed out while it has life left, and a fresh one is fetched once less than a
fifth of its lifetime (at most five minutes) remains. So a long IDLE, a reconnect in the middle
of the night or a batch of sends never logs in with a token about to run out. When a server
refuses a token anyway (revoked, rotated keys), `invalidate()` makes the next call fetch anew.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from automation.errors import SessionRefused, TransientError

log = logging.getLogger(__name__)
_MAX_MARGIN = 300.0  # seconds: renew at most five minutes before expiry
_MARGIN_SHARE = 0.2  # ...and at least a fifth of the lifetime before it (short-lived tokens)
_DEFAULT_LIFETIME = 3600.0  # when the endpoint does not say (expires_in is optional)


class TokenRefused(SessionRefused):
    """The identity provider refused to issue a token (revoked client, expired secret, missing
    consent...). The message is the translated explanation with the fix; it never contains the
    secret. Like any refused session it is retried with backoff: nothing is lost meanwhile."""


class TokenUnavailable(TransientError):
    """The identity provider could not be reached or answered nonsense: try again later."""


@dataclass(frozen=True)
class Token:
    value: str
    lifetime: float  # seconds it was valid for when issued


Fetch = Callable[[], Token]


class TokenProvider:
    """Hands out a valid access token for one mailbox; thread-safe, fetches at most one at a time."""

    def __init__(self, kind: str, fetch: Fetch, clock: Callable[[], float] = time.monotonic) -> None:
        self.kind = kind  # "microsoft", "google", "generic": chooses the server-side translations
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._renew_at = 0.0
        self.issued = 0  # tokens fetched so far (for the log, never the tokens themselves)

    def token(self) -> str:
        with self._lock:
            now = self._clock()
            if self._token is None or now >= self._renew_at:
                token = self._fetch()
                lifetime = token.lifetime if token.lifetime > 0 else _DEFAULT_LIFETIME
                margin = min(_MAX_MARGIN, lifetime * _MARGIN_SHARE)
                self._token, self._renew_at = token, now + lifetime - margin
                self.issued += 1
                log.info("oauth2: %s token obtained, valid %.0f s", self.kind, lifetime)
            return self._token.value

    def invalidate(self) -> None:
        """The server refused the cached token: the next token() fetches a new one."""
        with self._lock:
            self._token = None
