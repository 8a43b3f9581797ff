"""Independent parsers run on our ICS bytes, so tests do not only ask icalendar about itself.

- `libical_errors`: libical 3 (Evolution's library) through PyGObject in the *system* Python,
  with the RFC 5546 iTIP restrictions for the object's METHOD. Debian packages:
  `gir1.2-ical-3.0 python3-gi`.
- `icaljs_start_utc`: ical.js (Thunderbird's and Nextcloud's parser) under node, reading only
  the VTIMEZONEs embedded in the object. npm package pinned in tests/js/package.json.

A missing tool raises RuntimeError naming the install command: the tests then fail, never skip
(calendar-and-mail-conventions.md C lists what each tool catches and what it does not).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"
LIBICAL_INSTALL = "apt-get install -y --no-install-recommends gir1.2-ical-3.0 python3-gi"
JS_DIR = Path(__file__).resolve().parent / "js"
JS_INSTALL = "npm ci --prefix tests/js"

# Exit code of the inline script when PyGObject or the libical typelib is missing.
_MISSING = 3

# The GI namespace with classes is ICalGLib (libical-glib); "ICal" in the same Debian package is
# the raw C API without a Component class. Component.check_restrictions() is
# icalcomponent_check_restrictions(): it applies the iTIP restrictions for the VCALENDAR's METHOD
# and adds X-LIC-ERROR properties where they fail; the parser adds its own X-LIC-ERRORs.
_LIBICAL_SCRIPT = r"""
import json, sys
try:
    import gi
    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib as ICal
except (ImportError, ValueError) as error:
    print(error, file=sys.stderr)
    sys.exit(3)

text = sys.stdin.buffer.read().decode("utf-8")
try:
    root = ICal.Component.new_from_string(text)
except TypeError:  # "constructor returned NULL"
    root = None
if root is None:
    print(json.dumps(["libical could not parse the object at all"]))
    sys.exit(0)
root.check_restrictions()

ERROR = ICal.PropertyKind.XLICERROR_PROPERTY
ANY = ICal.ComponentKind.ANY_COMPONENT


def walk(component, path, found):
    path = path + [ICal.Component.kind_to_string(component.isa())]
    prop = component.get_first_property(ERROR)
    while prop is not None:
        param = prop.get_first_parameter(ICal.ParameterKind.XLICERRORTYPE_PARAMETER)
        kind = param.as_ical_string().partition("=")[2] if param is not None else "?"
        found.append("%s: %s: %s" % ("/".join(path), kind, prop.get_xlicerror()))
        prop = component.get_next_property(ERROR)
    child = component.get_first_component(ANY)
    while child is not None:
        walk(child, path, found)
        child = component.get_next_component(ANY)
    return found


print(json.dumps(walk(root, [], []), ensure_ascii=False))
"""


def libical_errors(ics: bytes) -> list[str]:
    """Every X-LIC-ERROR libical puts anywhere in the tree after parsing and the iTIP check,
    as "VCALENDAR/VEVENT: INVALID-ITIP: Failed iTIP restrictions for ..."; [] means clean."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        raise RuntimeError(f"{SYSTEM_PYTHON} not found; install the libical validator: {LIBICAL_INSTALL}")
    done = subprocess.run(
        [SYSTEM_PYTHON, "-I", "-c", _LIBICAL_SCRIPT],
        input=ics,
        capture_output=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode == _MISSING:
        raise RuntimeError(f"libical via PyGObject is missing ({stderr}); install it: {LIBICAL_INSTALL}")
    if done.returncode != 0:
        raise RuntimeError(f"libical validator failed (exit {done.returncode}): {stderr}")
    errors = json.loads(done.stdout)
    assert isinstance(errors, list)
    return [str(e) for e in errors]


def icaljs_start_utc(ics: bytes) -> str:
    """The first VEVENT's DTSTART as ical.js computes it from the embedded VTIMEZONE, as an ISO
    string in UTC ("2024-03-12T07:00:00.000Z"). Raises AssertionError if ical.js cannot read the
    object or a TZID has no VTIMEZONE (ical.js would silently use floating time)."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError(f"node is not installed (apt-get install nodejs npm), then run {JS_INSTALL}")
    if not (JS_DIR / "node_modules" / "ical.js" / "package.json").is_file():
        raise RuntimeError(f"ical.js is not installed; run {JS_INSTALL}")
    done = subprocess.run(
        [node, str(JS_DIR / "start_utc.mjs")],
        input=ics,
        capture_output=True,
        timeout=60,
        cwd=JS_DIR,
        # TZ=UTC: a zone that fell back to floating time must not be rescued by the machine's zone.
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "LANG": "C.UTF-8"},
    )
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode == 2:
        raise AssertionError(f"ical.js rejected the object: {stderr}")
    if done.returncode != 0:
        raise RuntimeError(f"ical.js validator failed (exit {done.returncode}): {stderr}")
    return done.stdout.decode("ascii").strip()
