"""The postmortem exported from the store: over Slack, from rows, on SQLite and PostgreSQL.

Incidents are declared over signed HTTP where the test is about Slack; rows other features
write (captured messages, roster moves, support cases, follow-ups, runbook ticks) are
inserted directly, exactly as those features store them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bot.domain.errors import NotFound
from bot.export import Postmortem
from bot.services import postmortem
from bot.slack.commands.postmortem import offer_export
from bot.slack.ids import ActionId
from bot.store.db import Database
from bot.store.models import (
    FollowUp,
    Incident,
    Participant,
    ParticipantTransition,
    RunbookStep,
    SupportCase,
    TimelineEntry,
)
from tests.harness import COMMANDER, BotHarness

T0 = datetime(2026, 9, 16, 11, 0, tzinfo=UTC)
ZONES = ("America/Los_Angeles", "Africa/Nairobi")
CONTRACT_KEYS = {
    "incident": {
        "reference",
        "title",
        "severity",
        "status",
        "commander",
        "declared_at",
        "resolved_at",
    },
    "timeline": {"occurred_at", "recorded_at", "author", "kind", "text"},
    "participants": {"user", "state", "needed_seconds", "transitions"},
    "support": {"plan", "case_id", "severity", "opened_at", "first_response_at"},
    "metrics": {
        "time_to_declare",
        "time_to_support_case",
        "time_to_support_response",
        "time_to_resolve",
        "responder_hours",
    },
    "followups": {"text", "author", "created_at"},
}
OFFSET = re.compile(r"[+-]\d{2}:\d{2}$")
HOSTILE_TITLE = "<script>alert(1)</script> <!channel> [x](javascript:alert(1)) # H1"


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def seed_incident(
    db: Database,
    *,
    entries: int = 3,
    people: int = 2,
    struck: int = 1,
    title: str = "Production environment deleted",
    drill: bool = False,
    resolved: bool = True,
    case: bool = True,
) -> int:
    """An incident as the other features store it; returns its number.

    `entries` notes one minute apart (the first backdated before the declaration), `struck`
    more that were struck, a status change to monitoring at +60m, `people` responders each
    needed 30 minutes then released to standby, a support case opened at +20m answered at
    +50m, two follow-ups and one ticked runbook step. Resolved at +120m.
    """
    with db.transaction() as session:
        incident = Incident(
            title=title,
            severity="sev1",
            status="resolved" if resolved else "monitoring",
            is_drill=drill,
            declared_by="U0CMDR",
            commander_id="U0CMDR",
            declared_at=T0,
            resolved_at=minutes(120) if resolved else None,
            summary="Stack deleted.",
            channel_id=None,
            channel_name="inc-1-production",
            support_plan="business",
        )
        session.add(incident)
        session.flush()
        n = incident.number
        session.add(
            TimelineEntry(
                incident_number=n,
                occurred_at=T0,
                recorded_at=T0,
                author_id="U0CMDR",
                kind="declared",
                text=f"Incident declared: {title}",
            )
        )
        for i in range(entries):
            at = minutes(i - 10)
            session.add(
                TimelineEntry(
                    incident_number=n,
                    occurred_at=at,
                    recorded_at=minutes(i + 5),
                    author_id="U0DEV1",
                    kind="note",
                    text=f"note {i}",
                    backdated=True,
                )
            )
        for i in range(struck):
            session.add(
                TimelineEntry(
                    incident_number=n,
                    occurred_at=minutes(30 + i),
                    recorded_at=minutes(30 + i),
                    author_id="U0DEV1",
                    kind="note",
                    text=f"struck {i}",
                    struck_at=minutes(31 + i),
                    struck_by="U0CMDR",
                    strike_reason="wrong incident",
                )
            )
        session.add(
            TimelineEntry(
                incident_number=n,
                occurred_at=minutes(60),
                recorded_at=minutes(60),
                author_id="U0CMDR",
                kind="status",
                text="Status: identified → monitoring",
                data={"old": "identified", "new": "monitoring"},
            )
        )
        for i in range(people):
            person = Participant(
                incident_number=n,
                user_id=f"U0P{i:04d}",
                state="standby",
                joined_at=T0,
                needed_since=None,
                needed_seconds=1800,
                last_active_at=T0,
            )
            session.add(person)
            session.flush()
            session.add_all(
                [
                    ParticipantTransition(
                        participant_id=person.id,
                        from_state=None,
                        to_state="needed",
                        at=T0,
                        by_user="U0CMDR",
                        reason="paged",
                    ),
                    ParticipantTransition(
                        participant_id=person.id,
                        from_state="needed",
                        to_state="standby",
                        at=minutes(30),
                        by_user="U0CMDR",
                        reason="gave what we needed",
                    ),
                ]
            )
        if case:
            session.add(
                SupportCase(
                    incident_number=n,
                    case_id=f"case-123456789012-muen-2026-{n:06d}",
                    display_id="172839",
                    severity="critical",
                    plan="business",
                    subject="prod down",
                    opened_by="U0CMDR",
                    opened_at=minutes(20),
                    first_response_at=minutes(50),
                )
            )
        session.add_all(
            [
                FollowUp(
                    incident_number=n,
                    text="Enable PITR",
                    author_id="U0CMDR",
                    created_at=minutes(115),
                ),
                FollowUp(
                    incident_number=n,
                    text="Termination protection",
                    author_id="U0DEV1",
                    created_at=minutes(116),
                ),
            ]
        )
        session.add(
            RunbookStep(
                incident_number=n,
                runbook_id="cfn-rollback-failed",
                step_index=0,
                step_text="Check the stack events",
                ticked_by="U0DEV1",
                ticked_at=minutes(5),
            )
        )
        return n


@contextmanager
def counting_statements(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def export_json(db: Database, number: int, now: datetime | None = None) -> dict[str, Any]:
    now = now or minutes(200)
    exported = postmortem.export_incident(db, number, "json", zones=ZONES, now=now)
    return json.loads(exported.content)


# --- from the store ------------------------------------------------------------------------


def test_json_from_the_store_has_every_contract_key_and_value(db: Database) -> None:
    number = seed_incident(db)

    doc = export_json(db, number)

    Postmortem.model_validate(doc)
    for key, fields in CONTRACT_KEYS.items():
        rows = doc[key] if isinstance(doc[key], list) else [doc[key]]
        assert rows, key
        for row in rows:
            assert fields <= row.keys(), (key, fields - row.keys())
    inc = doc["incident"]
    assert inc["reference"] == "INC-1" and inc["severity"] == "sev1"
    assert inc["commander"] == "U0CMDR" and inc["status"] == "resolved"
    assert inc["declared_at"] == "2026-09-16T11:00:00+00:00"
    assert inc["resolved_at"] == "2026-09-16T13:00:00+00:00"
    assert doc["support"] == {
        "plan": "business",
        "case_id": "172839",
        "severity": "critical",
        "opened_at": "2026-09-16T11:20:00+00:00",
        "first_response_at": "2026-09-16T11:50:00+00:00",
    }
    assert doc["metrics"] == {
        "time_to_declare": 600.0,
        "time_to_support_case": 1200.0,
        "time_to_support_response": 1800.0,
        "time_to_resolve": 7200.0,
        "responder_hours": 1.0,
        "restore_drill": {},  # no restore drill in this incident
        "surface_outages": [],
    }
    assert doc["key_times"]["mitigated_at"] == "2026-09-16T12:00:00+00:00"
    assert [f["text"] for f in doc["followups"]] == ["Enable PITR", "Termination protection"]
    assert doc["followups"][0]["author"] == "U0CMDR"
    assert doc["runbook_steps"][0]["step"] == "Check the stack events"
    person = doc["participants"][0]
    assert person["user"] == "U0P0000" and person["state"] == "standby"
    assert person["needed_seconds"] == 1800
    assert [(t["from_state"], t["to_state"], t["reason"]) for t in person["transitions"]] == [
        (None, "needed", "paged"),
        ("needed", "standby", "gave what we needed"),
    ]
    assert doc["team_timezones"] == list(ZONES)


def test_every_instant_has_an_explicit_offset(db: Database) -> None:
    doc = export_json(db, seed_incident(db))

    instants: list[str] = []

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and (key.endswith("_at") or key == "at"):
            instants.append(value)

    walk(doc)
    assert len(instants) > 20
    assert all(OFFSET.search(v) for v in instants), [v for v in instants if not OFFSET.search(v)]


def test_timeline_is_oldest_first_without_struck_entries(db: Database) -> None:
    number = seed_incident(db, entries=3, struck=2)

    timeline = export_json(db, number)["timeline"]

    texts = [e["text"] for e in timeline]
    assert not any(t.startswith("struck") for t in texts)
    assert texts[:3] == ["note 0", "note 1", "note 2"]
    assert texts[3].startswith("Incident declared")
    occurred = [e["occurred_at"] for e in timeline]
    assert occurred == sorted(occurred)
    assert [e["backdated"] for e in timeline[:4]] == [True, True, True, False]
    assert timeline[-1]["to_status"] == "monitoring"


def test_unknowns_are_null_never_guessed(db: Database) -> None:
    number = seed_incident(db, entries=0, people=0, case=False, resolved=False)
    with db.transaction() as session:
        session.get(Incident, number).support_plan = "not_configured"

    doc = export_json(db, number)

    assert doc["incident"]["resolved_at"] is None
    assert doc["support"] == {
        "plan": None,
        "case_id": None,
        "severity": None,
        "opened_at": None,
        "first_response_at": None,
    }
    assert doc["metrics"]["time_to_declare"] is None
    assert doc["metrics"]["time_to_support_case"] is None
    assert doc["metrics"]["time_to_resolve"] is None
    assert doc["metrics"]["responder_hours"] is None


def test_open_needed_interval_counts_up_to_resolution(db: Database) -> None:
    number = seed_incident(db, people=0)
    with db.transaction() as session:
        session.add(
            Participant(
                incident_number=number,
                user_id="U0STILL",
                state="needed",
                joined_at=T0,
                needed_since=minutes(90),
                needed_seconds=600,
                last_active_at=T0,
            )
        )

    doc = export_json(db, number, now=minutes(500))

    (person,) = doc["participants"]
    assert person["needed_seconds"] == 600 + 30 * 60  # 90m..120m (resolved), not up to now


def test_captured_slack_text_reads_as_it_did_in_slack(db: Database) -> None:
    number = seed_incident(db)
    with db.transaction() as session:
        session.add(
            TimelineEntry(
                incident_number=number,
                occurred_at=minutes(61),
                recorded_at=minutes(61),
                author_id="U0DEV2",
                kind="message",
                source_ts="1789.0001",
                text="if a &lt; b &amp;&amp; c &gt; d",
            )
        )

    timeline = export_json(db, number)["timeline"]

    assert [e["text"] for e in timeline if e["kind"] == "message"] == ["if a < b && c > d"]


def test_statement_count_does_not_grow_with_the_incident(db: Database) -> None:
    small = seed_incident(db, entries=3, people=2, struck=1)
    large = seed_incident(db, entries=400, people=120, struck=30)

    with counting_statements(db) as for_small:
        small_doc = export_json(db, small)
    with counting_statements(db) as for_large:
        large_doc = export_json(db, large)

    assert len(large_doc["timeline"]) == 402 and len(large_doc["participants"]) == 120
    assert len(small_doc["timeline"]) == 5
    assert len(for_small) == len(for_large)
    # incident, timeline, participants, transitions, case, action items, runbook steps,
    # impact board, its history, analysis, names, stakeholder updates, AWS Health notices,
    # restore drills (+ BEGIN on SQLite)
    assert len(for_large) <= 15, for_large


def test_unknown_incident_is_a_clear_refusal(db: Database) -> None:
    seed_incident(db)

    with pytest.raises(NotFound) as refused:
        postmortem.export_incident(db, 42, "md", zones=ZONES, now=T0)

    assert refused.value.user_message == "There is no incident INC-42."


def test_hostile_text_is_inert_in_every_format(db: Database) -> None:
    number = seed_incident(db, title=HOSTILE_TITLE)
    with db.transaction() as session:
        session.add(
            TimelineEntry(
                incident_number=number,
                occurred_at=minutes(62),
                recorded_at=minutes(62),
                author_id="U0DEV2",
                kind="message",
                source_ts="1789.0002",
                text="&lt;img src=x onerror=alert(2)&gt; | pipe",
            )
        )
        session.add(
            FollowUp(
                incident_number=number,
                text="<!here> **bold** [a](b)",
                author_id="U0DEV1",
                created_at=minutes(117),
            )
        )

    def exported(fmt: postmortem.Format) -> str:
        return postmortem.export_incident(db, number, fmt, zones=ZONES, now=T0).content.decode()

    html, md, doc = exported("html"), exported("md"), json.loads(exported("json"))

    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript' not in html
    assert re.search(r"(?<!\\)<(script|img|!here)", md) is None  # only escaped `\<` remains
    assert "\\<script\\>" in md
    assert "](javascript" not in md
    assert "\n# H1" not in md
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in md
    assert "\\<img src=x onerror=alert\\(2\\)\\> \\| pipe" in md
    assert doc["incident"]["title"] == HOSTILE_TITLE
    assert "<img src=x onerror=alert(2)> | pipe" in [e["text"] for e in doc["timeline"]]


def test_drill_is_marked_in_every_format(db: Database) -> None:
    number = seed_incident(db, drill=True)

    def exported(fmt: postmortem.Format) -> str:
        return postmortem.export_incident(db, number, fmt, zones=ZONES, now=T0).content.decode()

    assert json.loads(exported("json"))["incident"]["is_drill"] is True
    assert "DRILL" in exported("md")
    assert 'class="drill"' in exported("html")


# --- over Slack ----------------------------------------------------------------------------


def test_slack_command_acks_then_uploads_markdown_into_the_channel(bot: BotHarness) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    bot.clock.advance(minutes=30)
    bot.command("resolve Restored from AWS backups", channel=channel)

    reply = bot.command("postmortem", channel=channel)

    assert reply.status == 200
    assert reply.json()["text"].startswith(":hourglass_flowing_sand: Exporting the INC-1")
    (upload,) = bot.slack.state.files
    assert upload["complete"] and upload["channel"] == channel
    assert upload["filename"] == "INC-1-postmortem.md"
    assert upload["title"] == "INC-1 postmortem (Markdown)"
    assert f"<@{COMMANDER}>" in upload["comment"]
    text = upload["content"].decode()
    assert text.startswith("# INC-1: Production environment deleted\n")
    assert "| Status | resolved |" in text
    assert "Restored from AWS backups" in text
    assert "| Time to resolve (declared to resolved) | 30 min |" in text
    assert "Uploaded `INC-1-postmortem.md`" in bot.last_response_text()


def test_slack_json_export_is_the_contract_document(bot: BotHarness) -> None:
    channel = bot.declare("sev2 Checkout errors")
    bot.clock.advance(minutes=5)
    bot.command("status monitoring", channel=channel)

    bot.command("postmortem JSON", channel=channel)

    (upload,) = bot.slack.state.files
    assert upload["filename"] == "INC-1-postmortem.json"
    doc = json.loads(upload["content"])
    Postmortem.model_validate(doc)
    assert doc["incident"]["title"] == "Checkout errors"
    assert doc["incident"]["resolved_at"] is None
    assert [e["kind"] for e in doc["timeline"]] == ["declared", "status"]
    assert doc["timeline"][1]["to_status"] == "monitoring"
    assert doc["participants"][0]["user"] == COMMANDER
    assert doc["participants"][0]["needed_seconds"] == 300  # still needed: up to now
    assert doc["team_timezones"] == [
        "America/Los_Angeles",
        "Africa/Nairobi",
        "Africa/Lusaka",
        "Africa/Accra",
    ]


def test_slack_html_export_of_a_hostile_title_cannot_script(bot: BotHarness) -> None:
    channel = bot.declare(f"sev1 {HOSTILE_TITLE}")

    bot.command("postmortem html", channel=channel)

    (upload,) = bot.slack.state.files
    html = upload["content"].decode()
    assert upload["filename"] == "INC-1-postmortem.html"
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_bad_format_is_refused_and_nothing_is_uploaded(bot: BotHarness) -> None:
    channel = bot.declare()

    reply = bot.command("postmortem pdf", channel=channel)

    text = reply.json()["text"]
    assert "`pdf` is not an export format" in text and "md|json|html" in text
    assert bot.slack.state.files == []
    assert bot.slack.state.calls_to("files.getUploadURLExternal") == []


def test_postmortem_outside_an_incident_channel_is_refused(bot: BotHarness) -> None:
    reply = bot.command("postmortem")

    assert "works inside an incident channel" in reply.json()["text"]
    assert bot.slack.state.files == []


def test_a_failed_upload_is_reported_to_the_asker(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.slack.state.fail_next("files.getUploadURLExternal", "not_allowed_token_type")

    bot.command("postmortem", channel=channel)

    assert "not_allowed_token_type" in bot.last_response_text()
    assert not any(f.get("complete") for f in bot.slack.state.files)


def test_export_buttons_offered_on_resolve_upload_the_chosen_format(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.command("resolve", channel=channel)
    offer_export(bot.ctx, 1)
    offer = next(m for m in bot.posted(channel) if m.blocks and not m.text.startswith("Runbook: "))
    buttons = offer.blocks[1]["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Markdown", "JSON", "HTML"]
    assert len({b["action_id"] for b in buttons}) == 3
    html_button = buttons[2]
    assert html_button["action_id"].startswith(ActionId.POSTMORTEM_EXPORT.value)

    reply = bot.requests.block_action(
        user="U0DEV9",
        channel=channel,
        message_ts=offer.ts,
        action_id=html_button["action_id"],
        value=html_button["value"],
    )
    bot.settle()

    assert reply.status == 200
    (upload,) = bot.slack.state.files
    assert upload["filename"] == "INC-1-postmortem.html" and upload["channel"] == channel
    assert "<@U0DEV9>" in upload["comment"]
    assert upload["content"].decode().lstrip().lower().startswith("<!doctype html>")


def test_the_export_reads_what_other_features_stored(bot: BotHarness) -> None:
    channel = bot.declare()
    with bot.db.transaction() as session:
        number = session.scalars(select(Incident.number)).one()
        session.add(
            SupportCase(
                incident_number=number,
                case_id="case-1",
                display_id=None,
                severity="urgent",
                plan="business",
                subject="down",
                opened_by=COMMANDER,
                opened_at=bot.clock.now(),
                first_response_at=None,
            )
        )
        session.add(
            FollowUp(
                incident_number=number,
                text="Add PITR",
                author_id=COMMANDER,
                created_at=bot.clock.now(),
            )
        )

    bot.command("postmortem json", channel=channel)

    doc = json.loads(bot.slack.state.files[0]["content"])
    assert doc["support"]["case_id"] == "case-1"  # no display id known: the case id
    assert doc["support"]["first_response_at"] is None
    assert doc["metrics"]["time_to_support_response"] is None
    assert doc["followups"][0]["text"] == "Add PITR"
