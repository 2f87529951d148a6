"""Capturing Slack messages onto the timeline: the "Add to timeline" shortcut and a
`:pushpin:` reaction, over signed HTTP, on SQLite and PostgreSQL.

A captured message sits at the time it was POSTED, with its author, once, however many
times Slack delivers the event and on however many replicas.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.sandbox.slack_api import Message
from bot.store.models import TimelineEntry
from tests.harness import COMMANDER, BotHarness

ANN = "U0ANN"
BOB = "U0BOB"


@pytest.fixture
def channel(bot: BotHarness) -> str:
    channel_id = bot.declare("sev1 Production environment deleted")
    # Messages posted from here on are two hours old by the bot's clock.
    bot.slack.state.base_epoch = int(bot.clock.now().timestamp()) - 7200
    return channel_id


def said(bot: BotHarness, channel: str, user: str, text: str) -> Message:
    return bot.slack.state.post_user_message(channel, user, text)


def posted_at(message: Message) -> datetime:
    seconds, micros = message.ts.split(".")
    return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=int(micros))


def captured(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "message")))


def ephemeral_to(bot: BotHarness, channel: str, user: str) -> list[str]:
    return [
        m.text
        for m in bot.slack.state.messages_in(channel, include_ephemeral=True)
        if m.ephemeral_to == user
    ]


def pin(
    bot: BotHarness,
    channel: str,
    message: Message,
    *,
    user: str = COMMANDER,
    event_id: str | None = None,
    retry_num: int | None = None,
    reaction: str = "pushpin",
) -> None:
    reply = bot.requests.reaction(
        user=user,
        channel=channel,
        message_ts=message.ts,
        item_user=str(message.user),
        reaction=reaction,
        event_id=event_id,
        retry_num=retry_num,
    )
    assert reply.status == 200, reply.text
    bot.settle()


def shortcut(bot: BotHarness, channel: str, message: Message, *, user: str = COMMANDER) -> None:
    reply = bot.requests.message_shortcut(
        user=user,
        channel=channel,
        message_ts=message.ts,
        message_user=str(message.user),
        text=message.text,
    )
    assert reply.status == 200, reply.text
    bot.settle()


# -- the shortcut ------------------------------------------------------------------------


def test_shortcut_logs_the_message_when_it_was_posted_with_its_author(
    bot: BotHarness, channel: str
) -> None:
    message = said(bot, channel, ANN, "Restore from the 02:00 snapshot started")

    shortcut(bot, channel, message, user=COMMANDER)

    [entry] = captured(bot)
    assert entry.occurred_at == posted_at(message)
    assert entry.recorded_at == bot.clock.now()
    assert (entry.author_id, entry.text, entry.source_ts) == (
        ANN,
        "Restore from the 02:00 snapshot started",
        message.ts,
    )
    assert entry.permalink == (
        f"https://warroom.slack.com/archives/{channel}/p{message.ts.replace('.', '')}"
    )
    assert entry.data == {"via": "shortcut", "captured_by": COMMANDER, "channel": channel}
    assert f"<@{ANN}>'s message is on the INC-1 timeline" in bot.last_response_text()


def test_shortcut_twice_on_one_message_makes_one_entry(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "stack is in ROLLBACK_FAILED")

    shortcut(bot, channel, message)
    shortcut(bot, channel, message, user=BOB)

    assert len(captured(bot)) == 1
    assert "already on the timeline" in bot.last_response_text()


def test_shortcut_outside_an_incident_channel_logs_nothing(bot: BotHarness) -> None:
    message = said(bot, bot.general, ANN, "lunch?")

    shortcut(bot, bot.general, message)

    assert captured(bot) == []
    assert "works on messages in an incident channel" in bot.last_response_text()


def test_captured_message_shows_in_the_timeline_before_later_entries(
    bot: BotHarness, channel: str
) -> None:
    message = said(bot, channel, ANN, "<!channel> all hands")
    bot.command("log after the fact", channel=channel)
    shortcut(bot, channel, message)

    before = len(bot.responses())
    bot.command("timeline", channel=channel)
    [text] = [r["text"] for r in bot.responses()[before:]]

    assert text.index("all hands") < text.index("after the fact")
    assert "&lt;!channel&gt; all hands" in text and "<!channel>" not in text
    assert f"<@{ANN}>: &lt;!channel&gt; all hands <https://warroom.slack.com/archives/" in text


# -- the reaction ------------------------------------------------------------------------


def test_pushpin_logs_the_message_fetched_from_slack(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "We have lost everything")

    pin(bot, channel, message, user=BOB)

    [entry] = captured(bot)
    assert entry.occurred_at == posted_at(message)
    assert (entry.author_id, entry.text) == (ANN, "We have lost everything")
    assert entry.data is not None and entry.data["captured_by"] == BOB
    assert entry.permalink is not None and entry.permalink.endswith(message.ts.replace(".", ""))
    history = bot.slack.state.calls_to("conversations.history")
    assert [c.params["latest"] for c in history] == [message.ts]
    assert any("is on the INC-1 timeline" in t for t in ephemeral_to(bot, channel, BOB))


def test_pushpin_when_slack_will_not_give_the_text_keeps_the_entry_and_says_so(
    bot: BotHarness, channel: str
) -> None:
    message = said(bot, channel, ANN, "secret words")
    bot.slack.state.fail_next("conversations.history", "missing_scope")

    pin(bot, channel, message)

    [entry] = captured(bot)
    assert entry.occurred_at == posted_at(message) and entry.author_id == ANN
    assert "missing_scope" in entry.text and entry.permalink is not None
    assert any("could not be fetched" in t for t in ephemeral_to(bot, channel, COMMANDER))


def test_other_reactions_and_other_channels_are_ignored(bot: BotHarness, channel: str) -> None:
    in_incident = said(bot, channel, ANN, "thumbs up")
    elsewhere = said(bot, bot.general, ANN, "pinned in general")

    pin(bot, channel, in_incident, reaction="+1")
    pin(bot, bot.general, elsewhere)

    assert captured(bot) == []
    assert bot.slack.state.calls_to("conversations.history") == []


def test_a_retried_event_is_handled_once(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "CloudFormation stack deleted")

    pin(bot, channel, message, event_id="Ev0PIN1")
    pin(bot, channel, message, event_id="Ev0PIN1", retry_num=1)
    pin(bot, channel, message, event_id="Ev0PIN1", retry_num=2)

    assert len(captured(bot)) == 1
    assert len(bot.slack.state.calls_to("conversations.history")) == 1
    assert not any("already" in t for t in ephemeral_to(bot, channel, COMMANDER))


def test_two_events_for_one_message_make_one_entry(bot: BotHarness, channel: str) -> None:
    message = said(bot, channel, ANN, "support plan bought on a credit card")

    pin(bot, channel, message, user=COMMANDER, event_id="Ev0PIN1")
    pin(bot, channel, message, user=BOB, event_id="Ev0PIN2")
    shortcut(bot, channel, message, user=BOB)

    [entry] = captured(bot)
    assert entry.text == "support plan bought on a credit card"
    assert any("already on the timeline" in t for t in ephemeral_to(bot, channel, BOB))
    assert "already on the timeline" in bot.last_response_text()


@pytest.fixture
def second_replica(bot: BotHarness, database_url: str) -> Iterator[BotHarness]:
    replica = BotHarness(database_url, clock=bot.clock, slack=bot.slack)
    yield replica
    replica.close()


def test_two_replicas_receiving_the_same_message_at_once_make_one_entry(
    bot: BotHarness, channel: str, second_replica: BotHarness
) -> None:
    message = said(bot, channel, ANN, "table restored from backup")
    start = threading.Barrier(4)
    replies: list[int] = []

    def deliver(harness: BotHarness, user: str, event_id: str) -> None:
        start.wait()
        reply = harness.requests.reaction(
            user=user, channel=channel, message_ts=message.ts, item_user=ANN, event_id=event_id
        )
        replies.append(reply.status)

    threads = [
        threading.Thread(target=deliver, args=(harness, user, event_id))
        for harness, user, event_id in [
            (bot, COMMANDER, "Ev0A"),
            (second_replica, COMMANDER, "Ev0A"),
            (bot, BOB, "Ev0B"),
            (second_replica, BOB, "Ev0B"),
        ]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    bot.settle()
    second_replica.settle()

    assert replies == [200, 200, 200, 200]
    [entry] = captured(bot)
    assert (entry.text, entry.author_id) == ("table restored from backup", ANN)
