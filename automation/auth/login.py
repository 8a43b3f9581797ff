"""Logging in with a token: which mechanism, one renewal when the server refuses, and the
translated refusal. The protocol exchanges themselves live in inbox/imap.py and transports/smtp.py."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from automation.auth import sasl
from automation.auth.explain import server_refusal
from automation.auth.tokens import TokenProvider
from automation.errors import SessionRefused

log = logging.getLogger(__name__)


class AuthRefused(SessionRefused):
    """A token was issued but the mail server refused it twice (a fresh one the second time)."""


@dataclass(frozen=True)
class OAuthLogin:
    provider: TokenProvider
    mechanism: str  # "auto", "xoauth2", "oauthbearer" ([…oauth2] mechanism)
    client_id: str = ""  # for the Exchange commands in the translated refusal

    def choose(self, offered: set[str]) -> str:
        return sasl.choose(self.mechanism, offered)

    def renew_after_refusal(self, protocol: str) -> None:
        log.info("oauth2: the %s server refused the token; renewing it and trying once more", protocol)
        self.provider.invalidate()

    def refused(self, protocol: str, reply: str, username: str) -> AuthRefused:
        return AuthRefused(server_refusal(self.provider.kind, protocol, reply, username, self.client_id))
