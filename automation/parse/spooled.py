"""The mark a big message's reduced form carries on each part whose content was spooled to a
file (automation/inbox/spool.py): `X-Automation-Spooled: part-3; size=26214400`."""

from __future__ import annotations

import re
from pathlib import Path

SPOOLED = "X-Automation-Spooled"
_NAME = re.compile(r"part-\d{1,6}")


def spooled_file(spool: Path | None, value: str) -> tuple[Path | None, int]:
    """(file, size) named by an X-Automation-Spooled header; no file without a spool directory
    (the header in a message that did not come through the spooling reader is a sender's)."""
    name, _, rest = str(value).partition(";")
    size = re.search(r"size=(\d+)", rest)
    path = spool / name.strip() if spool is not None and _NAME.fullmatch(name.strip()) else None
    return path, int(size.group(1)) if size else 0
