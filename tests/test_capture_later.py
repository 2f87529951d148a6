"""A `:pushpin:` capture while Slack cannot give the message text keeps the message's time
and author, and gets its real text when Slack answers again: from the job, or at once
when the message is pinned again. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.services import capture_retry
from bot.store.models import PendingCapture, TimelineEntry
from tests.harness import COMMANDER, BotHarness
from tests.test_timeline_capture import ANN, captured, ephemeral_to, pin, posted_at, said


@pytest.fixture
def channel(bot: BotHarness) -> str:
    channel_id = bot.declare("sev1 Production environment deleted")
    bot.slack.state.base_epoch = int(bot.clock.now().timestamp()) - 7200
    return channel_id


def pending(bot: BotHarness) -> int:
    with bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(PendingCapture)) or 0)


def test_text_slack_could_not_give_arrives_when_the_job_asks_again(
    bot: BotHarness, channel: str
) -> None:
    message = said(bot, channel, ANN, "The stack is gone")
    bot.slack.state.faults.server_error("conversations.history")

    pin(bot, channel, message)

    [entry] = captured(bot)
    assert entry.occurred_at == posted_at(message) and entry.author_id == ANN
    assert "could not be fetched yet" in entry.text and "The stack is gone" not in entry.text
    assert pending(bot) == 1
    assert any("fills it in" in t for t in ephemeral_to(bot, channel, COMMANDER))
    assert capture_retry.run_due(bot.ctx) == 0  # not due yet

    bot.clock.advance(seconds=2)
    assert capture_retry.run_due(bot.ctx) == 1

    [entry] = captured(bot)
    assert (entry.text, entry.author_id) == ("The stack is gone", ANN)
    assert entry.occurred_at == posted_at(message)
    assert entry.permalink is not None and pending(bot) == 0
    assert capture_retry.run_due(bot.ctx) == 0


def test_a_rate_limited_fetch_waits_for_retry_after(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "restore started")
    bot.slack.state.faults.ratelimit("conversations.history", retry_after=30)

    pin(bot, channel, message)

    with bot.db.transaction() as session:
        row = session.scalars(select(PendingCapture)).one()
        assert row.next_attempt_at == bot.clock.now() + timedelta(seconds=30)
        assert row.last_error == "ratelimited"
    bot.clock.advance(seconds=29)
    assert capture_retry.run_due(bot.ctx) == 0
    bot.clock.advance(seconds=1)
    assert capture_retry.run_due(bot.ctx) == 1
    assert captured(bot)[0].text == "restore started"


def test_pinning_again_after_slack_recovers_completes_it(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "support plan bought")
    bot.slack.state.faults.error("conversations.history", "missing_scope")
    pin(bot, channel, message)
    assert "missing_scope" in captured(bot)[0].text

    pin(bot, channel, message, user="U0BOB")

    [entry] = captured(bot)
    assert (entry.text, entry.author_id) == ("support plan bought", ANN)
    assert pending(bot) == 0
    assert any("text is on the timeline now" in t for t in ephemeral_to(bot, channel, "U0BOB"))
    pin(bot, channel, message, user="U0BOB")  # complete now: the usual answer
    assert any("already on the timeline" in t for t in ephemeral_to(bot, channel, "U0BOB"))


def test_a_message_slack_no_longer_has_stops_being_retried(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "oops, wrong channel")
    bot.slack.state.faults.server_error("conversations.history")
    pin(bot, channel, message)
    bot.slack.state.messages.remove(message)  # deleted meanwhile
    bot.clock.advance(seconds=2)

    assert capture_retry.run_due(bot.ctx) == 1

    with bot.db.transaction() as session:
        entry = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "message")).one()
        assert entry.text == capture_retry.NOT_RETURNED and entry.author_id == ANN
    assert pending(bot) == 0
