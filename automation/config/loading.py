"""Reading config.toml: every problem reported at once, naming file, key and fix."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from automation.config.servers import _COPIES_MAILBOX_OAUTH2
from automation.config.settings import Settings
from automation.errors import ConfigError


def load(path: Path) -> Settings:
    """Read and validate one config file; raise ConfigError listing every problem."""
    if not path.exists():
        raise ConfigError(
            [f"{path}: file not found; copy config.example.toml to {path} or pass --config PATH"]
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc}); fix the syntax at that line"]) from exc
    try:
        settings = Settings.model_validate({**raw, "source": path})
    except ValidationError as exc:
        errors = exc.errors()
        for name in _COPIES_MAILBOX_OAUTH2:
            if isinstance(raw.get(name), dict) and raw[name].get("oauth2") == "mailbox":
                # A copy of [mailbox.oauth2]: its problems are reported once, where they are written.
                errors = [e for e in errors if tuple(e["loc"][:2]) != (name, "oauth2")]
        raise ConfigError([_describe(path, raw, err) for err in errors]) from exc
    from automation.demo import demo_problems

    shared = demo_problems(settings)
    if shared:
        raise ConfigError(shared)
    return settings


_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it or check its spelling (see config.example.toml)",
    "datetime_from_date_parsing": "write a local time such as 2024-03-12T09:00:00",
    "datetime_parsing": "write a local time such as 2024-03-12T09:00:00",
    "datetime_type": "write a local time such as 2024-03-12T09:00:00 (no quotes)",
    "literal_error": "use one of the values listed",
    "value_error": "correct the value",
    "int_parsing": "write a whole number",
    "string_pattern_mismatch": "check the format (codes: letters, digits, - or _, e.g. 2024-03)",
    "oauth2_missing": "add it (see the Microsoft 365 / Google Workspace sections of the README)",
    "oauth2_username": "set username to the mailbox's address",
    "oauth2_from_mailbox": "add [mailbox.oauth2], or give [sending.oauth2] its own settings",
}


def _describe(path: Path, raw: dict[str, Any], err: Any) -> str:
    loc = [part for part in err["loc"] if part not in ("function-after", "str", "date", "datetime")]
    where = _location(raw, loc)
    message = err["msg"].removeprefix("Value error, ")
    fix = _FIXES.get(err["type"], "correct the value")
    if where.endswith("]") and re.match(r"[a-z_]+: ", message):
        # The message names the key inside the table: "[mailbox.oauth2] tenant: required ..."
        return f"{path}: {where} {message}; fix: {fix}"
    return f"{path}: {where}: {message}; fix: {fix}"


def _location(raw: dict[str, Any], loc: list[Any]) -> str:
    if not loc:
        return "(top level)"
    if loc[0] == "meetings" and len(loc) > 1 and isinstance(loc[1], int):
        meetings = raw.get("meetings") or []
        code = meetings[loc[1]].get("code", "?") if loc[1] < len(meetings) else "?"
        key = ".".join(str(p) for p in loc[2:]) or "(the whole entry)"
        return f"[[meetings]] #{loc[1] + 1} (code {code}) {key}"
    if len(loc) == 1:
        return f"[{loc[0]}]" if isinstance(raw.get(str(loc[0])), dict) else f"key {loc[0]}"
    if len(loc) >= 2 and loc[1] == "oauth2":
        # "[mailbox.oauth2] tenant: required ...": the key is in the message or after the table
        rest = ".".join(str(p) for p in loc[2:])
        return f"[{loc[0]}.oauth2]" + (f" {rest}" if rest else "")
    return f"[{loc[0]}] {'.'.join(str(p) for p in loc[1:])}"
