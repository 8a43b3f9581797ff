"""Guards applied to every decision before it is committed. Pure.

- Forged mail: when our own receiving server (the trusted authserv-id) says DKIM or SPF failed
  for the claimed sender, the message may not change anything nor make us write to anyone.
- Flooding: at most N automatic answers per address per day, whatever arrives in their name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

from automation.model import Attention, Decision, SendMail

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)", re.I)


def authentication_failed(results: Sequence[str], trusted_authserv_id: str, sender: str = "") -> str:
    """Why the trusted server's verdict rejects the sender, or "" when it does not.

    A DKIM pass counts only when the signing domain is the sender's (aligned, as DMARC would
    require): anyone can sign a forged mail with their own domain.
    """
    if not trusted_authserv_id:
        return ""
    domain = sender.rpartition("@")[2].lower()
    for header in results:
        segments = header.split(";")
        authserv = segments[0].strip().split()[0].lower() if segments[0].strip() else ""
        if authserv != trusted_authserv_id.lower():
            continue  # only our own server's verdict counts; anyone can add such a header
        failed = []
        for segment in segments[1:]:
            found = _RESULT.search(segment)
            if not found:
                continue
            method, verdict = found.group(1).lower(), found.group(2).lower()
            signer = _SIGNER.search(segment)
            aligned = signer is not None and _aligned(signer.group(1).lower(), domain)
            if (method == "dmarc" and verdict == "pass") or (
                method == "dkim" and verdict == "pass" and aligned
            ):
                return ""
            if verdict in ("fail", "softfail", "permerror"):
                failed.append(f"{method}={verdict}")
        if failed:
            return f"sender not authenticated by {authserv}: {', '.join(failed)}"
    return ""


def authenticated(results: Sequence[str], trusted_authserv_id: str, sender: str) -> bool:
    """Whether the trusted server vouches for the sender: DMARC pass or a DKIM pass by the
    sender's own domain. Proof enough to act on a From without a token of ours."""
    if not trusted_authserv_id:
        return False
    domain = sender.rpartition("@")[2].lower()
    for header in results:
        segments = header.split(";")
        authserv = segments[0].strip().split()[0].lower() if segments[0].strip() else ""
        if authserv != trusted_authserv_id.lower():
            continue  # anyone can add such a header; only our own server's counts
        for segment in segments[1:]:
            found = _RESULT.search(segment)
            if not found or found.group(2).lower() != "pass":
                continue
            signer = _SIGNER.search(segment)
            method = found.group(1).lower()
            if method == "dmarc" or (
                method == "dkim" and signer is not None and _aligned(signer.group(1).lower(), domain)
            ):
                return True
    return False


_SIGNER = re.compile(r"\bheader\.d\s*=\s*([A-Za-z0-9.-]+)", re.I)


def _aligned(signer: str, domain: str) -> bool:
    return bool(domain) and (
        domain == signer or domain.endswith("." + signer) or signer.endswith("." + domain)
    )


def refuse_forged(decision: Decision, reason: str) -> Decision:
    return Decision((Attention(reason),), f"nothing changed: {reason}")


def answered(decision: Decision) -> set[str]:
    """Who the decision answers automatically: the addresses whose count of today's answers the
    shell reads before `limit_answers` (the pure layer never calls back into the store)."""
    return {e.recipient for e in decision.effects if _automatic_answer(e)}


def _automatic_answer(effect: object) -> TypeGuard[SendMail]:
    return isinstance(effect, SendMail) and effect.auto_submitted == "auto-replied"


def limit_answers(decision: Decision, answered_today: Mapping[str, int], limit: int) -> Decision:
    """Drop answers to addresses that already got `limit` automatic answers today
    (`answered_today`: the count of each address in `answered(decision)`)."""
    kept: list[object] = []
    dropped: list[str] = []
    pending: dict[str, int] = {}
    for effect in decision.effects:
        if _automatic_answer(effect):
            count = answered_today.get(effect.recipient, 0) + pending.get(effect.recipient, 0)
            if count >= limit:
                dropped.append(effect.recipient)
                continue
            pending[effect.recipient] = pending.get(effect.recipient, 0) + 1
        kept.append(effect)
    if not dropped:
        return decision
    kept.append(Attention(f"daily limit of {limit} automatic answers reached for {', '.join(dropped)}"))
    return Decision(tuple(kept), decision.summary + f" (no answer: daily limit for {', '.join(dropped)})")  # type: ignore[arg-type]
