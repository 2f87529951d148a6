"""Hostile text typed by a responder cannot script, restyle or restructure any export."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from bot.export import Followup, Participant, TimelineEntry, Transition, build_postmortem
from bot.export.render import render
from bot.export.text import escape_md, escape_md_block

from . import scenario

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/p.png)",
    "# Owned",
    "a | b | c",
    "<b>bold</b> &lt;i&gt; &amp;",
    "- [ ] not a checkbox\n===\n1. not a list\n> not a quote",
    "`code` *em* __strong__ ~~gone~~ \\",
]


SECTIONS = [
    "## Summary",
    "## Impact",
    "## Key times",
    "## Trigger",
    "## Root cause",
    "## Contributing factors",
    "## Detection",
    "## Resolution",
    "## Timeline",
    "## Action items",
    "## What went well",
    "## What went wrong",
    "## Where we got lucky",
    "## Participants",
    "## AWS support case",
    "## Runbook steps done",
    "## Review notes (for the author)",
]


def hostile_postmortem(text: str):
    return build_postmortem(
        incident=scenario.incident(title=text, summary=text, channel=None),
        timeline=[
            TimelineEntry(
                occurred_at=scenario.at(10, 20),
                recorded_at=scenario.at(11, 0),
                author="U0DEV1",
                kind="note",
                text=text,
                permalink="javascript:alert(1)",
            )
        ],
        participants=[
            Participant(
                user="U0DEV1",
                state="standby",
                needed_seconds=60,
                transitions=[
                    Transition(to_state="standby", at=scenario.at(11, 1), by="U0CMDR", reason=text)
                ],
            )
        ],
        followups=[Followup(text=text, author="U0CMDR", created_at=scenario.at(12, 0))],
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.h1 = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1 += data


@pytest.mark.parametrize("text", HOSTILE)
def test_html_cannot_be_scripted_or_broken(text: str) -> None:
    page = render(hostile_postmortem(text), "html", scenario.TEAM_ZONES)
    parsed = _Collector()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert "b" not in parsed.tags
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not [v for name, v in parsed.attributes if name == "href" and "javascript" in (v or "")]
    # The title reads exactly as typed (on one line), as text.
    assert parsed.h1 == f"INC-1: {text}"
    assert "default-src 'none'" in page


def gfm(markdown: str) -> list:
    """The document's tokens as a GFM renderer reads it (tables and strikethrough on, raw
    HTML allowed as GitHub parses it before sanitising)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = md.parse(markdown)
    flat = []
    for token in tokens:
        flat.append(token)
        flat.extend(token.children or [])
    return flat


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_cannot_gain_structure(text: str) -> None:
    doc = render(hostile_postmortem(text), "md", scenario.TEAM_ZONES)
    headings = [line for line in doc.splitlines() if line.startswith("#")]
    assert headings[0] == "# INC-1: " + escape_md(text)
    assert headings[1:] == SECTIONS
    tokens = gfm(doc)
    # Only warroom's own structure: no image, no raw HTML but the When cells' line break,
    # no link but http(s) ones, no heading, list or quote from user text.
    assert not [t for t in tokens if t.type == "image"]
    assert {t.content for t in tokens if t.type in ("html_inline", "html_block")} <= {"<br>"}
    hrefs = [t.attrGet("href") for t in tokens if t.type == "link_open"]
    assert all(str(h).startswith("https://") for h in hrefs), hrefs
    assert [t for t in tokens if t.type == "heading_open"].__len__() == len(SECTIONS) + 1
    assert not [t for t in tokens if t.type in ("blockquote_open", "ordered_list_open")]
    assert "javascript" not in doc.replace(escape_md(text), "")


def _cells(row: str) -> int:
    """Cells in a GFM table row: pipes not escaped by a backslash, minus the outer two."""
    unescaped = re.findall(r"(?<!\\)(?:\\\\)*\|", row)
    return len(unescaped) - 1


def test_a_pipe_in_text_cannot_break_a_table_row() -> None:
    doc = render(hostile_postmortem("a | b | c\n| d |"), "md", scenario.TEAM_ZONES)
    lines = doc.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| # | When"))
    width = _cells(lines[header])
    assert width == 4
    row = lines[header + 2]
    assert _cells(row) == width
    assert row.endswith(r"a \| b \| c \| d \| |")
    rows = [t for t in gfm(doc) if t.type == "tr_open"]
    assert rows  # the tables parse as tables


def _unescape(markdown: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_escaping_reads_back_as_what_was_typed(text: str) -> None:
    assert _unescape(escape_md(text)) == " ".join(text.split())
    block = escape_md_block(text)
    # A bare URL becomes an autolink (`<https://...>`), which reads back as the URL.
    block = re.sub(r"<(https?://[^<>]+)>", r"\1", block)
    assert [_unescape(line).rstrip() for line in block.splitlines()] == [
        " ".join(line.split()) for line in text.strip().splitlines()
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_json_keeps_the_text_exactly(text: str) -> None:
    data = json.loads(render(hostile_postmortem(text), "json", ["UTC"]))
    assert data["incident"]["title"] == text
    assert data["timeline"][0]["text"] == text
    assert data["followups"][0]["text"] == text


def test_slack_markup_is_decoded_before_escaping() -> None:
    pm = hostile_postmortem("ask <@U0DEV2|dana> about <script> <!here> &lt;")
    page = render(pm, "html", ["UTC"])
    assert "ask @dana about &lt;script&gt; @here &amp;lt;" in page
    doc = render(pm, "md", ["UTC"])
    assert r"ask @dana about \<script\> @here \&lt;" in doc
