"""The HTML postmortem as a reader sees it, in headless Chromium: printed on Letter paper,
on a 1280 px screen and on a 390 px phone.

The demo's postmortem (the story, end to end through the bot) is the one printed; a
200-entry incident checks that a long timeline still fits the page budget.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from bot.export import Participant, TimelineEntry, build_postmortem
from bot.export.render import render
from bot.sandbox.demo import run_demo
from tests.export import scenario

# A word (letters, digits, `_`) spread over more than one line box was broken mid-word.
# URLs, ARNs and ids (class "token") may break anywhere; text after a hyphen may wrap.
_BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest('.token, style, title')) continue;
    const re = /[A-Za-z0-9_]{2,}/g;
    let m;
    while ((m = re.exec(node.data)) !== null) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""

_OVERFLOWING = """() => [...document.querySelectorAll('table, pre, p, h1, h2, li')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
  .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture(scope="session")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("demo")
    assert run_demo(str(out)) == 0
    return (out / "INC-1-postmortem.html").read_text(encoding="utf-8")


def long_incident_html(entries: int = 200) -> str:
    """The scenario with `entries` timeline entries of everyday length."""
    start = scenario.DECLARED
    words = (
        "Checked the {n}th shard of orders-table: the replica lag is back under a second "
        "and UPDATE_ROLLBACK_FAILED no longer shows on the stack events"
    )
    timeline = [
        TimelineEntry(
            occurred_at=start + timedelta(minutes=i),
            recorded_at=start + timedelta(minutes=i),
            author=f"U0DEV{i % 7}",
            kind="note",
            text=words.format(n=i),
        )
        for i in range(entries)
    ]
    pm = build_postmortem(
        incident=scenario.incident(),
        timeline=timeline,
        participants=[Participant(user="U0CMDR", state="released", needed_seconds=3600)],
        support=scenario.support(),
        followups=scenario.followups(),
        team_timezones=scenario.TEAM_ZONES,
        generated_at=scenario.at(15, 0),
    )
    return render(pm, "html", scenario.TEAM_ZONES)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page()
    try:
        yield page
    finally:
        page.close()


def printed_pages(page: Page, html: str) -> int:
    page.set_content(html)
    pdf = page.pdf(format="Letter")
    return len(PdfReader(io.BytesIO(pdf)).pages)


def as_printed(page: Page, html: str) -> None:
    """The page laid out as on paper: Letter minus the print margins, print styles on."""
    page.set_viewport_size({"width": 725, "height": 1000})  # 8.5in - 2 x .45in, in CSS px
    page.emulate_media(media="print")
    page.set_content(html)


def test_the_demo_postmortem_prints_on_at_most_six_letter_pages(page: Page, demo_html: str) -> None:
    assert printed_pages(page, demo_html) <= 6


def test_a_200_entry_incident_prints_on_at_most_fourteen_pages(page: Page) -> None:
    assert printed_pages(page, long_incident_html(200)) <= 14


def test_printed_no_word_is_broken_and_nothing_is_cut_off(page: Page, demo_html: str) -> None:
    as_printed(page, demo_html)
    assert page.evaluate(_BROKEN_WORDS) == []
    assert page.evaluate(_OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_table_headers_repeat_on_every_printed_page(page: Page, demo_html: str) -> None:
    as_printed(page, demo_html)
    displays = page.evaluate(
        "[...document.querySelectorAll('thead')].map(t => getComputedStyle(t).display)"
    )
    assert displays and set(displays) == {"table-header-group"}
    avoid = page.evaluate(
        "getComputedStyle(document.querySelector('table.timeline tr')).breakInside"
    )
    assert avoid == "avoid"


def test_at_1280_px_the_words_take_most_of_the_timeline(page: Page, demo_html: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_content(demo_html)
    table, what, when = page.evaluate(
        """() => {
          const t = document.querySelector('table.timeline');
          const row = t.querySelector('tbody tr, tr:nth-child(2)');
          return [t.getBoundingClientRect().width,
                  t.querySelector('td.what').getBoundingClientRect().width,
                  t.querySelector('td.when').getBoundingClientRect().width];
        }"""
    )
    assert what >= table / 2
    assert when <= table * 0.2
    # The reader's zone reads on one line.
    heights = page.evaluate(
        "[...document.querySelectorAll('td.when .primary')].map(e => e.getClientRects().length)"
    )
    assert set(heights) == {1}
    assert page.evaluate(_BROKEN_WORDS) == []


def test_at_390_px_nothing_needs_horizontal_scrolling(page: Page, demo_html: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(demo_html)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(_OVERFLOWING) == []
    assert page.evaluate(_BROKEN_WORDS) == []
    # Entries stack as cards: the first entry's words start at the card's left edge.
    left = page.evaluate(
        "document.querySelector('table.timeline td.what').getBoundingClientRect().left"
    )
    assert left < 40


def test_the_long_incident_has_no_horizontal_scrolling_on_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content(long_incident_html(40))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_css_is_one_shared_file_embedded_inline(demo_html: str) -> None:
    css = (Path(__file__).parents[2] / "bot/export/templates/postmortem.css").read_text()
    assert css.strip() in demo_html
    assert "<link" not in demo_html
