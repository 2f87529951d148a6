"""AWS's replies on an open case are posted to the incident channel once and logged on the
timeline, on SQLite and PostgreSQL, even with two pollers (two replicas) at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from bot.app.runtime import jobs_of
from bot.aws.support import AwsSupport
from bot.domain.clock import FixedClock
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.services import outbox
from bot.services.support import check_plan_after_declare
from bot.services.support_poller import poll_case, poll_support_cases
from bot.store.models import SupportCase, SupportCommunication, TimelineEntry
from tests.harness import BotHarness

POLL_SECONDS = 60


@pytest.fixture
def aws(clock: FixedClock) -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="business", clock=clock) as emulator:
        yield emulator


@pytest.fixture
def bot(
    database_url: str, clock: FixedClock, aws: AwsSupportEmulator, no_backoff: None
) -> Iterator[BotHarness]:
    support = AwsSupport(session=dummy_session(), endpoint_url=aws.endpoint_url)
    harness = BotHarness(
        database_url,
        clock=clock,
        support=support,
        settings={"warroom_support_poll_seconds": POLL_SECONDS},
    )
    assert check_plan_after_declare in harness.ctx.after_declare
    yield harness
    harness.close()


@pytest.fixture
def channel(bot: BotHarness) -> str:
    """An incident with an open AWS case."""
    channel = bot.declare()
    bot.command("support open", channel=channel)
    return channel


def aws_posts(bot: BotHarness, channel: str) -> list[str]:
    return [m.text for m in bot.posted(channel) if "AWS Support replied" in m.text]


def aws_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.text.startswith("AWS Support replied"))
                .order_by(TimelineEntry.id)
            )
        )


def the_case(bot: BotHarness) -> SupportCase:
    with bot.db.transaction() as session:
        return session.scalars(select(SupportCase)).one()


def next_poll(bot: BotHarness) -> int:
    bot.clock.advance(seconds=POLL_SECONDS)
    return poll_support_cases(bot.ctx)


def in_parallel(work: Callable[[], int], copies: int = 2) -> list[int]:
    start = threading.Barrier(copies)
    results: list[int] = []

    def run() -> None:
        start.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_an_aws_reply_is_posted_once_logged_and_sets_first_response(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    assert next_poll(bot) == 0  # only our own opening message so far: nothing posted
    [case] = aws.cases
    bot.clock.advance(minutes=20)
    replied_at = bot.clock.now()
    aws.add_aws_reply(case.case_id, "Hello, I am looking at stack <prod>. <!channel>")

    assert next_poll(bot) == 1
    assert next_poll(bot) == 0

    [posted] = aws_posts(bot, channel)
    assert case.display_id in posted
    assert "&lt;prod&gt;" in posted and "<!channel>" not in posted
    assert f"<!date^{int(replied_at.timestamp())}^" in posted
    [entry] = aws_entries(bot)
    assert entry.kind == "support" and entry.author_id is None
    assert entry.occurred_at == replied_at
    assert "stack <prod>" in entry.text
    assert the_case(bot).first_response_at == replied_at


def test_later_replies_are_posted_and_the_first_response_time_stays(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [case] = aws.cases
    bot.clock.advance(minutes=30)
    first = bot.clock.now()
    aws.add_aws_reply(case.case_id, "First answer")
    next_poll(bot)
    bot.clock.advance(minutes=5)
    aws.add_aws_reply(case.case_id, "Second answer")

    assert next_poll(bot) == 1

    posts = aws_posts(bot, channel)
    assert len(posts) == 2
    assert "First answer" in posts[0] and "Second answer" in posts[1]
    assert the_case(bot).first_response_at == first


def test_two_replies_in_the_same_millisecond_are_both_posted(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    """The adapter keeps only messages strictly after `after`: a second message with the
    last one's time must still be seen, and the first must not be posted twice."""
    [case] = aws.cases
    bot.clock.advance(minutes=10)
    at = bot.clock.now()
    aws.add_aws_reply(case.case_id, "Part one", at=at)
    assert next_poll(bot) == 1
    aws.add_aws_reply(case.case_id, "Part two", at=at)

    assert next_poll(bot) == 1

    posts = aws_posts(bot, channel)
    assert len(posts) == 2 and "Part one" in posts[0] and "Part two" in posts[1]


def test_two_pollers_at_once_post_each_reply_once(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [case] = aws.cases
    bot.clock.advance(minutes=15)
    aws.add_aws_reply(case.case_id, "We have started a restore")
    bot.clock.advance(seconds=POLL_SECONDS)

    results = in_parallel(lambda: poll_support_cases(bot.ctx))

    assert sorted(results) == [0, 1]
    assert len(aws_posts(bot, channel)) == 1
    assert len(aws_entries(bot)) == 1


def test_the_same_reply_fetched_by_two_pollers_is_recorded_and_posted_once(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    """Past the lease (both replicas ask AWS), the fingerprint still allows one post."""
    [case] = aws.cases
    pk = the_case(bot).id
    bot.clock.advance(minutes=15)
    aws.add_aws_reply(case.case_id, "Restore is 40% done")

    results = in_parallel(lambda: poll_case(bot.ctx, pk))

    assert len(aws.calls_to("DescribeCommunications")) == 2
    assert sorted(results) == [0, 1]
    assert len(aws_posts(bot, channel)) == 1
    assert len(aws_entries(bot)) == 1
    with bot.db.transaction() as session:
        stored = session.scalars(select(SupportCommunication)).all()
        assert sorted(c.from_aws for c in stored) == [False, True]  # our opening message too


def test_aws_trouble_while_polling_is_retried_next_time(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [case] = aws.cases
    aws.add_aws_reply(case.case_id, "Please call us")
    aws.fail_next("ThrottlingException", operation="DescribeCommunications", times=5)

    assert next_poll(bot) == 0
    assert aws_posts(bot, channel) == []
    assert next_poll(bot) == 1
    assert len(aws_posts(bot, channel)) == 1


def test_a_reply_that_slack_refuses_is_kept_and_posted_later(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [case] = aws.cases
    aws.add_aws_reply(case.case_id, "Can you share the stack ARN?")
    bot.slack.state.fail_next("chat.postMessage", "channel_not_found")

    assert next_poll(bot) == 1
    assert aws_posts(bot, channel) == []
    assert len(aws_entries(bot)) == 1  # logged although Slack refused the post
    assert next_poll(bot) == 0  # not posted again by the poller...
    assert outbox.deliver_pending(bot.db, bot.ctx.chat, bot.clock) == 1  # ...but by the outbox
    assert len(aws_posts(bot, channel)) == 1


def test_a_resolved_case_is_no_longer_polled(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [case] = aws.cases
    with bot.db.transaction() as session:
        session.scalars(select(SupportCase)).one().resolved_at = bot.clock.now()
    aws.add_aws_reply(case.case_id, "Closing note")

    assert next_poll(bot) == 0
    assert aws.calls_to("DescribeCommunications") == []
    assert aws_posts(bot, channel) == []


def test_a_reply_aws_sends_later_shows_up_at_the_poll_that_sees_it(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    channel = bot.declare()
    aws.queue_aws_reply("We are engaging the CloudFormation team", after_polls=1)
    bot.command("support open", channel=channel)

    assert next_poll(bot) == 0
    assert aws_posts(bot, channel) == []
    assert next_poll(bot) == 1
    [posted] = aws_posts(bot, channel)
    assert "engaging the CloudFormation team" in posted
    assert the_case(bot).first_response_at == bot.clock.now()


def test_the_poll_job_uses_the_configured_interval(
    bot: BotHarness, aws: AwsSupportEmulator, channel: str
) -> None:
    [job] = [j for j in jobs_of(bot.ctx) if j.name == "support-poll"]
    [case] = aws.cases
    aws.add_aws_reply(case.case_id, "Update from AWS")
    bot.clock.advance(seconds=POLL_SECONDS)

    job.run()

    assert (job.name, job.every_seconds) == ("support-poll", POLL_SECONDS)
    assert len(aws_posts(bot, channel)) == 1
