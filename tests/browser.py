"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright (no browser download)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
INSTALL_HINT = (
    "The browser tests need Chromium and Playwright's Python package:\n"
    "    sudo apt-get update && sudo apt-get install -y chromium\n"
    "    pip install playwright   # no 'playwright install' needed: /usr/bin/chromium is used\n"
    "or set TSUM_SKIP_BROWSER=1 to skip them."
)


# Read at import, before conftest's isolation fixture clears every TSUM_* variable for the tests.
SKIP = os.environ.get("TSUM_SKIP_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if SKIP:
        pytest.skip("TSUM_SKIP_BROWSER=1: headless Chromium tests skipped")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.fail(f"playwright is not installed.\n{INSTALL_HINT}", pytrace=False)
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found.\n{INSTALL_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as error:
            pytest.fail(f"Chromium did not start: {error}\n{INSTALL_HINT}", pytrace=False)
        yield chromium
        chromium.close()
