"""The AWS Support rules and the boto3 adapter.

The adapter runs against the local emulator over real HTTP for each plan class, against
moto for the calls moto implements, and against botocore's Stubber / event hooks for the
errors neither fake can produce on its own.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff
from botocore.stub import Stubber
from moto import mock_aws

from bot.aws.support import AwsSupport, parse_aws_time, redact
from bot.domain.clock import FixedClock
from bot.domain.errors import AwsNotConfigured, NoSupportSubscription, SupportError
from bot.domain.support import (
    SUPPORT_PLANS_URL,
    PlanClass,
    SupportAccessDenied,
    SupportCaseNotFound,
    SupportRequestRejected,
    SupportThrottled,
    SupportUnavailable,
    case_console_url,
    highest_case_severity,
    plan_from_severity_codes,
)
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.services.ports import Support

T0 = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)

_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_SUPPORT",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture(autouse=True)
def isolated_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No test may see the machine's AWS settings or reach the instance metadata service."""
    for name in _AWS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def backoffs(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry backoff, recorded instead of slept (tests never wait)."""
    asked: list[float] = []
    original = ExponentialBackoff.delay_amount

    def record(self: ExponentialBackoff, context: Any) -> float:
        asked.append(original(self, context))
        return 0

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", record)
    return asked


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def emulator(clock: FixedClock) -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="none", clock=clock) as running:
        yield running


@pytest.fixture
def support(emulator: AwsSupportEmulator, backoffs: list[float]) -> AwsSupport:
    return AwsSupport(session=dummy_session(), endpoint_url=emulator.endpoint_url)


def open_prod_down(support: Support, severity: str = "urgent") -> Any:
    return support.open_case(
        subject="INC-7 Production environment deleted",
        body="Our production CloudFormation stack was deleted during a rollback.",
        severity=severity,
        cc_emails=["oncall@example.com"],
        service_code="amazon-cloudformation",
        category_code="stack-operations",
    )


def stubbed(operation: str, code: str, message: str = "") -> tuple[AwsSupport, Stubber]:
    client = dummy_session().client("support", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error(
        operation, service_error_code=code, service_message=message, http_status_code=400
    )
    stubber.activate()
    return AwsSupport(client_factory=lambda: client), stubber


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- domain rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "plan", "highest"),
    [
        (["low", "normal", "high", "urgent", "critical"], PlanClass.ENTERPRISE, "critical"),
        (["low", "normal", "high", "urgent"], PlanClass.BUSINESS, "urgent"),
        (["Urgent ", "LOW"], PlanClass.BUSINESS, "urgent"),
        (["low", "normal", "high"], PlanClass.UNKNOWN, "high"),
        (["low"], PlanClass.UNKNOWN, "low"),
        ([], PlanClass.UNKNOWN, None),
    ],
)
def test_plan_class_and_highest_severity_come_from_the_offered_codes(
    codes: list[str], plan: PlanClass, highest: str | None
) -> None:
    assert plan_from_severity_codes(codes) is plan
    assert highest_case_severity(codes) == highest


def test_case_console_url_accepts_case_id_or_display_id() -> None:
    assert case_console_url("case-123456789012-muen-2026-abc").endswith(
        "#/case/?caseId=case-123456789012-muen-2026-abc&language=en"
    )
    assert case_console_url(" 1720000001 ") == (
        "https://support.console.aws.amazon.com/support/home#/case/?displayId=1720000001"
        "&language=en"
    )


def test_aws_times_become_aware_utc() -> None:
    assert parse_aws_time("2026-09-16T13:38:00.123Z") == datetime(
        2026, 9, 16, 13, 38, 0, 123000, tzinfo=UTC
    )
    # moto answers without a zone; the Support API's times are UTC.
    assert parse_aws_time("2026-09-16T13:38:00.5").tzinfo is UTC


def test_redact_removes_key_ids_and_secret_shaped_strings() -> None:
    text = redact("key AKIAIOSFODNN7EXAMPLE secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY end")
    assert text == "key [redacted] secret [redacted] end"


# --- each plan class, against the emulator ---------------------------------------------------


def test_no_plan_check_says_what_plan_would_allow_a_production_down_case(
    support: AwsSupport,
) -> None:
    check = support.check_plan()

    assert check.plan_class is PlanClass.NONE
    assert check.highest_severity is None
    assert not check.can_open_case
    assert "Business-class" in check.detail
    assert "production system down" in check.detail
    assert SUPPORT_PLANS_URL in check.detail


def test_no_plan_open_case_is_refused_with_the_way_to_buy_one(
    support: AwsSupport, emulator: AwsSupportEmulator
) -> None:
    with pytest.raises(NoSupportSubscription) as refused:
        open_prod_down(support)

    message = refused.value.user_message
    assert "Basic or Developer" in message
    assert "Business-class" in message
    assert SUPPORT_PLANS_URL in message
    assert emulator.cases == []
    assert [c.error for c in emulator.calls_to("CreateCase")] == ["SubscriptionRequiredException"]


def test_business_plan_opens_urgent_cases(
    support: AwsSupport, emulator: AwsSupportEmulator
) -> None:
    emulator.set_plan("business")

    check = support.check_plan()
    assert check.plan_class is PlanClass.BUSINESS
    assert check.highest_severity == "urgent"
    assert check.severities == ("urgent", "high", "normal", "low")
    assert "1 hour" in check.detail

    opened = open_prod_down(support, severity=check.highest_severity)
    stored = emulator.case(opened.case_id)
    assert opened.display_id == stored.display_id
    # AWS's own creation time, on AWS's clock: replies are measured against it.
    assert opened.time_created == stored.time_created
    assert stored.severity_code == "urgent"
    assert stored.subject == "INC-7 Production environment deleted"
    assert stored.cc_emails == ["oncall@example.com"]
    assert (stored.service_code, stored.category_code) == (
        "amazon-cloudformation",
        "stack-operations",
    )


def test_business_plan_cannot_open_critical(
    support: AwsSupport, emulator: AwsSupportEmulator
) -> None:
    emulator.set_plan("business")

    with pytest.raises(SupportRequestRejected) as refused:
        open_prod_down(support, severity="critical")

    assert "ValidationException" in refused.value.user_message
    assert emulator.cases == []


def test_enterprise_plan_opens_critical_cases_and_exchanges_messages(
    support: AwsSupport, emulator: AwsSupportEmulator, clock: FixedClock
) -> None:
    emulator.set_plan("enterprise")
    check = support.check_plan()
    assert check.plan_class is PlanClass.ENTERPRISE
    assert check.highest_severity == "critical"
    assert "15 minutes" in check.detail

    opened = open_prod_down(support, severity="critical")
    assert emulator.case(opened.case_id).severity_code == "critical"

    clock.advance(minutes=12)
    emulator.add_aws_reply(opened.case_id, "An engineer is looking at your stack now.")
    clock.advance(minutes=3)
    support.add_communication(opened.case_id, "Thanks: the stack was prod-api.")

    seen = support.communications(opened.case_id, after=None)
    assert [(c.body, c.is_from_aws, c.time_created) for c in seen] == [
        (
            "Our production CloudFormation stack was deleted during a rollback.",
            False,
            T0,
        ),
        ("An engineer is looking at your stack now.", True, T0 + timedelta(minutes=12)),
        ("Thanks: the stack was prod-api.", False, T0 + timedelta(minutes=15)),
    ]
    assert all(c.time_created.tzinfo is UTC for c in seen)

    later = support.communications(opened.case_id, after=T0 + timedelta(minutes=12))
    assert [c.body for c in later] == ["Thanks: the stack was prod-api."]

    support.resolve_case(opened.case_id)
    assert emulator.case(opened.case_id).status == "resolved"


def test_communications_follow_every_page(
    support: AwsSupport, emulator: AwsSupportEmulator, clock: FixedClock
) -> None:
    emulator.set_plan("business")
    opened = open_prod_down(support)
    for n in range(24):
        clock.advance(seconds=30)
        emulator.add_aws_reply(opened.case_id, f"update {n}")

    seen = support.communications(opened.case_id, after=T0)

    assert [c.body for c in seen] == [f"update {n}" for n in range(24)]
    assert len(emulator.calls_to("DescribeCommunications")) == 3  # pages of 10


def test_scripted_reply_arrives_after_the_polls_it_waits_for(
    support: AwsSupport, emulator: AwsSupportEmulator, clock: FixedClock
) -> None:
    emulator.set_plan("enterprise")
    emulator.queue_aws_reply("We have restored the stack from a snapshot.", after_polls=2)
    opened = open_prod_down(support, severity="critical")

    clock.advance(minutes=1)
    first = support.communications(opened.case_id, after=T0)
    clock.advance(minutes=1)
    second = support.communications(opened.case_id, after=T0)
    clock.advance(minutes=1)
    third = support.communications(opened.case_id, after=T0)

    assert first == [] and second == []
    assert [(c.body, c.submitted_by, c.time_created) for c in third] == [
        (
            "We have restored the stack from a snapshot.",
            "Amazon Web Services",
            T0 + timedelta(minutes=3),
        )
    ]


def test_plan_bought_mid_incident_is_seen_at_once(
    support: AwsSupport, emulator: AwsSupportEmulator
) -> None:
    assert support.check_plan().plan_class is PlanClass.NONE

    emulator.set_plan("business")
    assert support.check_plan().plan_class is PlanClass.BUSINESS

    emulator.set_plan("enterprise")
    assert support.check_plan().highest_severity == "critical"
    assert len(emulator.calls_to("DescribeSeverityLevels")) == 3


def test_calls_go_to_us_east_1_whatever_the_session_region(
    emulator: AwsSupportEmulator, backoffs: list[float]
) -> None:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
    )
    AwsSupport(session=session, endpoint_url=emulator.endpoint_url).check_plan()

    assert [c.region for c in emulator.calls] == ["us-east-1"]


def test_aws_endpoint_url_support_redirects_the_client(
    emulator: AwsSupportEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.set_plan("business")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SUPPORT", emulator.endpoint_url)

    check = AwsSupport(session=dummy_session()).check_plan()

    assert check.plan_class is PlanClass.BUSINESS
    assert len(emulator.calls) == 1


def test_unknown_case_is_a_clear_error(support: AwsSupport, emulator: AwsSupportEmulator) -> None:
    emulator.set_plan("business")

    with pytest.raises(SupportCaseNotFound) as missing:
        support.add_communication("case-123456789012-muen-2026-0000", "hello")

    assert "case-123456789012-muen-2026-0000" in missing.value.user_message


def test_message_too_long_for_aws_is_refused_before_asking(
    support: AwsSupport, emulator: AwsSupportEmulator
) -> None:
    emulator.set_plan("business")

    with pytest.raises(SupportRequestRejected) as refused:
        support.add_communication("case-x", "x" * 8001)

    assert "8,000" in refused.value.user_message
    assert emulator.calls == []


# --- throttling, outages and unreachable endpoints -------------------------------------------


def test_throttling_is_retried_with_backoff_then_succeeds(
    emulator: AwsSupportEmulator, backoffs: list[float]
) -> None:
    emulator.set_plan("business")
    emulator.fail_next("ThrottlingException", "Rate exceeded", operation="CreateCase", times=2)
    support = AwsSupport(session=dummy_session(), endpoint_url=emulator.endpoint_url)

    opened = open_prod_down(support)

    assert [c.error for c in emulator.calls_to("CreateCase")] == [
        "ThrottlingException",
        "ThrottlingException",
        None,
    ]
    assert len(backoffs) == 2
    assert len(emulator.cases) == 1 and emulator.cases[0].case_id == opened.case_id


def test_throttling_that_persists_ends_in_a_clear_error(
    emulator: AwsSupportEmulator, backoffs: list[float]
) -> None:
    emulator.set_plan("business")
    emulator.fail_next("ThrottlingException", "Rate exceeded", times=10)
    support = AwsSupport(
        session=dummy_session(), endpoint_url=emulator.endpoint_url, max_attempts=3
    )

    with pytest.raises(SupportThrottled) as throttled:
        open_prod_down(support)

    assert "`support:CreateCase`" in throttled.value.user_message
    assert len(emulator.calls_to("CreateCase")) == 3
    assert len(backoffs) == 2
    assert emulator.cases == []


def test_aws_server_errors_mean_unavailable(
    emulator: AwsSupportEmulator, backoffs: list[float]
) -> None:
    emulator.set_plan("business")
    emulator.fail_next("InternalServerError", "oops", status=500, times=10)
    support = AwsSupport(
        session=dummy_session(), endpoint_url=emulator.endpoint_url, max_attempts=2
    )

    with pytest.raises(SupportUnavailable):
        open_prod_down(support)
    check = support.check_plan()
    assert check.plan_class is PlanClass.UNKNOWN
    assert "unavailable" in check.detail


def test_unreachable_endpoint(backoffs: list[float]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    support = AwsSupport(session=dummy_session(), endpoint_url=endpoint, max_attempts=2)

    with pytest.raises(SupportUnavailable) as down:
        open_prod_down(support)
    assert f"could not reach {endpoint}" in down.value.user_message

    check = support.check_plan()
    assert check.plan_class is PlanClass.UNKNOWN
    assert endpoint in check.detail


# --- credentials and permissions -------------------------------------------------------------


def test_no_credentials_means_not_configured_and_nothing_is_sent(
    emulator: AwsSupportEmulator,
) -> None:
    emulator.set_plan("enterprise")
    support = AwsSupport(
        session=boto3.Session(region_name="us-east-1"), endpoint_url=emulator.endpoint_url
    )

    check = support.check_plan()
    assert check.plan_class is PlanClass.NOT_CONFIGURED
    assert check.detail.startswith("AWS is not configured: no AWS credentials were found.")

    with pytest.raises(AwsNotConfigured) as refused:
        open_prod_down(support)
    assert refused.value.user_message.startswith("AWS is not configured: ")
    assert "AWS_PROFILE" in refused.value.user_message
    assert emulator.calls == []


def test_subscription_required_from_stubber() -> None:
    support, stubber = stubbed(
        "create_case",
        "SubscriptionRequiredException",
        "AWS Premium Support Subscription is required to use this service.",
    )

    with pytest.raises(NoSupportSubscription) as refused:
        open_prod_down(support)

    assert SUPPORT_PLANS_URL in refused.value.user_message
    stubber.assert_no_pending_responses()


def test_access_denied_names_the_iam_action() -> None:
    support, stubber = stubbed(
        "create_case",
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: support:CreateCase",
    )

    with pytest.raises(SupportAccessDenied) as denied:
        open_prod_down(support)

    assert denied.value.action == "support:CreateCase"
    assert "`support:CreateCase`" in denied.value.user_message
    stubber.assert_no_pending_responses()


def test_access_denied_on_the_plan_probe_via_an_event_hook() -> None:
    client = dummy_session().client("support", region_name="us-east-1")

    def deny(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        parsed = {
            "Error": {"Code": "AccessDeniedException", "Message": "not authorized"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("https://support.us-east-1.amazonaws.com", 400, {}, None), parsed

    client.meta.events.register("before-call.support.DescribeSeverityLevels", deny)

    check = AwsSupport(client_factory=lambda: client).check_plan()

    assert check.plan_class is PlanClass.UNKNOWN
    assert "`support:DescribeSeverityLevels`" in check.detail


def test_rejected_credentials_are_not_configured_and_keys_never_leak() -> None:
    support, _ = stubbed(
        "describe_communications",
        "UnrecognizedClientException",
        "The security token AKIAIOSFODNN7EXAMPLE included in the request is invalid.",
    )

    with pytest.raises(AwsNotConfigured) as refused:
        support.communications("case-1", after=None)

    assert "AKIA" not in refused.value.user_message
    assert refused.value.user_message.startswith("AWS is not configured: ")


def test_other_refusals_quote_aws_without_secrets() -> None:
    support, _ = stubbed(
        "resolve_case",
        "ValidationException",
        "bad request from AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )

    with pytest.raises(SupportError) as refused:
        support.resolve_case("case-1")

    message = refused.value.user_message
    assert "ValidationException" in message and "`support:ResolveCase`" in message
    assert "AKIAIOSFODNN7EXAMPLE" not in message
    assert "wJalrXUtnFEMI" not in message


def test_constructor_refuses_ambiguous_wiring() -> None:
    with pytest.raises(ValueError, match="either client_factory"):
        AwsSupport(client_factory=lambda: None, endpoint_url="http://127.0.0.1:1")  # type: ignore[arg-type,return-value]


# --- moto, for the calls it implements -------------------------------------------------------


def test_open_and_resolve_against_moto() -> None:
    with mock_aws():
        raw = dummy_session().client("support", region_name="us-east-1")
        resolved: list[str] = []
        raw.meta.events.register(
            "after-call.support.ResolveCase",
            lambda parsed, **_: resolved.append(parsed["finalCaseStatus"]),
        )
        support = AwsSupport(client_factory=lambda: raw)

        opened = open_prod_down(support)

        (case,) = raw.describe_cases(caseIdList=[opened.case_id])["cases"]
        assert opened.case_id.startswith("case-")
        assert opened.display_id == case["displayId"]
        assert case["subject"] == "INC-7 Production environment deleted"
        assert case["ccEmailAddresses"] == ["oncall@example.com"]
        assert case["language"] == "en"

        support.resolve_case(opened.case_id)
        assert resolved == ["resolved"]
