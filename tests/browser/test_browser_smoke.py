"""The browser fixture drives the machine's Chromium: a page renders and prints."""

from __future__ import annotations

from playwright.sync_api import Browser


def test_chromium_renders_and_prints(browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 800})
    try:
        page.set_content("<!DOCTYPE html><title>t</title><p id=p>warroom</p>")
        assert page.inner_text("#p") == "warroom"
        assert page.pdf(format="Letter").startswith(b"%PDF")
    finally:
        page.close()
