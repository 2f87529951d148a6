"""`/incident log` over signed HTTP: the readings it states (issue 11), on SQLite and
PostgreSQL. The clock stands on Wednesday 2026-09-16 14:00 UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.domain.clock import FixedClock
from bot.store.models import TimelineEntry
from tests.harness import COMMANDER, BotHarness

NOW = datetime(2026, 9, 16, 14, 0, tzinfo=UTC)
ANN = "U0ANN"  # in Lusaka
NOZONE = "U0NOTZ"  # a profile with no timezone


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=FixedClock(NOW))
    harness.slack.state.add_user(ANN, "ann", tz="Africa/Lusaka", tz_offset=7200)
    harness.slack.state.add_user(NOZONE, "nobody", tz="")
    yield harness
    harness.close()


@pytest.fixture
def channel(bot: BotHarness) -> str:
    return bot.declare("sev1 Production environment deleted")


def reply(bot: BotHarness, text: str, channel: str, user: str = COMMANDER) -> str:
    response = bot.command(text, channel=channel, user=user)
    assert response.status == 200, response.text
    return str(response.json()["text"])


def note_times(bot: BotHarness) -> list[datetime]:
    with bot.db.transaction() as session:
        query = select(TimelineEntry.occurred_at).where(TimelineEntry.kind == "note")
        return list(session.scalars(query.order_by(TimelineEntry.id)))


def test_the_minutes_of_a_dotted_clock_are_kept(bot: BotHarness, channel: str) -> None:
    text = reply(bot, "log 7.21 pm eat | x", channel)
    assert note_times(bot) == [datetime(2026, 9, 15, 16, 21, tzinfo=UTC)]
    assert "19:21 EAT" in text


def test_a_time_with_no_zone_is_read_in_the_senders_slack_zone(
    bot: BotHarness, channel: str
) -> None:
    text = reply(bot, "log 15:30 | failover started", channel, user=ANN)
    assert note_times(bot) == [datetime(2026, 9, 16, 13, 30, tzinfo=UTC)]
    assert "read in your Slack timezone, Africa/Lusaka" in text
    assert "`15:30 UTC+2`" in text


def test_no_zone_and_no_slack_zone_is_refused_and_writes_nothing(
    bot: BotHarness, channel: str
) -> None:
    text = reply(bot, "log 15:30 | failover started", channel, user=NOZONE)
    assert "has no zone" in text and "Nothing was logged" in text
    assert note_times(bot) == []


@pytest.mark.parametrize(
    ("when", "reading", "fixed"),
    [
        ("08:00 CST", "Central time (America/Chicago)", "08:00 UTC-5"),
        ("18:30 IST", "India time (Asia/Kolkata)", "18:30 UTC+5:30"),
    ],
)
def test_a_shared_abbreviation_states_its_reading(
    bot: BotHarness, channel: str, when: str, reading: str, fixed: str
) -> None:
    text = reply(bot, f"log {when} | x", channel)
    assert note_times(bot) == [datetime(2026, 9, 16, 13, 0, tzinfo=UTC)]
    assert f"read as {reading}" in text
    assert f"`{fixed}`" in text
