"""Inactivity nudges on SQLite and PostgreSQL: who is nudged and when, once only (also
from two finders at once), and what the commander's buttons do."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from bot.app.runtime import jobs_of
from bot.services.nudges import find_and_send_nudges
from bot.slack.ids import ActionId
from bot.slack.roster_listeners import NudgeValue
from bot.store.models import Participant, TimelineEntry
from tests.harness import COMMANDER, BotHarness

ANN, BOB = "U0ANN", "U0BOB"


@pytest.fixture
def incident(bot: BotHarness) -> str:
    bot.slack.state.add_user(ANN, "ann")
    bot.slack.state.add_user(BOB, "bob")
    channel = bot.declare()
    reply = bot.command(f"need <@{ANN}>", channel=channel)
    assert reply.status == 200
    return channel


def dm_messages(bot: BotHarness, user: str) -> list[Any]:
    channel = bot.slack.state.channel_by_name(f"dm-{user}")
    return bot.posted(channel.id) if channel else []


def nudges_to_commander(bot: BotHarness) -> list[Any]:
    return [m for m in dm_messages(bot, COMMANDER) if m.text.startswith(":zzz:")]


def state_of(bot: BotHarness, user: str) -> Participant:
    with bot.db.transaction() as session:
        person = session.scalars(select(Participant).where(Participant.user_id == user)).one()
        session.expunge(person)
        return person


def button(message: Any, action_id: str) -> dict[str, Any]:
    elements = [
        e for block in message.blocks or [] if block["type"] == "actions" for e in block["elements"]
    ]
    return next(e for e in elements if e["action_id"] == action_id)


def test_a_quiet_responder_is_offered_to_the_commander_once(bot: BotHarness, incident: str) -> None:
    bot.clock.advance(minutes=44)
    assert find_and_send_nudges(bot.ctx) == 0

    bot.clock.advance(minutes=2)
    assert find_and_send_nudges(bot.ctx) == 1
    assert find_and_send_nudges(bot.ctx) == 0

    sent = nudges_to_commander(bot)
    assert len(sent) == 1
    assert f"<@{ANN}> has posted nothing in <#{incident}>" in sent[0].text
    assert "46m" in sent[0].text and "INC-1" in sent[0].text
    release = button(sent[0], ActionId.NUDGE_RELEASE)
    keep = button(sent[0], ActionId.NUDGE_KEEP)
    assert release["text"]["text"] == "Release to standby" and keep["text"]["text"] == "Keep"
    assert NudgeValue.load(release["value"]) == NudgeValue(incident=1, user=ANN, quiet_minutes=46)
    assert state_of(bot, ANN).nudged_at == bot.clock.now()


def test_the_commander_standby_people_and_resolved_incidents_are_not_nudged(
    bot: BotHarness, incident: str
) -> None:
    bot.command(f"need <@{BOB}>", channel=incident)
    bot.command(f"standby <@{BOB}>", channel=incident)
    bot.clock.advance(hours=2)
    bot.command(f"release <@{ANN}>", channel=incident)

    assert find_and_send_nudges(bot.ctx) == 0  # commander quiet, Bob on standby, Ann done

    bot.command(f"recall <@{ANN}>", channel=incident)
    bot.command("resolve all good", channel=incident)
    bot.clock.advance(hours=2)
    assert find_and_send_nudges(bot.ctx) == 0
    assert nudges_to_commander(bot) == []


def test_a_message_in_the_channel_restarts_the_quiet_clock(bot: BotHarness, incident: str) -> None:
    bot.clock.advance(minutes=30)
    posted = bot.slack.state.post_user_message(incident, ANN, "looking at the backups")
    event = {
        "type": "message",
        "channel": incident,
        "user": ANN,
        "text": posted.text,
        "ts": posted.ts,
        "channel_type": "channel",
    }
    assert bot.requests.event(event).status == 200
    bot.clock.advance(minutes=30)

    assert find_and_send_nudges(bot.ctx) == 0  # 60 min since joining, 30 since speaking
    bot.clock.advance(minutes=16)
    assert find_and_send_nudges(bot.ctx) == 1


def test_channel_joins_and_bot_posts_do_not_count_as_speaking(
    bot: BotHarness, incident: str
) -> None:
    bot.clock.advance(minutes=50)
    bot.requests.event(
        {
            "type": "message",
            "subtype": "channel_join",
            "channel": incident,
            "user": ANN,
            "text": "has joined",
            "ts": "1.0",
        }
    )
    bot.requests.event(
        {
            "type": "message",
            "channel": incident,
            "user": ANN,
            "bot_id": "B1",
            "text": "automated",
            "ts": "2.0",
        }
    )

    assert find_and_send_nudges(bot.ctx) == 1


def test_two_finders_at_once_send_one_nudge(bot: BotHarness, incident: str) -> None:
    bot.command(f"need <@{BOB}>", channel=incident)
    bot.clock.advance(minutes=60)
    warm = [bot.db.engine.connect() for _ in range(2)]
    for connection in warm:
        connection.close()
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def finder() -> None:
        barrier.wait()
        counts.append(find_and_send_nudges(bot.ctx))

    threads = [threading.Thread(target=finder) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(counts) == 2  # Ann and Bob, each once
    people = sorted(
        NudgeValue.load(button(m, ActionId.NUDGE_KEEP)["value"]).user
        for m in nudges_to_commander(bot)
    )
    assert people == [ANN, BOB]


def test_release_button_moves_to_standby_and_tells_everyone(bot: BotHarness, incident: str) -> None:
    bot.clock.advance(minutes=50)
    find_and_send_nudges(bot.ctx)
    nudge = nudges_to_commander(bot)[0]
    value = button(nudge, ActionId.NUDGE_RELEASE)["value"]

    reply = bot.requests.block_action(
        user=COMMANDER,
        channel=nudge.channel,
        message_ts=nudge.ts,
        action_id=ActionId.NUDGE_RELEASE,
        value=value,
    )
    bot.settle()

    assert reply.status == 200
    person = state_of(bot, ANN)
    assert (person.state, person.needed_seconds) == ("standby", 50 * 60)
    with bot.db.transaction() as session:
        entry = session.scalars(select(TimelineEntry).order_by(TimelineEntry.id.desc())).first()
        assert entry is not None and entry.kind == "roster"
        assert entry.text == (
            f"<@{ANN}> released to standby by <@{COMMANDER}>: "
            "quiet in the channel for 50m (inactivity nudge)"
        )
    assert "released you to standby" in dm_messages(bot, ANN)[-1].text
    replaced = bot.responses()[-1]
    assert replaced["replace_original"] is True and "on standby" in replaced["text"]


def test_keep_button_restarts_the_clock(bot: BotHarness, incident: str) -> None:
    bot.clock.advance(minutes=50)
    find_and_send_nudges(bot.ctx)
    nudge = nudges_to_commander(bot)[0]

    bot.requests.block_action(
        user=COMMANDER,
        channel=nudge.channel,
        message_ts=nudge.ts,
        action_id=ActionId.NUDGE_KEEP,
        value=button(nudge, ActionId.NUDGE_KEEP)["value"],
    )
    bot.settle()

    person = state_of(bot, ANN)
    assert person.state == "needed" and person.nudged_at is None
    assert person.last_active_at == bot.clock.now()
    assert "Kept" in bot.responses()[-1]["text"]
    bot.clock.advance(minutes=44)
    assert find_and_send_nudges(bot.ctx) == 0
    bot.clock.advance(minutes=1)
    assert find_and_send_nudges(bot.ctx) == 1


def test_only_the_commander_may_release_from_a_nudge(bot: BotHarness, incident: str) -> None:
    bot.clock.advance(minutes=50)
    find_and_send_nudges(bot.ctx)
    nudge = nudges_to_commander(bot)[0]

    bot.requests.block_action(
        user=BOB,
        channel=incident,
        message_ts=nudge.ts,
        action_id=ActionId.NUDGE_RELEASE,
        value=button(nudge, ActionId.NUDGE_RELEASE)["value"],
    )
    bot.settle()

    assert state_of(bot, ANN).state == "needed"
    assert "Only the incident commander" in bot.last_response_text()


def test_a_nudge_slack_would_not_take_is_sent_on_the_next_run(
    bot: BotHarness, incident: str
) -> None:
    bot.clock.advance(minutes=50)
    bot.slack.state.fail_next("conversations.open", "user_disabled")
    bot.slack.state.fail_next("chat.postEphemeral", "channel_not_found")

    assert find_and_send_nudges(bot.ctx) == 0
    assert state_of(bot, ANN).nudged_at is None

    assert find_and_send_nudges(bot.ctx) == 1
    assert len(nudges_to_commander(bot)) == 1


def test_when_a_dm_fails_the_commander_gets_it_in_the_channel(
    bot: BotHarness, incident: str
) -> None:
    bot.clock.advance(minutes=50)
    bot.slack.state.fail_next("conversations.open", "cannot_dm_bot")

    assert find_and_send_nudges(bot.ctx) == 1

    shown = [
        m
        for m in bot.slack.state.messages_in(incident, include_ephemeral=True)
        if m.ephemeral_to == COMMANDER and m.text.startswith(":zzz:")
    ]
    assert len(shown) == 1


def test_the_job_runs_the_finder(bot: BotHarness, incident: str) -> None:
    [job] = [j for j in jobs_of(bot.ctx) if j.name == "nudges"]
    bot.clock.advance(minutes=50)

    assert job.name == "nudges" and job.run() == 1
