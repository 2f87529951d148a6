"""Reminders to post a stakeholder update: when, to whom, once (also with two replicas on one
database), not after resolution, not for drills unless asked; the button opens the form
prefilled with what changed, and the form posts the update."""

from __future__ import annotations

import threading
from typing import Any

from bot.services.update_reminders import find_and_send_reminders
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.update_render import UpdateFormMetadata, render_reminder
from tests.conftest import _postgres
from tests.databases import empty_tables
from tests.harness import COMMANDER, BotHarness

COMMS = "U0COMMS"


def reminders_to(bot: BotHarness, user: str) -> list[Any]:
    channel = bot.slack.state.channel_by_name(f"dm-{user}")
    messages = bot.posted(channel.id) if channel else []
    return [m for m in messages if m.text.startswith(":alarm_clock:")]


def remind(bot: BotHarness) -> int:
    return find_and_send_reminders(bot.ctx, render_reminder)


def test_a_missed_interval_sends_one_reminder_to_the_commander_and_comms(bot: BotHarness) -> None:
    bot.slack.state.add_user(COMMS, "cora")
    channel = bot.declare("sev1 Production environment deleted")  # sev1: every 30 minutes
    bot.command(f"role comms <@{COMMS}>", channel=channel)

    bot.clock.advance(minutes=29)
    assert remind(bot) == 0
    bot.clock.advance(minutes=2)
    assert remind(bot) == 1
    assert remind(bot) == 0

    for user in (COMMANDER, COMMS):
        sent = reminders_to(bot, user)
        assert len(sent) == 1
        assert "INC-1" in sent[0].text and "30 minutes since it was declared" in sent[0].text


def test_an_update_restarts_the_interval(bot: BotHarness) -> None:
    channel = bot.declare("sev2 Checkout slow")  # sev2: every 60 minutes
    bot.clock.advance(minutes=50)
    bot.command("update Looking into it", channel=channel)
    bot.clock.advance(minutes=50)
    assert remind(bot) == 0
    bot.clock.advance(minutes=11)
    assert remind(bot) == 1
    assert "since the last update" in reminders_to(bot, COMMANDER)[0].text


def test_no_second_reminder_while_nothing_changed(bot: BotHarness) -> None:
    channel = bot.declare("sev1 Outage")
    bot.clock.advance(minutes=31)
    assert remind(bot) == 1
    bot.clock.advance(minutes=31)
    assert remind(bot) == 0  # nothing happened since the first reminder: no nagging

    bot.command("log restore started", channel=channel)
    bot.clock.advance(minutes=30)
    assert remind(bot) == 1
    assert len(reminders_to(bot, COMMANDER)) == 2


def test_no_reminders_after_resolution_nor_for_a_drill_unless_it_asks(bot: BotHarness) -> None:
    channel = bot.declare("sev1 Outage")
    bot.command("resolve fixed", channel=channel)
    drill = bot.declare("--drill sev1 Game day")
    bot.clock.advance(minutes=45)
    assert remind(bot) == 0

    reply = bot.command("update --remind", channel=drill)
    assert "Update reminders are on: every 30 minutes" in reply.json()["text"]
    assert remind(bot) == 1
    assert "INC-2" in reminders_to(bot, COMMANDER)[0].text


def test_a_severity_with_zero_minutes_is_never_reminded(database_url: str) -> None:
    harness = BotHarness(database_url, settings={"warroom_update_minutes": "sev1=0"})
    try:
        harness.declare("sev1 Outage")
        harness.clock.advance(hours=5)
        assert remind(harness) == 0
    finally:
        harness.close()


def test_the_button_opens_the_form_prefilled_and_the_form_posts_the_update(
    bot: BotHarness,
) -> None:
    channel = bot.declare("sev1 Outage")
    bot.command(f"log restore from <snapshot> started by <@{COMMANDER}>", channel=channel)
    bot.clock.advance(minutes=31)
    remind(bot)
    message = reminders_to(bot, COMMANDER)[0]
    button = message.blocks[1]["elements"][0]
    assert button["action_id"] == ActionId.UPDATE_REMINDER_OPEN
    assert UpdateFormMetadata.load(button["value"]).incident == 1

    reply = bot.requests.block_action(
        user=COMMANDER,
        channel=message.channel,
        message_ts=message.ts,
        action_id=ActionId.UPDATE_REMINDER_OPEN,
        value=button["value"],
    )
    bot.settle()
    assert reply.status == 200
    view = bot.slack.state.calls_to("views.open")[-1].params["view"]
    view = view if isinstance(view, dict) else __import__("json").loads(view)
    assert view["callback_id"] == CallbackId.UPDATE_MODAL
    draft = view["blocks"][0]["element"]["initial_value"]
    assert "restore from <snapshot> started by @" in draft and "investigating" in draft
    assert "<@" not in draft  # a plain-text form shows names, not Slack markup

    submitted = bot.requests.view_submission(
        user=COMMANDER,
        callback_id=CallbackId.UPDATE_MODAL,
        private_metadata=view["private_metadata"],
        values={BlockId.UPDATE_TEXT: {ActionId.UPDATE_TEXT: {"value": "Restore under way"}}},
    )
    bot.settle()
    assert submitted.status == 200
    posts = [m for m in bot.posted(channel) if m.text.startswith(":loudspeaker:")]
    assert len(posts) == 1 and "Restore under way" in posts[0].text


def test_two_replicas_send_exactly_one_reminder() -> None:
    url = _postgres.url()
    first = BotHarness(url)
    second = BotHarness(url, slack=first.slack, clock=first.clock)
    try:
        empty_tables(first.db)
        first.declare("sev1 Outage")
        first.clock.advance(minutes=31)
        barrier = threading.Barrier(2)
        counts: list[int] = []

        def finder(replica: BotHarness) -> None:
            barrier.wait()
            counts.append(remind(replica))

        threads = [threading.Thread(target=finder, args=(r,)) for r in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(counts) == [0, 1]
        assert len(reminders_to(first, COMMANDER)) == 1
        assert remind(first) == 0 and remind(second) == 0
    finally:
        second.close()
        first.close()


def test_the_reminder_job_sends_the_reminder(bot: BotHarness) -> None:
    bot.declare("sev1 Outage")
    job = next(j for j in bot.runtime.jobs if j.name == "update-reminders")
    assert job.every_seconds <= 30
    bot.clock.advance(minutes=31)
    job.run()
    assert len(reminders_to(bot, COMMANDER)) == 1
