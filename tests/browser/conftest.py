"""A headless Chromium for the page tests: Debian's `chromium` driven by Playwright (never
`playwright install`: it downloads browsers from outside)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("WARROOM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: apt-get install -y chromium (or set WARROOM_CHROMIUM)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) per test, with script errors collected."""
    context = chromium.new_context(timezone_id="America/Los_Angeles")
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
