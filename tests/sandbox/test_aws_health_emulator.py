"""The AWS Health side of the AWS emulator, driven through the real boto3 adapter: the plan
switch, pagination, region and status filters, details, affected entities, the HTTP
control endpoints, and errors on demand."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest

from bot.aws.health import AwsHealth
from bot.domain.errors import HealthError, HealthUnavailable
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


@pytest.fixture
def aws() -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="business") as emulator:
        yield emulator


def adapter(aws: AwsSupportEmulator) -> AwsHealth:
    return AwsHealth(session=dummy_session(), endpoint_url=aws.endpoint_url, max_attempts=1)


def test_without_a_business_plan_health_is_unavailable(aws: AwsSupportEmulator) -> None:
    aws.set_plan("none")
    aws.health.open_event("EC2", "AWS_EC2_OPERATIONAL_ISSUE")

    with pytest.raises(HealthUnavailable, match="needs a Business-class support plan"):
        adapter(aws).open_events(["us-east-1"])
    [call] = aws.calls_to("DescribeEvents")
    assert call.error == "SubscriptionRequiredException"


def test_open_events_of_the_watched_regions_every_page_with_details(
    aws: AwsSupportEmulator,
) -> None:
    arn = aws.health.open_event(
        "DYNAMODB",
        "AWS_DYNAMODB_OPERATIONAL_ISSUE",
        scope="ACCOUNT_SPECIFIC",
        description="Increased API error rates",
        entities=[TABLE],
    )
    for n in range(12):
        aws.health.open_event("EC2", f"AWS_EC2_ISSUE_{n}", region="eu-west-1")
    aws.health.open_event("S3", "AWS_S3_ISSUE", region="ap-south-1")
    closed = aws.health.open_event("LAMBDA", "AWS_LAMBDA_ISSUE")
    aws.health.set_status(closed, "closed")

    found = adapter(aws).open_events(["us-east-1", "eu-west-1"])

    assert len(found) == 13
    assert len(aws.calls_to("DescribeEvents")) == 2  # 10 a page
    [dynamodb] = [e for e in found if e.arn == arn]
    assert dynamodb.is_account_specific and dynamodb.description == "Increased API error rates"
    assert dynamodb.affected == (TABLE,)
    assert {e.status for e in found} == {"open"}
    assert all(call.region == "us-east-1" for call in aws.calls)  # the global endpoint


def test_known_events_are_read_back_by_arn_to_see_them_close(aws: AwsSupportEmulator) -> None:
    arn = aws.health.open_event("DYNAMODB", "AWS_DYNAMODB_OPERATIONAL_ISSUE")
    aws.health.set_status(arn, "closed")

    [event] = adapter(aws).events([arn])

    assert event.status == "closed"
    assert event.last_updated is not None and event.last_updated.tzinfo is not None


def test_throttling_is_a_health_error(aws: AwsSupportEmulator) -> None:
    aws.fail_next("ThrottlingException", operation="DescribeEvents")

    with pytest.raises(HealthError, match="ThrottlingException"):
        adapter(aws).open_events([])


def test_control_endpoints_open_and_close_events(aws: AwsSupportEmulator) -> None:
    def post(action: str, body: dict[str, str]) -> dict[str, str]:
        request = urllib.request.Request(
            f"{aws.endpoint_url}/_sandbox/health/{action}",
            data=json.dumps(body).encode(),
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return dict(json.loads(answer.read()))

    opened = post("open", {"service": "DYNAMODB", "event_type_code": "AWS_DYNAMODB_ISSUE"})
    assert [e.arn for e in adapter(aws).open_events([])] == [opened["arn"]]

    post("status", {"arn": opened["arn"], "status": "closed"})
    assert adapter(aws).open_events([]) == []
