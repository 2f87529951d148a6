"""Declaring while Slack falters: the incident is stored first, its Slack steps are retried
when due (Retry-After, backoff), resumed after a restart, done by one replica, and a
channel whose answer was lost is adopted, never doubled. SQLite and PostgreSQL.

Time is the bot's FixedClock; the job (`declarations.run_due`) is run directly.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.sandbox.slack_api import FakeSlackState
from bot.services import declarations
from bot.store.models import Declaration, Incident
from tests.harness import COMMANDER, BotHarness


@pytest.fixture
def impatient(database_url: str) -> Iterator[BotHarness]:
    """A bot that gives Slack half a second to answer (the fake answers later when told)."""
    harness = BotHarness(database_url, settings={"warroom_slack_timeout_seconds": 0.5})
    yield harness
    harness.close()


def incident_channels(bot: BotHarness) -> list[str]:
    return [c.name for c in bot.slack.state.channels.values() if c.name.startswith("inc-")]


def told(bot: BotHarness) -> list[str]:
    return [str(r.get("text", "")) for r in bot.responses()]


def stored(bot: BotHarness, number: int = 1) -> tuple[Incident, Declaration]:
    with bot.db.transaction() as session:
        incident = session.get(Incident, number)
        row = session.get(Declaration, number)
        assert incident is not None and row is not None
        return incident, row


def run_job(bot: BotHarness) -> int:
    return declarations.run_due(bot.ctx)


def test_a_rate_limited_channel_is_created_when_slack_allows_and_the_declarer_hears(
    bot: BotHarness,
) -> None:
    bot.slack.state.faults.ratelimit("conversations.create", retry_after=30)

    reply = bot.command("declare sev1 Database gone")

    assert "INC-1" in reply.json()["text"]
    incident, row = stored(bot)
    assert incident.channel_id is None and row.step == "channel"
    assert row.next_attempt_at == bot.clock.now() + timedelta(seconds=30)
    assert any("its channel is coming" in t for t in told(bot))
    assert incident_channels(bot) == []

    bot.clock.advance(seconds=29)
    assert run_job(bot) == 0
    assert len(bot.slack.state.calls_to("conversations.create")) == 1  # not tried early

    bot.clock.advance(seconds=1)
    assert run_job(bot) == 1

    assert incident_channels(bot) == ["inc-1-database-gone"]
    channel = bot.slack.state.channel_by_name("inc-1-database-gone")
    assert channel is not None
    incident, row = stored(bot)
    assert incident.channel_id == channel.id and row.finished_at is not None
    assert COMMANDER in channel.members
    [summary] = bot.posted(channel.id)
    assert channel.pins == [summary.ts] and incident.summary_message_ts == summary.ts
    assert channel.purpose.startswith("INC-1 · declared ")
    assert told(bot)[-1] == f":white_check_mark: INC-1 is open in <#{channel.id}>."


def test_a_create_that_took_effect_but_timed_out_is_adopted_not_doubled(
    impatient: BotHarness,
) -> None:
    bot = impatient
    bot.slack.state.faults.delay_after_effect("conversations.create", seconds=1.5)

    bot.command("declare sev1 Queue stuck")

    assert incident_channels(bot) == ["inc-1-queue-stuck"]  # Slack made it
    incident, row = stored(bot)
    assert incident.channel_id is None  # ...but the bot never heard
    assert (row.last_error, row.uncertain_name) == ("timeout", "inc-1-queue-stuck")
    assert any("did not answer in time" in t for t in told(bot))

    bot.clock.advance(seconds=5)
    assert run_job(bot) == 1

    assert incident_channels(bot) == ["inc-1-queue-stuck"]
    assert len(bot.slack.state.calls_to("conversations.create")) == 1
    assert bot.slack.state.calls_to("conversations.list")
    channel = bot.slack.state.channel_by_name("inc-1-queue-stuck")
    assert channel is not None
    incident, _ = stored(bot)
    assert incident.channel_id == channel.id
    assert len(bot.posted(channel.id)) == 1 and len(channel.pins) == 1


def test_a_failed_lookup_after_a_lost_answer_is_retried_never_a_second_create(
    impatient: BotHarness,
) -> None:
    bot = impatient
    bot.slack.state.faults.delay_after_effect("conversations.create", seconds=1.5)
    bot.command("declare sev2 Cache cold")
    bot.slack.state.faults.server_error("conversations.list")
    bot.clock.advance(seconds=5)
    assert run_job(bot) == 0  # the lookup failed: looked up again later
    bot.clock.advance(seconds=10)

    assert run_job(bot) == 1

    assert incident_channels(bot) == ["inc-1-cache-cold"]
    assert len(bot.slack.state.calls_to("conversations.create")) == 1


def test_name_taken_for_our_unlisted_channel_waits_for_it_instead_of_a_second_one(
    impatient: BotHarness,
) -> None:
    """Slack's listing lags: after the lost answer the channel is not listed yet, the
    retried create hears `name_taken`, and the bot looks again later instead of opening
    `-2`."""
    bot = impatient
    bot.slack.state.faults.delay_after_effect("conversations.create", seconds=1.5)
    bot.command("declare sev2 Cache cold")
    made = bot.slack.state.channel_by_name("inc-1-cache-cold")
    assert made is not None
    bot.slack.state.unlisted.add(made.id)
    bot.clock.advance(seconds=5)

    assert run_job(bot) == 0

    assert stored(bot)[1].last_error == "channel_not_listed_yet"
    names = [c.params["name"] for c in bot.slack.state.calls_to("conversations.create")]
    assert names == ["inc-1-cache-cold", "inc-1-cache-cold"]  # the second said name_taken
    bot.slack.state.unlisted.clear()
    bot.clock.advance(seconds=10)

    assert run_job(bot) == 1

    assert incident_channels(bot) == ["inc-1-cache-cold"]
    assert stored(bot)[0].channel_id == made.id


def test_a_channel_of_that_name_made_by_someone_else_is_not_adopted(bot: BotHarness) -> None:
    bot.slack.state.add_channel("inc-1-db-down")  # a person's channel
    bot.slack.state.add_channel("inc-1-db-down-2")
    # The bot's own channel from another life of the database: another declaration's purpose.
    other = bot.slack.state.add_channel("inc-1-db-down-3")
    bot.slack.state.channels[other].creator = FakeSlackState.BOT_USER
    bot.slack.state.channels[other].purpose = "INC-1 · declared 2020-01-01 00:00:00 UTC · db down"

    bot.command("declare db down")

    names = [c.params["name"] for c in bot.slack.state.calls_to("conversations.create")]
    assert names == ["inc-1-db-down", "inc-1-db-down-2", "inc-1-db-down-3", "inc-1-db-down-4"]
    assert stored(bot)[0].channel_name == "inc-1-db-down-4"


def test_server_errors_are_retried_with_backoff_step_by_step(bot: BotHarness) -> None:
    bot.slack.state.faults.server_error("conversations.invite", times=2)

    bot.command("declare sev2 Search slow")

    incident, row = stored(bot)
    assert incident.channel_id is not None and row.step == "invite"
    assert row.next_attempt_at == bot.clock.now() + timedelta(seconds=2)
    assert any("the rest (invitation, pinned summary) is coming" in t for t in told(bot))
    bot.clock.advance(seconds=2)
    assert run_job(bot) == 0  # failed again: now four seconds
    assert stored(bot)[1].next_attempt_at == bot.clock.now() + timedelta(seconds=4)
    bot.clock.advance(seconds=4)

    assert run_job(bot) == 1

    channel = bot.slack.state.channels[str(incident.channel_id)]
    assert COMMANDER in channel.members and len(channel.pins) == 1
    assert len([t for t in told(bot) if "coming" in t]) == 1  # told once that it is coming
    assert told(bot)[-1].startswith(":white_check_mark: INC-1 is open")


def test_a_refusal_is_reported_and_the_other_steps_still_happen(bot: BotHarness) -> None:
    bot.slack.state.faults.error("pins.add", "restricted_action")

    bot.command("declare sev3 Flaky tests")

    incident, row = stored(bot)
    assert row.finished_at is not None and row.problems == [["pin", "restricted_action"]]
    assert "the summary could not be pinned (Slack said `restricted_action`)" in told(bot)[-1]
    assert bot.posted(str(incident.channel_id))


def test_an_unfinished_declaration_is_resumed_after_a_restart(
    bot: BotHarness, database_url: str
) -> None:
    bot.slack.state.faults.ratelimit("conversations.create", retry_after=20)
    bot.command("declare sev1 Region down")
    bot.server.close()
    bot.runtime.close()  # the replica goes away with the step still owed

    restarted = BotHarness(database_url, clock=bot.clock, slack=bot.slack)
    try:
        bot.clock.advance(seconds=20)
        assert declarations.seconds_until_due(restarted.ctx) == 0
        assert declarations.run_due(restarted.ctx) == 1
        restarted.settle()
    finally:
        restarted.close()

    assert incident_channels(bot) == ["inc-1-region-down"]
    channel = bot.slack.state.channel_by_name("inc-1-region-down")
    assert channel is not None
    assert told(bot)[-1] == f":white_check_mark: INC-1 is open in <#{channel.id}>."


def test_a_burst_under_a_tier_2_limit_gets_every_channel_in_order_once(
    bot: BotHarness,
) -> None:
    bot.slack.state.faults.clock = lambda: bot.clock.now().timestamp()
    bot.slack.state.faults.limit("conversations.create", calls=20, per_seconds=60)

    for n in range(1, 51):
        bot.command(f"declare sev2 Burst {n}")
    assert len(incident_channels(bot)) == 20
    for _ in range(2):  # two more windows of 20: 40, then 50
        wait = declarations.seconds_until_due(bot.ctx)
        assert wait is not None and 0 < wait <= 60  # the job sleeps until then, no polling
        bot.clock.advance(seconds=wait)
        run_job(bot)
    bot.settle()

    assert declarations.seconds_until_due(bot.ctx) is None  # nothing owed
    assert incident_channels(bot) == [f"inc-{n}-burst-{n}" for n in range(1, 51)]
    created = [
        c.params["name"]
        for c in bot.slack.state.calls_to("conversations.create")
        if bot.slack.state.channel_by_name(c.params["name"])
    ]
    assert len(set(created)) == 50
    with bot.db.transaction() as session:
        channels = session.scalars(select(Incident.channel_id).order_by(Incident.number)).all()
        assert None not in channels and len(set(channels)) == 50


@pytest.fixture
def second_replica(bot: BotHarness, database_url: str) -> Iterator[BotHarness]:
    replica = BotHarness(database_url, clock=bot.clock, slack=bot.slack)
    yield replica
    replica.close()


def test_two_replicas_running_the_job_at_once_open_each_channel_once(
    bot: BotHarness, second_replica: BotHarness
) -> None:
    bot.slack.state.faults.ratelimit("conversations.create", retry_after=10)
    for n in range(1, 6):
        bot.command(f"declare sev2 Race {n}")
    assert incident_channels(bot) == []  # the first waits out the limit, the rest queue
    bot.clock.advance(seconds=10)
    start = threading.Barrier(2)

    def job(harness: BotHarness) -> None:
        start.wait()
        declarations.run_due(harness.ctx)

    threads = [threading.Thread(target=job, args=(h,)) for h in (bot, second_replica)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    bot.settle()
    second_replica.settle()

    assert incident_channels(bot) == [f"inc-{n}-race-{n}" for n in range(1, 6)]
    names = [c.params["name"] for c in bot.slack.state.calls_to("conversations.create")]
    assert len(names) == 1 + 5  # one rate-limited, five created: none twice
    for channel_id in {c.id for c in bot.slack.state.channels.values() if c.name[:4] == "inc-"}:
        assert len(bot.slack.state.channels[channel_id].pins) == 1
