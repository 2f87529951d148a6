"""What a reader sees in the Markdown and HTML exports beyond the golden scenario."""

from __future__ import annotations

import re

import pytest

from bot.domain.errors import InvalidTime, UsageError
from bot.domain.incident import Severity, Status
from bot.export import IncidentFacts, Participant, TimelineEntry, build_postmortem
from bot.export.render import render

from . import scenario
from .scenario import DECLARED, at


def bare_postmortem(**incident_changes: object):
    facts = {
        "reference": "INC-2",
        "title": "Checkout latency",
        "severity": Severity.SEV3,
        "status": Status.INVESTIGATING,
        "declared_at": DECLARED,
    }
    facts.update(incident_changes)
    return build_postmortem(
        incident=IncidentFacts.model_validate(facts),
        timeline=[
            TimelineEntry(
                occurred_at=DECLARED, recorded_at=DECLARED, kind="declared", text="Declared"
            )
        ],
        participants=[Participant(user="U0CMDR", state="needed")],
    )


def test_markdown_shows_unknown_where_nothing_is_known() -> None:
    doc = render(bare_postmortem(), "md", ["Africa/Nairobi"])
    assert "| Commander | _unknown_ |" in doc
    assert "| AWS support plan | _unknown_ |" in doc
    assert "| Resolved | _unknown_ |" in doc
    assert "| Time to resolve (declared to resolved) | _unknown_ |" in doc
    assert "| Time to declare (first entry to declared) | _unknown_ |" in doc
    assert "| @U0CMDR | needed | _unknown_ |" in doc
    assert "| Responder hours (time as needed, everyone) | _unknown_ |" in doc
    assert "| Case | _unknown_ |" in doc
    assert "## Summary\n\n*What happened, in two or three sentences" in doc
    assert "None" not in doc


def test_html_shows_unknown_where_nothing_is_known() -> None:
    page = render(bare_postmortem(), "html", ["Africa/Nairobi"])
    unknown = '<span class="unknown">unknown</span>'
    assert f'<tr><th scope="row">Commander</th><td>{unknown}</td></tr>' in page
    assert f'<tr><th scope="row">Resolved</th><td class="when">{unknown}</td></tr>' in page
    assert (
        f'<tr><th scope="row">Time to resolve (declared to resolved)</th><td>{unknown}</td></tr>'
        in page
    )
    assert "None" not in page


def test_every_time_reads_in_the_first_team_zone_then_the_others_and_utc() -> None:
    doc = render(scenario.postmortem(), "md", scenario.TEAM_ZONES)
    first_row = next(line for line in doc.splitlines() if line.startswith("| 1 |"))
    assert "| **Sep 16 03:20 PDT**<br>13:20 EAT · 12:20 CAT · 10:20 GMT · 10:20 UTC |" in first_row
    assert "*backdated* (logged 2026-09-16 11:05 UTC)" in first_row


def test_the_reader_chooses_the_zone_read_first() -> None:
    doc = render(scenario.postmortem(), "md", scenario.TEAM_ZONES, reader_zone="Africa/Lusaka")
    first_row = next(line for line in doc.splitlines() if line.startswith("| 1 |"))
    assert "| **Sep 16 12:20 CAT**<br>03:20 PDT · 13:20 EAT · 10:20 GMT · 10:20 UTC |" in first_row


def test_zone_times_keep_the_date_across_midnight() -> None:
    pm = bare_postmortem(declared_at=at(23, 30))
    doc = render(pm, "md", ["Africa/Nairobi", "America/Los_Angeles"])
    assert "| Declared | **Sep 17 02:30 EAT**<br>Sep 16 16:30 PDT · Sep 16 23:30 UTC |" in doc


def test_utc_in_the_team_zones_adds_no_second_utc_line() -> None:
    doc = render(scenario.postmortem(), "md", ["UTC", "Africa/Lusaka", "Africa/Lusaka"])
    assert "| Declared | **Sep 16 13:02 CAT**<br>11:02 UTC |" in doc
    only_utc = render(scenario.postmortem(), "md", ["UTC"])
    assert "| Declared | **Sep 16 11:02 UTC** |" in only_utc


def test_drill_is_marked() -> None:
    assert "DRILL" not in render(scenario.postmortem(), "md", ["UTC"])
    drill = bare_postmortem(is_drill=True)
    assert "> **DRILL**: a game day" in render(drill, "md", ["UTC"])
    assert '<p class="drill">DRILL: a game day' in render(drill, "html", ["UTC"])


def test_blameless_prompts_and_review_notes() -> None:
    for fmt in ("md", "html"):
        text = render(scenario.postmortem(), fmt, scenario.TEAM_ZONES)  # type: ignore[arg-type]
        for prompt in (
            "Trigger",
            "Root cause",
            "Impact",
            "What went well",
            "What went wrong",
            "Where we got lucky",
            "Action items",
            "Review notes (for the author)",
            "This review is about systems, not people.",
        ):
            assert prompt in text, (fmt, prompt)
        assert "Enable DynamoDB point-in-time recovery on every production table" in text
        assert "timeline 3:" in text
    clean = render(bare_postmortem(), "md", ["UTC"])
    assert "No blaming language found." in clean


def test_html_is_self_contained_and_printable() -> None:
    page = render(scenario.postmortem(), "html", scenario.TEAM_ZONES)
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"\bsrc=", page)
    assert "@media print" in page
    # The only outside URL is the Slack permalink from the scenario, as a plain link.
    assert re.findall(r"https?://[^\"<\s]+", page) == [
        "https://example.slack.com/archives/C0INC1/p1789557660000100"
    ]


def test_an_unknown_zone_is_refused_with_a_useful_message() -> None:
    with pytest.raises(InvalidTime) as refused:
        render(scenario.postmortem(), "md", ["Africa/Nairobi", "Mars/Olympus"])
    assert "`Mars/Olympus` is not an IANA timezone" in refused.value.user_message


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(UsageError) as refused:
        render(scenario.postmortem(), "pdf", ["UTC"])  # type: ignore[arg-type]
    assert "md, json, html" in refused.value.user_message


def test_the_markdown_reads_as_gfm_tables_with_every_cell_in_place() -> None:
    from markdown_it import MarkdownIt

    doc = render(scenario.postmortem(), "md", scenario.TEAM_ZONES)
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = md.parse(doc)
    tables = [t for t in tokens if t.type == "table_open"]
    # facts, impact, key times, timeline, action items, participants, support, runbook
    # steps, AWS Health events
    assert len(tables) == 9
    html = md.render(doc)
    assert "<th>When</th>" in html
    assert "<strong>Declared</strong>" in html
    assert "<td>@U0DEV2</td>" in html  # the action item's owner
    assert "\\" not in html.replace("\\\\", "")  # no stray backslash reaches the reader


def test_a_bare_url_before_punctuation_keeps_no_backslash() -> None:
    from markdown_it import MarkdownIt

    pm = bare_postmortem(summary="See https://status.example.com/incidents/42). Then (retry).")
    html = MarkdownIt("commonmark").render(render(pm, "md", ["UTC"]))
    assert '<a href="https://status.example.com/incidents/42">' in html
    assert "incidents/42</a>). Then (retry)." in html


def test_resolved_participants_read_as_they_stood_at_the_end() -> None:
    pm = build_postmortem(
        incident=scenario.incident(),
        timeline=[],
        participants=[Participant(user="U0DEV1", state="needed", needed_seconds=60)],
    )
    doc = render(pm, "md", ["UTC"])
    assert "| Who | At the end |" in doc
    assert "| @U0DEV1 | needed until resolved |" in doc
    assert "State now: needed" not in doc
