"""Headless Chromium for the tests: Debian's browser, never a downloaded one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from support import PROJECT, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_script() -> Path | None:
    for candidate in (os.environ.get("AXE_JS"), PROJECT / "node_modules" / "axe-core" / "axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM.exists() or bool(shutil.which("chromium")), "Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "Playwright for Python is not installed")
    with sync_playwright() as playwright:   # Playwright gives each launch a fresh, empty profile
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM) if CHROMIUM.exists()
                                             else shutil.which("chromium"), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def axe_violations(page) -> list[dict]:
    script = axe_script()
    require(script is not None, "axe-core is not installed (npm install axe-core)")
    page.add_script_tag(path=str(script))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]]
