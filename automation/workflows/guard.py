"""Guards applied to every decision before it is committed. Pure.

- Forged mail: when our own receiving server (the trusted authserv-id) says DKIM or SPF failed
  for the claimed sender, the message may not change anything nor make us write to anyone.
- Flooding: at most N automatic answers per address per day, whatever arrives in their name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from automation.model import Attention, Decision, SendMail

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*([a-z]+)", re.I)


def authentication_failed(results: Sequence[str], trusted_authserv_id: str) -> str:
    """Why the trusted server's verdict rejects the sender, or "" when it does not."""
    if not trusted_authserv_id:
        return ""
    for header in results:
        authserv = header.split(";", 1)[0].strip().split()[0].lower() if header.strip() else ""
        if authserv != trusted_authserv_id.lower():
            continue  # only our own server's verdict counts; anyone can add such a header
        verdicts = {method.lower(): value.lower() for method, value in _RESULT.findall(header)}
        if verdicts.get("dkim") == "pass" or verdicts.get("dmarc") == "pass":
            return ""
        failed = [f"{m}={v}" for m, v in verdicts.items() if v in ("fail", "softfail", "permerror")]
        if failed:
            return f"sender not authenticated by {authserv}: {', '.join(failed)}"
    return ""


def refuse_forged(decision: Decision, reason: str) -> Decision:
    return Decision((Attention(reason),), f"nothing changed: {reason}")


def limit_answers(decision: Decision, answered_today: Callable[[str], int], limit: int) -> Decision:
    """Drop answers to addresses that already got `limit` automatic answers today."""
    kept: list[object] = []
    dropped: list[str] = []
    pending: dict[str, int] = {}
    for effect in decision.effects:
        if isinstance(effect, SendMail) and effect.auto_submitted == "auto-replied":
            count = answered_today(effect.recipient) + pending.get(effect.recipient, 0)
            if count >= limit:
                dropped.append(effect.recipient)
                continue
            pending[effect.recipient] = pending.get(effect.recipient, 0) + 1
        kept.append(effect)
    if not dropped:
        return decision
    kept.append(Attention(f"daily limit of {limit} automatic answers reached for {', '.join(dropped)}"))
    return Decision(tuple(kept), decision.summary + f" (no answer: daily limit for {', '.join(dropped)})")  # type: ignore[arg-type]
