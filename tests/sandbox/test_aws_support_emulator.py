"""The local AWS Support API emulator, spoken to as boto3 and raw HTTP speak to AWS."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from bot.domain.clock import FixedClock
from bot.domain.support import PlanClass
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session

T0 = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_endpoint_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_SUPPORT", raising=False)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def emulator(clock: FixedClock) -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="business", clock=clock) as running:
        yield running


@pytest.fixture
def client(emulator: AwsSupportEmulator) -> BaseClient:
    return dummy_session().client(
        "support", region_name="us-east-1", endpoint_url=emulator.endpoint_url
    )


def error_code(raised: pytest.ExceptionInfo[ClientError]) -> str:
    return raised.value.response["Error"]["Code"]


def create(client: BaseClient, severity: str = "urgent", body: str = "prod is down") -> str:
    return client.create_case(
        subject="INC-7 prod down", communicationBody=body, severityCode=severity
    )["caseId"]


def post(emulator: AwsSupportEmulator, target: str, body: bytes) -> tuple[int, str, Any]:
    request = urllib.request.Request(
        emulator.endpoint_url + "/",
        data=body,
        method="POST",
        headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.headers["Content-Type"], json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], json.loads(error.read())


# --- plans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("describe_severity_levels", {}),
        ("create_case", {"subject": "s", "communicationBody": "b"}),
        ("describe_cases", {}),
        ("describe_communications", {"caseId": "case-1"}),
        ("add_communication_to_case", {"caseId": "case-1", "communicationBody": "b"}),
        ("resolve_case", {"caseId": "case-1"}),
        ("describe_services", {}),
    ],
)
def test_without_a_plan_every_call_needs_a_subscription(
    emulator: AwsSupportEmulator, client: BaseClient, operation: str, params: dict[str, Any]
) -> None:
    emulator.set_plan("none")

    with pytest.raises(ClientError) as refused:
        getattr(client, operation)(**params)

    assert error_code(refused) == "SubscriptionRequiredException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert emulator.calls[-1].error == "SubscriptionRequiredException"


def test_errors_have_aws_json_shape(emulator: AwsSupportEmulator) -> None:
    emulator.set_plan("none")

    status, content_type, body = post(emulator, "AWSSupport_20130415.DescribeSeverityLevels", b"{}")

    assert status == 400
    assert content_type == "application/x-amz-json-1.1"
    assert body == {
        "__type": "SubscriptionRequiredException",
        "message": "AWS Premium Support Subscription is required to use this service.",
    }


def test_unknown_target_and_bad_json_are_refused(emulator: AwsSupportEmulator) -> None:
    assert post(emulator, "AWSSupport_20130415.DeleteAccount", b"{}")[2]["__type"] == (
        "UnknownOperationException"
    )
    assert post(emulator, "DynamoDB_20120810.ListTables", b"{}")[0] == 400
    status, _, body = post(emulator, "AWSSupport_20130415.DescribeServices", b"{nope")
    assert (status, body["__type"]) == (400, "SerializationException")


@pytest.mark.parametrize(
    ("plan", "codes"),
    [
        ("business", ["low", "normal", "high", "urgent"]),
        ("enterprise", ["low", "normal", "high", "urgent", "critical"]),
    ],
)
def test_severity_levels_follow_the_plan(
    emulator: AwsSupportEmulator, client: BaseClient, plan: str, codes: list[str]
) -> None:
    emulator.set_plan(plan)

    levels = client.describe_severity_levels(language="en")["severityLevels"]

    assert [level["code"] for level in levels] == codes
    assert levels[0] == {"code": "low", "name": "Low"}


def test_plan_changes_at_runtime(emulator: AwsSupportEmulator, client: BaseClient) -> None:
    emulator.set_plan(PlanClass.NONE)
    with pytest.raises(ClientError):
        client.describe_severity_levels()

    emulator.set_plan("enterprise")

    assert emulator.plan is PlanClass.ENTERPRISE
    assert client.describe_severity_levels()["severityLevels"][-1]["code"] == "critical"


def test_plan_must_be_one_the_emulator_knows(emulator: AwsSupportEmulator) -> None:
    with pytest.raises(ValueError):
        emulator.set_plan("unknown")
    with pytest.raises(ValueError):
        emulator.set_plan("gold")
    assert emulator.plan is PlanClass.BUSINESS


# --- cases ----------------------------------------------------------------------------------


def test_create_case_stores_what_was_sent(emulator: AwsSupportEmulator, client: BaseClient) -> None:
    case_id = client.create_case(
        subject="INC-7 prod down",
        communicationBody="Our stack was deleted.",
        severityCode="urgent",
        serviceCode="amazon-cloudformation",
        categoryCode="stack-operations",
        ccEmailAddresses=["oncall@example.com"],
        language="en",
        issueType="technical",
    )["caseId"]

    (case,) = client.describe_cases(caseIdList=[case_id])["cases"]
    assert case_id.startswith("case-123456789012-")
    assert case["displayId"].isdigit()
    assert case["subject"] == "INC-7 prod down"
    assert case["severityCode"] == "urgent"
    assert case["status"] == "opened"
    assert case["serviceCode"] == "amazon-cloudformation"
    assert case["ccEmailAddresses"] == ["oncall@example.com"]
    assert case["timeCreated"] == "2026-09-16T13:38:00.000Z"
    first = case["recentCommunications"]["communications"][0]
    assert first["body"] == "Our stack was deleted."
    assert emulator.calls[0].params["severityCode"] == "urgent"
    assert emulator.calls[0].region == "us-east-1"


def test_severity_above_the_plan_is_refused(
    emulator: AwsSupportEmulator, client: BaseClient
) -> None:
    with pytest.raises(ClientError) as refused:
        create(client, severity="critical")

    assert error_code(refused) == "ValidationException"
    assert emulator.cases == []


def test_missing_subject_is_refused(client: BaseClient) -> None:
    with pytest.raises(ClientError) as refused:
        client.create_case(subject="", communicationBody="b")
    assert error_code(refused) == "ValidationException"


def test_describe_cases_filters(client: BaseClient) -> None:
    first, second = create(client), create(client)
    client.resolve_case(caseId=first)

    open_ids = [c["caseId"] for c in client.describe_cases()["cases"]]
    all_ids = [c["caseId"] for c in client.describe_cases(includeResolvedCases=True)["cases"]]
    (only,) = client.describe_cases(caseIdList=[second], includeCommunications=False)["cases"]
    by_display = client.describe_cases(displayId=only["displayId"])["cases"]

    assert open_ids == [second]
    assert all_ids == [first, second]
    assert "recentCommunications" not in only
    assert [c["caseId"] for c in by_display] == [second]
    with pytest.raises(ClientError) as missing:
        client.describe_cases(caseIdList=["case-nope"])
    assert error_code(missing) == "CaseIdNotFound"


def test_case_status_follows_the_conversation(
    emulator: AwsSupportEmulator, client: BaseClient
) -> None:
    case_id = create(client)

    emulator.add_aws_reply(case_id, "Looking into it.")
    assert emulator.case(case_id).status == "pending-customer-action"

    assert client.add_communication_to_case(caseId=case_id, communicationBody="ok")["result"]
    assert emulator.case(case_id).status == "customer-action-completed"

    answer = client.resolve_case(caseId=case_id)
    assert (answer["initialCaseStatus"], answer["finalCaseStatus"]) == (
        "customer-action-completed",
        "resolved",
    )


def test_unknown_case_is_case_id_not_found(client: BaseClient) -> None:
    for call in (
        lambda: client.describe_communications(caseId="case-nope"),
        lambda: client.add_communication_to_case(caseId="case-nope", communicationBody="b"),
        lambda: client.resolve_case(caseId="case-nope"),
    ):
        with pytest.raises(ClientError) as missing:
            call()
        assert error_code(missing) == "CaseIdNotFound"


def test_concurrent_creates_get_distinct_cases(
    emulator: AwsSupportEmulator, client: BaseClient
) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda n: create(client, body=f"case {n}"), range(8)))

    assert len(set(ids)) == 8
    assert len({case.display_id for case in emulator.cases}) == 8


# --- communications -------------------------------------------------------------------------


def test_communications_are_newest_first_paged_and_time_filtered(
    emulator: AwsSupportEmulator, client: BaseClient, clock: FixedClock
) -> None:
    case_id = create(client)
    for n in range(12):
        emulator.add_aws_reply(case_id, f"reply {n}", at=T0 + timedelta(minutes=n + 1))

    page = client.describe_communications(caseId=case_id)
    rest = client.describe_communications(caseId=case_id, nextToken=page["nextToken"])
    late = client.describe_communications(caseId=case_id, afterTime="2026-09-16T13:48:00Z")

    assert [c["body"] for c in page["communications"]] == [f"reply {n}" for n in range(11, 1, -1)]
    assert [c["body"] for c in rest["communications"]] == ["reply 1", "reply 0", "prod is down"]
    assert "nextToken" not in rest
    assert [c["body"] for c in late["communications"]] == ["reply 11", "reply 10", "reply 9"]
    assert page["communications"][0]["submittedBy"] == "Amazon Web Services"
    assert page["communications"][0]["timeCreated"] == "2026-09-16T13:50:00.000Z"
    assert rest["communications"][-1]["submittedBy"] != "Amazon Web Services"


def test_aws_reply_needs_an_aware_time_and_a_known_case(
    emulator: AwsSupportEmulator, client: BaseClient
) -> None:
    case_id = create(client)
    with pytest.raises(ValueError):
        emulator.add_aws_reply(case_id, "x", at=datetime(2026, 9, 16, 13, 40))
    with pytest.raises(KeyError):
        emulator.add_aws_reply("case-nope", "x")


def test_queued_reply_goes_to_the_next_case_after_n_polls(
    emulator: AwsSupportEmulator, client: BaseClient, clock: FixedClock
) -> None:
    emulator.queue_aws_reply("An engineer is on it.", after_polls=1)
    case_id = create(client)
    other = create(client)

    def aws_bodies(case: str) -> list[str]:
        answer = client.describe_communications(caseId=case)["communications"]
        return [c["body"] for c in answer if c["submittedBy"] == "Amazon Web Services"]

    clock.advance(minutes=5)
    assert aws_bodies(case_id) == []
    assert aws_bodies(case_id) == ["An engineer is on it."]
    assert aws_bodies(case_id) == ["An engineer is on it."]  # delivered once
    assert aws_bodies(other) == []
    assert emulator.case(case_id).communications[-1].time_created == T0 + timedelta(minutes=5)


# --- scripted failures, services, lifecycle --------------------------------------------------


def test_fail_next_hits_only_the_named_operation_and_only_so_often(
    emulator: AwsSupportEmulator, client: BaseClient
) -> None:
    emulator.fail_next("AccessDeniedException", "denied", operation="CreateCase", times=1)

    assert client.describe_severity_levels()["severityLevels"]
    with pytest.raises(ClientError) as denied:
        create(client)
    assert error_code(denied) == "AccessDeniedException"
    assert create(client).startswith("case-")
    assert [(c.operation, c.error) for c in emulator.calls] == [
        ("DescribeSeverityLevels", None),
        ("CreateCase", "AccessDeniedException"),
        ("CreateCase", None),
    ]


def test_describe_services_lists_a_few_and_filters(client: BaseClient) -> None:
    services = client.describe_services(language="en")["services"]
    codes = [s["code"] for s in services]
    dynamo = client.describe_services(serviceCodeList=["amazon-dynamodb"])["services"]

    assert "amazon-cloudformation" in codes and "general-info" in codes
    assert all(s["categories"] for s in services)
    assert [s["code"] for s in dynamo] == ["amazon-dynamodb"]


def test_start_stop_and_endpoint(clock: FixedClock) -> None:
    emulator = AwsSupportEmulator(plan="business", clock=clock)
    with pytest.raises(RuntimeError):
        _ = emulator.endpoint_url

    emulator.start()
    endpoint = emulator.endpoint_url
    assert endpoint.startswith("http://127.0.0.1:")
    client = dummy_session().client(
        "support",
        region_name="us-east-1",
        endpoint_url=endpoint,
        config=Config(retries={"total_max_attempts": 1}),
    )
    assert client.describe_severity_levels()["severityLevels"]
    emulator.stop()

    with pytest.raises(EndpointConnectionError):
        client.describe_severity_levels()
    emulator.stop()  # stopping twice is harmless


def test_dummy_session_never_carries_real_credentials() -> None:
    credentials = dummy_session().get_credentials()
    assert credentials is not None
    assert (credentials.access_key, credentials.secret_key) == ("testing", "testing")
    assert dummy_session().region_name == "us-east-1"
