"""`followup` (owner, due date, `done`), `impact` and `analysis` (the command and the
form), driven over HTTP like Slack, and what they put into the postmortem."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.clock import FixedClock
from bot.services import postmortem
from bot.slack.ids import ActionId, CallbackId
from bot.store.models import FollowUp, ImpactSurface, TimelineEntry
from tests.harness import COMMANDER, BotHarness

NOW = datetime(2026, 9, 16, 14, 0, tzinfo=UTC)
ANN = "U0ANN"
BOB = "U0BOB"


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=FixedClock(NOW))
    harness.slack.state.add_user(ANN, "ann", tz="Africa/Lusaka", tz_offset=7200)
    harness.slack.state.add_user(BOB, "bob", tz="Africa/Accra")
    yield harness
    harness.close()


@pytest.fixture
def channel(bot: BotHarness) -> str:
    return bot.declare("sev1 Production environment deleted")


def ack(bot: BotHarness, text: str, channel: str, user: str = COMMANDER) -> str:
    reply = bot.command(text, channel=channel, user=user)
    assert reply.status == 200, reply.text
    return str(reply.json()["text"])


def exported(bot: BotHarness) -> dict[str, Any]:
    file = postmortem.export_incident(bot.db, 1, "json", zones=["UTC"], now=bot.clock.now())
    return json.loads(file.content)


def pinned_text(bot: BotHarness, channel: str) -> str:
    state = bot.slack.state
    message = state.message(channel, state.channels[channel].pins[0])
    assert message is not None
    return message.text


# -- action items ----------------------------------------------------------------------


def test_followup_takes_its_owner_from_the_first_mention_and_a_trailing_due_date(
    bot: BotHarness, channel: str
) -> None:
    typed = f"followup Enable PITR on every table <@{ANN}|ann> and <@{BOB}> due 2026-09-30"
    text = ack(bot, typed, channel)
    assert "Action item 1 recorded" in text
    assert f"owner <@{ANN}>" in text and "due 2026-09-30" in text
    ack(bot, "followup Buy a support plan", channel, user=BOB)

    with bot.db.transaction() as session:
        items = session.scalars(select(FollowUp).order_by(FollowUp.id)).all()
        assert [(f.number, f.owner_id, str(f.due), f.status) for f in items] == [
            (1, ANN, "2026-09-30", "open"),
            (2, None, "None", "open"),
        ]
        assert items[0].text == f"Enable PITR on every table <@{ANN}|ann> and <@{BOB}>"
    followups = exported(bot)["followups"]
    assert list(followups[0])[:7] == [
        "text",
        "author",
        "created_at",
        "number",
        "owner",
        "due",
        "status",
    ]
    assert [(f["number"], f["owner"], f["due"], f["status"]) for f in followups] == [
        (1, ANN, "2026-09-30", "open"),
        (2, None, None, "open"),
    ]


def test_a_bad_due_date_is_refused_and_nothing_is_written(bot: BotHarness, channel: str) -> None:
    text = ack(bot, "followup Enable PITR due next-week", channel)
    assert "`next-week` is not a due date" in text
    with bot.db.transaction() as session:
        assert session.scalars(select(FollowUp)).all() == []


def test_followup_done_by_its_owner_and_refused_for_others(bot: BotHarness, channel: str) -> None:
    ack(bot, f"followup Turn on termination protection <@{ANN}>", channel, user=BOB)
    ack(bot, f"followup Second item <@{BOB}>", channel, user=BOB)

    refused = ack(bot, "followup done 2", channel, user=ANN)
    assert "Only action item 2's owner, its author or the incident commander" in refused
    assert "done: Turn on termination protection" in ack(bot, "followup done 1", channel, user=ANN)
    assert "already done" in ack(bot, "followup done 1", channel, user=COMMANDER)
    assert "has no action item 7" in ack(bot, "followup done 7", channel)

    statuses = [(f["number"], f["status"]) for f in exported(bot)["followups"]]
    assert statuses == [(1, "done"), (2, "open")]


def test_followup_text_is_stored_without_control_characters(bot: BotHarness, channel: str) -> None:
    ack(bot, "followup Fix\x08 the \u202ebuild\x1b", channel)
    with bot.db.transaction() as session:
        assert session.scalars(select(FollowUp.text)).one() == "Fix the build"


# -- impact ----------------------------------------------------------------------------


def test_impact_board_is_stored_on_the_timeline_and_pinned(bot: BotHarness, channel: str) -> None:
    ack(bot, "impact ok store apps", channel)
    text = ack(bot, "impact down Vendor web app | no data since 06:20", channel, user=ANN)
    assert "Vendor web app is *down*: no data since 06:20" in text
    ack(bot, "impact down internal build", channel)

    pinned = pinned_text(bot, channel)
    assert "*Impact:* Vendor web app *down* (no data since 06:20); internal build *down*" in pinned
    assert "store apps" not in pinned

    bot.clock.advance(minutes=30)
    ack(bot, "impact degraded vendor  web app | data back, slow", channel)
    bot.clock.advance(minutes=30)
    ack(bot, "impact ok internal build", channel)
    assert "internal build" not in pinned_text(bot, channel)
    assert "Vendor web app *degraded*" in pinned_text(bot, channel)

    listing = ack(bot, "impact", channel)
    assert "Vendor web app: *degraded* (data back, slow)" in listing
    with bot.db.transaction() as session:
        kinds = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.kind == "impact")
        ).all()
        assert "Impact: Vendor web app degraded (was down): data back, slow" in kinds
        assert len(session.scalars(select(ImpactSurface)).all()) == 3

    doc = exported(bot)
    vendor = doc["impact"][1]
    assert list(vendor) == ["surface", "status", "note", "since", "changed_at"]
    assert vendor["status"] == "degraded"
    assert vendor["since"] == (NOW + timedelta(minutes=30)).isoformat()
    outages = {o["surface"]: o for o in doc["metrics"]["surface_outages"]}
    assert outages["internal build"]["down_seconds"] == 3600
    assert outages["Vendor web app"]["down_seconds"] == 1800
    assert outages["Vendor web app"]["degraded_seconds"] == 1800


@pytest.mark.parametrize("args", ["broken vendor app", "down", "down  | only a note"])
def test_impact_refuses_what_it_cannot_read(bot: BotHarness, channel: str, args: str) -> None:
    text = ack(bot, f"impact {args}", channel)
    assert "impact down|degraded|ok <surface>" in text or "Name the surface" in text
    with bot.db.transaction() as session:
        assert session.scalars(select(ImpactSurface)).all() == []


# -- analysis --------------------------------------------------------------------------


def test_analysis_section_is_set_and_exported_with_nulls_elsewhere(
    bot: BotHarness, channel: str
) -> None:
    text = ack(bot, "analysis root-cause The stack had no termination protection", channel)
    assert "Root cause saved" in text
    assert "`nonsense`" not in ack(bot, "analysis nonsense words", channel)
    assert "the sections are" in ack(bot, "analysis nonsense words", channel)

    analysis = exported(bot)["analysis"]
    assert list(analysis) == [
        "summary",
        "impact",
        "trigger",
        "root_cause",
        "contributing_factors",
        "detection",
        "resolution",
        "went_well",
        "went_wrong",
        "lucky",
    ]
    assert analysis["root_cause"] == "The stack had no termination protection"
    assert analysis["lucky"] is None


def test_analysis_opens_a_prefilled_form_and_its_submission_is_saved(
    bot: BotHarness, channel: str
) -> None:
    bot.clock.advance(minutes=5)
    ack(bot, "log 13:40 UTC | Deploy of the API stack failed: UPDATE_ROLLBACK_FAILED", channel)
    ack(bot, "impact down vendor web app | no data", channel)
    bot.command("analysis", channel=channel)

    [opened] = bot.slack.state.views
    view = opened["view"]
    assert view["callback_id"] == CallbackId.ANALYSIS_MODAL
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert len(blocks) == 10
    initial = {k: b["element"].get("initial_value", "") for k, b in blocks.items()}
    assert "Deploy of the API stack failed" in initial["analysis_trigger"]
    assert "Declared 2026-09-16 14:00 UTC" in initial["analysis_detection"]
    assert "20 min before the declaration" in initial["analysis_detection"]
    assert initial["analysis_impact"] == "vendor web app: down (no data)"
    assert initial["analysis_lucky"] == ""

    values = {
        key: {ActionId.ANALYSIS_TEXT: {"type": "plain_text_input", "value": value or None}}
        for key, value in {**initial, "analysis_lucky": "AWS had backups\x00"}.items()
    }
    reply = bot.requests.view_submission(
        user=COMMANDER,
        callback_id=CallbackId.ANALYSIS_MODAL,
        values=values,
        private_metadata=view["private_metadata"],
    )
    bot.settle()
    assert reply.status == 200

    analysis = exported(bot)["analysis"]
    assert analysis["lucky"] == "AWS had backups"
    assert analysis["impact"] == "vendor web app: down (no data)"
    assert analysis["root_cause"] is None  # left empty: not written, so null
    doc = postmortem.export_incident(bot.db, 1, "md", zones=["UTC"], now=bot.clock.now())
    markdown = doc.content.decode()
    assert "## Where we got lucky\n\nAWS had backups" in markdown
    assert "## Root cause\n\n*Why the system let the trigger become an incident.*" in markdown
