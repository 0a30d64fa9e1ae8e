"""Helpers of the browser tests: the system chromium, screenshots and axe-core checks.

`make test` finds or installs a Chromium first (scripts/test-prereqs.sh: Debian's package as root, else
Playwright's own browser) and passes it as ASSISTANT_TEST_BROWSER. Artefacts go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = ROOT / "api" / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


def chromium_path() -> str:
    """Returns the Chromium `make test` found (or one on PATH), or fails with the command that installs it."""
    path = os.environ.get("ASSISTANT_TEST_BROWSER") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("the browser tests need Chromium: run `make test` (it installs one), or "
                           "apt-get install -y chromium chromium-driver")
    return path


def screenshot(page, name: str) -> Path:
    """Saves a full-page screenshot under test-artifacts/screenshots/ and returns its path."""
    path = ARTIFACTS / "screenshots" / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not page.is_closed():
        page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, name: str, *, impacts: tuple[str, ...] = ("serious", "critical"), context: str | None = None) -> list[dict]:
    """Runs axe-core (WCAG 2 A/AA rules) in the page, saves every violation to test-artifacts/axe-<name>.json
    and returns those of the given impacts."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (selector) => {
            const options = {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}};
            return await axe.run(selector ? document.querySelector(selector) : document, options);
        }""",
        context,
    )
    found = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(result["violations"], indent=2))
    return found
