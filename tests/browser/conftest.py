"""Headless Chromium for the browser tests: Debian's `chromium`, driven by playwright.

The browser is the machine's own (`/usr/bin/chromium`, installed by `.ci/run`); playwright's
own browser downloads (`playwright install`) are never used. A missing browser is a failure,
not a skip: a suite that silently stops checking what a reader sees is worse than a red one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = Path(os.environ.get("WARROOM_TEST_CHROMIUM", "/usr/bin/chromium"))

# As root, on a machine with a closed network: no sandbox, and nothing that phones home.
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`.ci/run` does it with apt-get)"
        )
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def chromium(browser: Browser) -> Browser:
    """The incident-page tests' name for the same browser."""
    return browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, with script errors collected."""
    context = browser.new_context(timezone_id="America/Los_Angeles")
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))

    def on_console(msg: Any) -> None:
        # CSP refusals and script errors count; the browser's own favicon probe does not.
        if msg.type == "error" and not str(msg.location.get("url", "")).endswith("favicon.ico"):
            tab.errors.append(msg.text)

    tab.on("console", on_console)
    yield tab
    context.close()
