"""The SASL initial responses that carry a bearer token (pure, no I/O)."""

from __future__ import annotations

MECHANISMS = ("OAUTHBEARER", "XOAUTH2")  # preference order when the server offers both


def xoauth2(user: str, token: str) -> str:
    """Google's and Microsoft's XOAUTH2: user=…^Aauth=Bearer …^A^A."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user: str, token: str) -> str:
    """RFC 7628 OAUTHBEARER with the mailbox as authorisation identity (Dovecot requires one)."""
    return f"n,a={user},\x01auth=Bearer {token}\x01\x01"


def choose(configured: str, offered: set[str]) -> str:
    """The mechanism to use: the configured one, or with "auto" OAUTHBEARER (the standard) when
    the server offers it and XOAUTH2 otherwise (Exchange Online offers XOAUTH2 only)."""
    if configured != "auto":
        return configured.upper()
    return next((m for m in MECHANISMS if m in offered), "XOAUTH2")


def refusal_answer(mechanism: str) -> str:
    """What a client answers to the server's error challenge (a base64 JSON status) so that the
    server finishes the exchange with its NO/535: RFC 7628 asks for a lone ^A; XOAUTH2 an empty line."""
    return "\x01" if mechanism == "OAUTHBEARER" else ""
