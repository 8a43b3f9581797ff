"""axe-core (npm, pinned in tests/js/package.json) run in headless Chromium over a page.

A copy of the page gets axe and a few lines that run it with the WCAG 2.1 A and AA rule sets
and write the violations into the document; Chromium's `--dump-dom` then prints them. The copy
sits beside the original, so its stylesheet (colour contrast) and links resolve as for a reader.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_RESULT = re.compile(r'<pre id="axe-result">(.*?)</pre>', re.S)
_RUN = """<script>
axe.run(document, {runOnly: {type: "tag", values: %s}}).then(function (result) {
  report(result.violations.map(function (v) {
    var nodes = v.nodes.map(function (n) { return n.target.join(" "); });
    return {id: v.id, impact: v.impact, help: v.help, nodes: nodes};
  }));
}, function (error) { report({error: String(error)}); });
function report(value) {
  var out = document.createElement("pre");
  out.id = "axe-result";
  out.textContent = JSON.stringify(value);
  document.body.appendChild(out);
}
</script>"""


def violations(site: Path, pages: list[str], work: Path) -> dict[str, Any]:
    """{page: violations} for each page of `site` (relative names); the site is copied to `work`."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing; install it with: npm ci --prefix tests/js")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install it with: apt-get install -y chromium")
    copy = work / "site"
    shutil.copytree(site, copy)
    found: dict[str, Any] = {}
    for name in pages:
        page = copy / name
        checked = page.with_name(page.stem + ".axe.html")
        injected = f'<script src="{AXE.as_uri()}"></script>' + _RUN % json.dumps(TAGS)
        checked.write_text(
            page.read_text(encoding="utf-8").replace("</body>", injected + "</body>"), encoding="utf-8"
        )
        command = [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--allow-file-access-from-files", f"--user-data-dir={work / 'profile'}",
            "--virtual-time-budget=30000", "--dump-dom", checked.as_uri(),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        match = _RESULT.search(result.stdout)
        assert match, f"axe did not report on {name}: {result.stderr[-1000:]}"
        value = json.loads(html.unescape(match.group(1)))
        assert not (isinstance(value, dict) and "error" in value), (name, value)
        found[name] = value
    return found
