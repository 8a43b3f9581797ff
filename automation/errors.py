"""Errors the command line knows how to explain in one line (exit 2)."""

from __future__ import annotations


class AutomationError(Exception):
    """A known problem a user can fix; its message is the whole explanation."""


class ConfigError(AutomationError):
    """Every problem found in one configuration file, each naming file, key and fix."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class TransientError(AutomationError):
    """A server said "try again later" or could not be reached: retry with backoff."""


class PermanentError(AutomationError):
    """A server refused for good (5xx): record it, tell the coordinator, do not retry."""


class ConnectionLost(TransientError):
    """The server went away mid-batch: the rest of the batch waits for the next pass."""


class SessionRefused(TransientError):
    """The server refused the session or our sender (EHLO, login, MAIL FROM), not one recipient:
    no message is at fault, so the outbox pauses (rows stay pending) and backs off until it works.
    The message is the translated explanation of what to fix."""
