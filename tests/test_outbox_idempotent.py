"""The outbox posts each message once: every post carries its outbox id as Slack message
metadata, and after an unknown outcome the id is looked up in the channel's history
before posting again. Nothing posted twice, nothing dropped. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import outbox
from bot.store.models import OutboxMessage
from tests.harness import BotHarness


@pytest.fixture
def impatient(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, settings={"warroom_slack_timeout_seconds": 0.5})
    yield harness
    harness.close()


def rows(bot: BotHarness) -> list[OutboxMessage]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def announcements(bot: BotHarness, channel: str) -> list[str]:
    return [
        m.text for m in bot.posted(channel) if m.text.startswith((":traffic_light:", "Status:"))
    ]


def retry(bot: BotHarness) -> int:
    return outbox.deliver_pending(bot.db, bot.ctx.step_chat, bot.clock)


def test_every_post_carries_its_outbox_id(bot: BotHarness) -> None:
    channel = bot.declare()

    bot.command("status identified", channel=channel)

    by_ts = {row.message_ts: row for row in rows(bot)}
    queued = [m for m in bot.posted(channel) if m.ts in by_ts]
    assert "INC-1: Production environment deleted" in queued[0].text  # the summary
    assert "Status: investigating → identified" in queued[-1].text
    for message in queued:
        assert message.metadata == {
            "event_type": "warroom_outbox",
            "event_payload": {"outbox_id": by_ts[message.ts].id},
        }


def test_a_post_that_took_effect_but_timed_out_is_found_not_posted_again(
    impatient: BotHarness,
) -> None:
    bot = impatient
    channel = bot.declare()
    bot.slack.state.faults.delay_after_effect("chat.postMessage", seconds=1.5)

    bot.command("status identified", channel=channel)

    assert len(announcements(bot, channel)) == 1  # Slack has it...
    row = rows(bot)[-1]
    assert row.sent_at is None and row.last_error == "timeout"  # ...the bot does not know
    assert "will retry posting it" in bot.last_response_text()
    assert retry(bot) == 0  # not due yet
    bot.clock.advance(seconds=2)

    assert retry(bot) == 1

    [message] = [m for m in bot.posted(channel) if m.text.startswith(":traffic_light:")]
    row = rows(bot)[-1]
    assert row.sent_at is not None and row.message_ts == message.ts
    lookups = bot.slack.state.calls_to("conversations.history")
    assert lookups[-1].params["include_all_metadata"] in ("1", "true", True)
    assert len(announcements(bot, channel)) == 1
    assert outbox.pending_count(bot.db) == 0


def test_a_server_error_is_posted_once_on_retry(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.slack.state.faults.server_error("chat.postMessage")

    bot.command("status monitoring", channel=channel)

    assert announcements(bot, channel) == []
    bot.clock.advance(seconds=2)
    assert retry(bot) == 1
    assert len(announcements(bot, channel)) == 1
    assert retry(bot) == 0 and len(announcements(bot, channel)) == 1


def test_a_rate_limited_post_waits_for_retry_after_without_sleeping(bot: BotHarness) -> None:
    channel = bot.declare()
    # More 429s than the SDK's own retries: the row is rescheduled, not slept on.
    bot.slack.state.faults.ratelimit("chat.postMessage", times=3, retry_after=0)
    bot.command("status identified", channel=channel)
    bot.slack.state.faults.ratelimit("chat.postMessage", times=1, retry_after=40)
    bot.clock.advance(seconds=2)
    retry(bot)  # 429 with Retry-After: 40
    row = rows(bot)[-1]
    assert row.sent_at is None and row.last_error == "ratelimited"
    assert row.next_attempt_at == bot.clock.now() + timedelta(seconds=40)
    assert outbox.next_due(bot.db) == row.next_attempt_at

    bot.clock.advance(seconds=39)
    assert retry(bot) == 0
    bot.clock.advance(seconds=1)
    assert retry(bot) == 1
    assert len(announcements(bot, channel)) == 1


def test_a_replica_that_died_mid_post_does_not_cause_a_second_post(bot: BotHarness) -> None:
    channel = bot.declare()
    with bot.db.transaction() as session:
        row = outbox.enqueue(
            session, channel=channel, text="Status: x → y", incident_number=1, clock=bot.clock
        )
        message_id = row.id
    # The dead replica claimed it and Slack took the post; then nothing was recorded.
    with bot.db.transaction() as session:
        claimed = session.get(OutboxMessage, message_id)
        assert claimed is not None
        claimed.attempts, claimed.last_error = 1, outbox.IN_FLIGHT
        claimed.claimed_until = bot.clock.now() + outbox.LEASE
    bot.ctx.chat.post(channel, "Status: x → y", metadata=outbox.metadata_for(message_id))
    assert retry(bot) == 0  # its lease still runs

    bot.clock.advance(seconds=61)
    assert retry(bot) == 1

    assert announcements(bot, channel) == ["Status: x → y"]
