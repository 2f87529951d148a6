"""AWS Health in the incident, against the project's emulator: asked at declaration and on
the poller's rhythm, new events and status changes posted once to the channel and logged on
the timeline (kind `aws_health`), also with two replicas; `/incident health`; the pinned
summary; no Business-class plan said once, then never asked again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from bot.aws.health import AwsHealth
from bot.aws.support import AwsSupport
from bot.domain.clock import FixedClock
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.services.health_facts import incident_health_events
from bot.services.health_poller import poll_health
from bot.store.models import TimelineEntry
from tests.conftest import _postgres
from tests.databases import empty_tables
from tests.harness import BotHarness

POLL_SECONDS = 60
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


@pytest.fixture
def aws(clock: FixedClock) -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="business", clock=clock) as emulator:
        yield emulator


def make_bot(url: str, clock: FixedClock, aws: AwsSupportEmulator, **kwargs: object) -> BotHarness:
    return BotHarness(
        url,
        clock=clock,
        support=AwsSupport(session=dummy_session(), endpoint_url=aws.endpoint_url),
        health=AwsHealth(session=dummy_session(), endpoint_url=aws.endpoint_url, max_attempts=1),
        settings={
            "warroom_support_poll_seconds": POLL_SECONDS,
            "warroom_aws_regions": "us-east-1,eu-west-1",
        },
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.fixture
def bot(database_url: str, clock: FixedClock, aws: AwsSupportEmulator) -> Iterator[BotHarness]:
    harness = make_bot(database_url, clock, aws)
    yield harness
    harness.close()


def dynamodb_errors(aws: AwsSupportEmulator, region: str = "us-east-1") -> str:
    return aws.health.open_event(
        "DYNAMODB",
        "AWS_DYNAMODB_OPERATIONAL_ISSUE",
        region=region,
        scope="ACCOUNT_SPECIFIC",
        description="We are investigating increased API error rates for DynamoDB <tables>.",
        entities=[TABLE_ARN],
    )


def health_posts(bot: BotHarness, channel: str) -> list[str]:
    return [m.text for m in bot.posted(channel) if "*AWS Health: " in m.text]


def health_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.kind == "aws_health")
                .order_by(TimelineEntry.id)
            )
        )


def next_poll(bot: BotHarness) -> int:
    bot.clock.advance(seconds=POLL_SECONDS)
    return poll_health(bot.ctx)


def summary(bot: BotHarness, channel: str) -> str:
    return bot.posted(channel)[0].text


def test_an_event_open_at_declaration_is_posted_and_logged_once(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    arn = dynamodb_errors(aws)

    channel = bot.declare()
    assert next_poll(bot) == 0

    [posted] = health_posts(bot, channel)
    assert "*AWS Health: DYNAMODB in us-east-1* affecting this account (INC-1)" in posted
    assert "`AWS_DYNAMODB_OPERATIONAL_ISSUE`" in posted
    assert f"`{TABLE_ARN}`" in posted
    assert "DynamoDB &lt;tables&gt;" in posted
    [entry] = health_entries(bot)
    assert entry.text.startswith(
        "AWS Health event open, account-specific: DYNAMODB in us-east-1: "
        "AWS_DYNAMODB_OPERATIONAL_ISSUE"
    )
    assert entry.author_id is None and entry.data is not None and entry.data["arn"] == arn
    assert "*AWS Health:* :red_circle: DYNAMODB `AWS_DYNAMODB_OPERATIONAL_ISSUE` (us-east-1)" in (
        summary(bot, channel)
    )
    regions = {tuple(c.params["filter"]["regions"]) for c in aws.calls_to("DescribeEvents")}
    assert regions == {("us-east-1", "eu-west-1")}


def test_an_event_opened_during_the_incident_then_closed_is_posted_at_each_change(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    channel = bot.declare()
    assert "*AWS Health:* no open events" in summary(bot, channel)
    assert health_posts(bot, channel) == []

    arn = dynamodb_errors(aws, region="eu-west-1")
    assert next_poll(bot) == 1
    assert next_poll(bot) == 0
    aws.health.set_status(arn, "closed")
    assert next_poll(bot) == 1
    assert next_poll(bot) == 0

    opened, closed = health_posts(bot, channel)
    assert "DYNAMODB in eu-west-1" in opened
    assert "is now *closed* (was open)" in closed
    assert [e.data["status"] for e in health_entries(bot) if e.data] == ["open", "closed"]
    [event] = incident_health_events(bot.ctx, 1)
    assert (event.arn, event.status) == (arn, "closed")
    assert "*AWS Health:* no open events (1 closed)" in summary(bot, channel)


def test_slash_health_lists_what_aws_reports_now(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    channel = bot.declare()
    bot.command("health", channel=channel)
    assert "no open events in `us-east-1`, `eu-west-1`" in bot.last_response_text()

    dynamodb_errors(aws)
    reply = bot.command("health", channel=channel)

    assert reply.json()["text"] == "Asking AWS Health what it reports for this account…"
    answer = bot.last_response_text()
    assert answer.startswith("*AWS Health:* 1 open in `us-east-1`, `eu-west-1`")
    assert (
        "*DYNAMODB* in us-east-1: `AWS_DYNAMODB_OPERATIONAL_ISSUE` (open, affects this account"
    ) in answer
    assert len(health_posts(bot, channel)) == 1  # the command found it first: posted once
    assert next_poll(bot) == 0
    assert len(health_entries(bot)) == 1


def test_without_a_business_plan_it_says_so_once_and_stops_asking(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("none")
    dynamodb_errors(aws)

    channel = bot.declare()
    asked = len(aws.calls_to("DescribeEvents"))
    for _ in range(3):
        assert next_poll(bot) == 0

    assert asked == 1
    assert len(aws.calls_to("DescribeEvents")) == 1
    lines = summary(bot, channel).splitlines()
    plan_line = next(line for line in lines if line.startswith("*AWS support plan:*"))
    assert plan_line.endswith(
        "AWS Health events are not watched: the AWS Health API needs a Business-class support "
        "plan or higher, like the Support API."
    )
    assert sum("AWS Health events are not watched" in m.text for m in bot.posted(channel)) == 1
    assert health_entries(bot) == []

    bot.command("health", channel=channel)
    assert "AWS Health API needs a Business-class support plan" in bot.last_response_text()

    aws.set_plan("business")  # bought mid-incident: an explicit ask sees it, polling resumes
    bot.command("health", channel=channel)
    assert "1 open" in bot.last_response_text()
    assert "AWS Health events are not watched" not in summary(bot, channel)
    assert len(health_posts(bot, channel)) == 1


def test_aws_trouble_is_asked_again_next_time(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    channel = bot.declare()
    dynamodb_errors(aws)
    aws.fail_next("ThrottlingException", operation="DescribeEvents")

    assert next_poll(bot) == 0
    assert next_poll(bot) == 1
    assert len(health_posts(bot, channel)) == 1


def test_a_resolved_incident_is_no_longer_polled(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    channel = bot.declare()
    bot.command("resolve", channel=channel)
    before = len(aws.calls_to("DescribeEvents"))
    dynamodb_errors(aws)

    assert next_poll(bot) == 0
    assert len(aws.calls_to("DescribeEvents")) == before


def in_parallel(work: list[Callable[[], int]]) -> list[int]:
    start = threading.Barrier(len(work))
    results: list[int] = []

    def run(job: Callable[[], int]) -> None:
        start.wait()
        results.append(job())

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_replicas_post_an_event_and_its_change_once(
    clock: FixedClock, aws: AwsSupportEmulator
) -> None:
    url = _postgres.url()
    first = make_bot(url, clock, aws)
    replicas = [first, make_bot(url, clock, aws, slack=first.slack)]
    try:
        empty_tables(first.db)
        channel = first.declare()
        arn = dynamodb_errors(aws)

        for _ in range(2):
            clock.advance(seconds=POLL_SECONDS)
            assert sorted(in_parallel([lambda r=r: poll_health(r.ctx) for r in replicas])) in (
                [0, 1],
                [0, 0],
            )
        aws.health.set_status(arn, "closed")
        clock.advance(seconds=POLL_SECONDS)
        in_parallel([lambda r=r: poll_health(r.ctx) for r in replicas])

        posts = health_posts(first, channel)
        assert len(posts) == 2 and "is now *closed*" in posts[1]
        assert [e.data["status"] for e in health_entries(first) if e.data] == ["open", "closed"]
    finally:
        for replica in reversed(replicas):
            replica.close()


def test_two_replicas_on_the_same_instant_skip_each_others_claim(
    clock: FixedClock, aws: AwsSupportEmulator
) -> None:
    """Both poll at once on one database: one claims the incident, AWS is asked once."""
    url = _postgres.url()
    first = make_bot(url, clock, aws)
    replicas = [first, make_bot(url, clock, aws, slack=first.slack)]
    try:
        empty_tables(first.db)
        first.declare()
        dynamodb_errors(aws)
        asked = len(aws.calls_to("DescribeEvents"))
        clock.advance(seconds=POLL_SECONDS)

        results = in_parallel([lambda r=r: poll_health(r.ctx) for r in replicas])

        assert sorted(results) == [0, 1]
        assert len(aws.calls_to("DescribeEvents")) == asked + 1
    finally:
        for replica in reversed(replicas):
            replica.close()


def test_the_postmortem_carries_the_events_at_their_latest_status(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    import json

    from bot.services.postmortem import export_incident

    channel = bot.declare()
    arn = dynamodb_errors(aws)
    assert next_poll(bot) == 1
    aws.health.set_status(arn, "closed")
    assert next_poll(bot) == 1
    bot.command("resolve", channel=channel)

    exported = json.loads(
        export_incident(bot.db, 1, "json", zones=("UTC",), now=bot.clock.now()).content
    )

    [event] = exported["aws_health"]
    assert set(event) == {
        "arn",
        "service",
        "region",
        "event_type",
        "status",
        "start_time",
        "last_updated",
    }
    assert (event["arn"], event["service"], event["status"]) == (arn, "DYNAMODB", "closed")
    assert event["event_type"] == "AWS_DYNAMODB_OPERATIONAL_ISSUE"
    assert event["start_time"].endswith("+00:00") and event["last_updated"].endswith("+00:00")
    assert [e["kind"] for e in exported["timeline"]].count("aws_health") == 2
    html = export_incident(bot.db, 1, "html", zones=("UTC",), now=bot.clock.now()).content
    assert b"<h2>AWS Health</h2>" in html


def test_watched_regions_are_validated_at_start_up() -> None:
    from bot.app.settings import SettingsError, load_settings

    assert load_settings(warroom_aws_regions="us-east-1, eu-west-1").warroom_aws_regions == (
        "us-east-1",
        "eu-west-1",
    )
    assert load_settings().warroom_aws_regions == ()  # the AWS client's region
    with pytest.raises(SettingsError, match=r"^WARROOM_AWS_REGIONS is malformed: 'moon' is not"):
        load_settings(warroom_aws_regions="us-east-1,moon")
