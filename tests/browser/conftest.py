"""Headless Chromium for the browser tests: Debian's `chromium`, driven by playwright.

The browser is the machine's own (`/usr/bin/chromium`, installed by `.ci/run`); playwright's
own browser downloads (`playwright install`) are never used. A missing browser is a failure,
not a skip: a suite that silently stops checking what a reader sees is worse than a red one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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
