"""The BC/DR readiness audit against moto (in-process and over HTTP), with botocore's
Stubber where moto cannot go (Amplify, AccessDenied, nested stacks), and its renderers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

from bot.aws.readiness import run_readiness, unprotected_data_resources
from bot.domain.errors import NoSupportSubscription
from bot.domain.readiness import (
    Check,
    CheckResult,
    Outcome,
    ReadinessReport,
    render_json,
    render_mrkdwn,
    render_table,
)
from tests.aws import tables

REGION = "us-east-1"
NOW = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)
CREATED = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials; no profile or endpoint from the developer's shell leaks in."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


class StubbedSession(boto3.Session):
    """A real session whose named clients are replaced by Stubber-driven ones."""

    def __init__(self, stubbed: dict[str, Any]) -> None:
        super().__init__(region_name=REGION)
        self._stubbed = stubbed

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if service_name in self._stubbed:
            return self._stubbed[service_name]
        return super().client(service_name, *args, **kwargs)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def stubbed(service: str) -> tuple[Any, Stubber]:
    client = boto3.Session(region_name=REGION).client(service)
    return client, Stubber(client)


def no_amplify_apps() -> Any:
    client, stub = stubbed("amplify")
    stub.add_response("list_apps", {"apps": []})
    stub.activate()
    return client


def amplify_app(app_id: str, name: str) -> dict[str, Any]:
    return {
        "appId": app_id,
        "appArn": f"arn:aws:amplify:{REGION}:{DEFAULT_ACCOUNT_ID}:apps/{app_id}",
        "name": name,
        "description": "",
        "repository": "",
        "platform": "WEB",
        "createTime": CREATED,
        "updateTime": CREATED,
        "environmentVariables": {},
        "defaultDomain": f"{app_id}.amplifyapp.com",
        "enableBranchAutoBuild": False,
        "enableBasicAuth": False,
    }


def backend_env(app_id: str, env: str, stack: str) -> dict[str, Any]:
    return {
        "backendEnvironmentArn": (
            f"arn:aws:amplify:{REGION}:{DEFAULT_ACCOUNT_ID}:apps/{app_id}/backendenvironments/{env}"
        ),
        "environmentName": env,
        "stackName": stack,
        "createTime": CREATED,
        "updateTime": CREATED,
    }


def support_plan(outcome: Outcome, detail: str) -> Any:
    return lambda: CheckResult(Check.SUPPORT_PLAN, outcome, detail)


def table_template(table: str, *, policy: str | None = None, protected: bool = False) -> str:
    resource: dict[str, Any] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "TableName": table,
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    }
    if policy:
        resource["DeletionPolicy"] = policy
    if protected:
        resource["Properties"]["DeletionProtectionEnabled"] = True
    return json.dumps({"Resources": {"Table": resource}})


QUEUE_TEMPLATE = json.dumps({"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}})


def create_table(name: str, *, pitr: bool, protected: bool) -> None:
    tables.create_table(
        boto3.client("dynamodb", region_name=REGION), name, pitr=pitr, protected=protected
    )


def create_stack(name: str, template: str = QUEUE_TEMPLATE, *, protected: bool = False) -> None:
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=name, TemplateBody=template, EnableTerminationProtection=protected
    )


def force_status(name: str, status: str) -> None:
    """moto never reaches a `*_FAILED` state by itself: set it on moto's stack object."""
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION]
    (stack,) = [s for s in backend.stacks.values() if s.name == name]
    stack.status = status


def create_backup_plan(name: str) -> None:
    boto3.client("backup", region_name=REGION).create_backup_plan(
        BackupPlan={
            "BackupPlanName": name,
            "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}],
        }
    )


def audit(
    *,
    plan: Any = None,
    amplify: Any = None,
    **stubs: Any,
) -> ReadinessReport:
    clients = {"amplify": amplify if amplify is not None else no_amplify_apps(), **stubs}
    return run_readiness(StubbedSession(clients), plan_check=plan, clock_now=NOW)


def outcomes(report: ReadinessReport, check: str) -> dict[str | None, Outcome]:
    return {r.resource: r.outcome for r in report.results if r.name == check}


def find(report: ReadinessReport, check: str, resource: str | None) -> CheckResult:
    (result,) = [r for r in report.results if r.name == check and r.resource == resource]
    return result


# --- the story and its opposite --------------------------------------------------------


def test_account_like_the_story_fails_with_every_gap_named(aws: None) -> None:
    create_table("users", pitr=False, protected=False)
    create_stack("amplify-shop-prod", table_template("orders"))
    force_status("amplify-shop-prod", "UPDATE_ROLLBACK_FAILED")
    amplify, stub = stubbed("amplify")
    stub.add_response("list_apps", {"apps": [amplify_app("d1abc", "shop")]})
    stub.add_response(
        "list_backend_environments",
        {
            "backendEnvironments": [
                backend_env("d1abc", "prod", "amplify-shop-prod"),
                backend_env("d1abc", "staging", "amplify-shop-staging"),
            ]
        },
        {"appId": "d1abc"},
    )
    stub.activate()

    report = audit(
        plan=support_plan(Outcome.FAIL, "Basic plan: no technical cases, no Support API"),
        amplify=amplify,
    )

    failures = {(r.name, r.resource) for r in report.results if r.outcome is Outcome.FAIL}
    assert failures == {
        (Check.SUPPORT_PLAN, None),
        (Check.DYNAMODB_PITR, "users"),
        (Check.DYNAMODB_PITR, "orders"),
        (Check.DYNAMODB_DELETION_PROTECTION, "users"),
        (Check.DYNAMODB_DELETION_PROTECTION, "orders"),
        (Check.STACK_TERMINATION_PROTECTION, "amplify-shop-prod"),
        (Check.STACK_STATE, "amplify-shop-prod"),
        (Check.STACK_DATA_ON_DELETE, "amplify-shop-prod"),
        (Check.AMPLIFY_BACKEND_STACK, "amplify-shop-staging"),
        (Check.BACKUP_PLANS, None),
    }
    assert report.exit_code == 1
    assert not report.passed
    stuck = find(report, Check.STACK_STATE, "amplify-shop-prod").detail
    assert "`UPDATE_ROLLBACK_FAILED`" in stuck
    assert "Amplify app shop (d1abc), environment prod" in stuck
    assert "continue-update-rollback" in stuck
    data = find(report, Check.STACK_DATA_ON_DELETE, "amplify-shop-prod").detail
    assert "orders (AWS::DynamoDB::Table, logical id Table)" in data
    gone = find(report, Check.AMPLIFY_BACKEND_STACK, "amplify-shop-staging").detail
    assert "environment staging: its stack does not exist" in gone
    assert find(report, Check.AMPLIFY_BACKEND_STACK, "amplify-shop-prod").outcome is Outcome.PASS
    table = render_table(report)
    for name in ("users", "orders", "amplify-shop-prod", "amplify-shop-staging", "backup.plans"):
        assert name in table
    assert table.rstrip().endswith(
        "Not ready: 10 failed, 0 could not be checked, 1 passed. Exit code 1."
    )
    stub.assert_no_pending_responses()


def test_well_prepared_account_passes(aws: None) -> None:
    create_table("users", pitr=True, protected=True)
    create_stack(
        "amplify-shop-prod",
        table_template("orders", policy="Retain", protected=True),
        protected=True,
    )
    boto3.client("dynamodb", region_name=REGION).update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    create_backup_plan("daily")
    amplify, stub = stubbed("amplify")
    stub.add_response("list_apps", {"apps": [amplify_app("d1abc", "shop")]})
    stub.add_response(
        "list_backend_environments",
        {"backendEnvironments": [backend_env("d1abc", "prod", "amplify-shop-prod")]},
        {"appId": "d1abc"},
    )
    stub.activate()

    report = audit(plan=support_plan(Outcome.PASS, "Business: can open urgent"), amplify=amplify)

    assert [r for r in report.results if r.outcome is not Outcome.PASS] == []
    assert report.passed
    assert report.exit_code == 0
    assert find(report, Check.BACKUP_PLANS, None).detail == "1 backup plan(s): daily"
    assert render_table(report).rstrip().endswith("Exit code 0.")


# --- one check at a time ----------------------------------------------------------------


def test_point_in_time_recovery_per_table(aws: None) -> None:
    create_table("with-pitr", pitr=True, protected=True)
    create_table("without-pitr", pitr=False, protected=True)

    report = audit()

    assert outcomes(report, Check.DYNAMODB_PITR) == {
        "with-pitr": Outcome.PASS,
        "without-pitr": Outcome.FAIL,
    }
    assert (
        "aws dynamodb update-continuous-backups --table-name without-pitr"
        in find(report, Check.DYNAMODB_PITR, "without-pitr").detail
    )


def test_deletion_protection_per_table(aws: None) -> None:
    create_table("protected", pitr=True, protected=True)
    create_table("exposed", pitr=True, protected=False)

    report = audit()

    assert outcomes(report, Check.DYNAMODB_DELETION_PROTECTION) == {
        "protected": Outcome.PASS,
        "exposed": Outcome.FAIL,
    }


def test_termination_protection_per_stack(aws: None) -> None:
    create_stack("guarded", protected=True)
    create_stack("open", protected=False)

    report = audit()

    assert outcomes(report, Check.STACK_TERMINATION_PROTECTION) == {
        "guarded": Outcome.PASS,
        "open": Outcome.FAIL,
    }
    assert (
        "--enable-termination-protection --stack-name open"
        in find(report, Check.STACK_TERMINATION_PROTECTION, "open").detail
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("ROLLBACK_FAILED", Outcome.FAIL),
        ("UPDATE_ROLLBACK_FAILED", Outcome.FAIL),
        ("DELETE_FAILED", Outcome.FAIL),
        ("IMPORT_ROLLBACK_FAILED", Outcome.FAIL),
        ("UPDATE_ROLLBACK_COMPLETE", Outcome.PASS),
        ("CREATE_COMPLETE", Outcome.PASS),
    ],
)
def test_stack_state(aws: None, status: str, outcome: Outcome) -> None:
    create_stack("app", protected=True)
    force_status("app", status)

    result = find(audit(), Check.STACK_STATE, "app")

    assert result.outcome is outcome
    assert status in result.detail


def test_yaml_template_with_short_forms_is_read(aws: None) -> None:
    template = (
        "Resources:\n"
        "  Uploads:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      BucketName: !Sub '${AWS::StackName}-uploads'\n"
        "  Kept:\n"
        "    Type: AWS::S3::Bucket\n"
        "    DeletionPolicy: Retain\n"
        "    Properties:\n"
        "      Tags:\n"
        "        - Key: app\n"
        "          Value: !Ref AWS::StackName\n"
    )
    create_stack("files", template, protected=True)

    result = find(audit(), Check.STACK_DATA_ON_DELETE, "files")

    assert result.outcome is Outcome.FAIL
    assert "files-uploads (AWS::S3::Bucket, logical id Uploads)" in result.detail
    assert "Kept" not in result.detail


def test_backup_plans_absent_then_present(aws: None) -> None:
    assert find(audit(), Check.BACKUP_PLANS, None).outcome is Outcome.FAIL

    create_backup_plan("nightly")
    create_backup_plan("hourly")

    result = find(audit(), Check.BACKUP_PLANS, None)
    assert result.outcome is Outcome.PASS
    assert result.detail == "2 backup plan(s): hourly, nightly"


def test_empty_account_has_nothing_to_protect_but_no_backup_plan(aws: None) -> None:
    report = audit(plan=support_plan(Outcome.PASS, "Enterprise"))

    assert {r.name: r.outcome for r in report.results if r.outcome is not Outcome.PASS} == {
        Check.BACKUP_PLANS: Outcome.FAIL,
        Check.AMPLIFY_BACKEND_STACK: Outcome.NOT_APPLICABLE,  # no Amplify app: nothing to check
    }
    assert find(report, Check.DYNAMODB_PITR, None).detail == "no DynamoDB tables in this region"


@pytest.mark.parametrize(
    ("resource", "exposed"),
    [
        ({"Type": "AWS::DynamoDB::Table"}, True),
        ({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain"}, False),
        ({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "RetainExceptOnCreate"}, False),
        ({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Snapshot"}, True),
        ({"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete"}, True),
        (
            {"Type": "AWS::DynamoDB::Table", "Properties": {"DeletionProtectionEnabled": True}},
            False,
        ),
        ({"Type": "AWS::RDS::DBCluster"}, False),
        ({"Type": "AWS::RDS::DBCluster", "DeletionPolicy": "Delete"}, True),
        ({"Type": "AWS::RDS::DBInstance", "DeletionPolicy": "Snapshot"}, False),
        (
            {
                "Type": "AWS::RDS::DBInstance",
                "DeletionPolicy": "Delete",
                "Properties": {"DBClusterIdentifier": "c"},
            },
            False,
        ),
        ({"Type": "AWS::S3::Bucket"}, True),
        ({"Type": "AWS::EFS::FileSystem"}, True),
        ({"Type": "AWS::Cognito::UserPool"}, True),
        ({"Type": "AWS::Cognito::UserPool", "Properties": {"DeletionProtection": "ACTIVE"}}, False),
        ({"Type": "AWS::SQS::Queue"}, False),
    ],
)
def test_which_resources_a_stack_delete_destroys(resource: dict[str, Any], exposed: bool) -> None:
    found = unprotected_data_resources({"Resources": {"R": resource}})

    assert found == ([("R", resource["Type"])] if exposed else [])


# --- pagination ---------------------------------------------------------------------------


def test_more_tables_and_stacks_than_one_page(aws: None) -> None:
    for i in range(120):  # moto returns 100 tables per page
        create_table(f"t{i:03}", pitr=i % 2 == 0, protected=True)
    for i in range(60):  # and 50 stacks per page
        create_stack(f"s{i:02}", protected=i % 3 == 0)

    report = audit()

    pitr = outcomes(report, Check.DYNAMODB_PITR)
    assert len(pitr) == 120
    assert pitr["t119"] is Outcome.FAIL
    assert pitr["t118"] is Outcome.PASS
    protection = outcomes(report, Check.STACK_TERMINATION_PROTECTION)
    assert len(protection) == 60
    assert protection["s59"] is Outcome.FAIL
    assert protection["s57"] is Outcome.PASS


def test_amplify_apps_and_environments_are_paginated(aws: None) -> None:
    create_stack("amplify-a-prod", protected=True)
    create_stack("amplify-b-prod", protected=True)
    amplify, stub = stubbed("amplify")
    stub.add_response("list_apps", {"apps": [amplify_app("a1", "a")], "nextToken": "p2"})
    stub.add_response("list_apps", {"apps": [amplify_app("b1", "b")]}, {"nextToken": "p2"})
    stub.add_response(
        "list_backend_environments",
        {"backendEnvironments": [backend_env("a1", "prod", "amplify-a-prod")], "nextToken": "e2"},
        {"appId": "a1"},
    )
    stub.add_response(
        "list_backend_environments",
        {"backendEnvironments": [backend_env("a1", "dev", "amplify-a-dev")]},
        {"appId": "a1", "nextToken": "e2"},
    )
    stub.add_response(
        "list_backend_environments",
        {"backendEnvironments": [backend_env("b1", "prod", "amplify-b-prod")]},
        {"appId": "b1"},
    )
    stub.activate()

    report = audit(amplify=amplify)

    assert outcomes(report, Check.AMPLIFY_BACKEND_STACK) == {
        "amplify-a-prod": Outcome.PASS,
        "amplify-a-dev": Outcome.FAIL,
        "amplify-b-prod": Outcome.PASS,
    }
    stub.assert_no_pending_responses()


# --- what the auditor could not see ------------------------------------------------------


def test_access_denied_is_unknown_and_names_the_iam_action(aws: None) -> None:
    dynamodb, ddb_stub = stubbed("dynamodb")
    ddb_stub.add_response("list_tables", {"TableNames": ["orders"]})
    ddb_stub.add_client_error(
        "describe_continuous_backups", "AccessDeniedException", "not authorized"
    )
    ddb_stub.add_response(
        "describe_table", {"Table": {"TableName": "orders", "DeletionProtectionEnabled": True}}
    )
    ddb_stub.activate()
    backup, backup_stub = stubbed("backup")
    backup_stub.add_client_error("list_backup_plans", "AccessDeniedException", "no")
    backup_stub.activate()
    amplify, amplify_stub = stubbed("amplify")
    amplify_stub.add_client_error("list_apps", "AccessDeniedException", "no", 403)
    amplify_stub.activate()

    report = audit(
        plan=support_plan(Outcome.PASS, "Business"),
        amplify=amplify,
        dynamodb=dynamodb,
        backup=backup,
    )

    pitr = find(report, Check.DYNAMODB_PITR, "orders")
    assert pitr.outcome is Outcome.UNKNOWN
    assert pitr.detail == (
        "could not check: `dynamodb:DescribeContinuousBackups` was denied; "
        "allow it for the auditing identity"
    )
    assert find(report, Check.DYNAMODB_DELETION_PROTECTION, "orders").outcome is Outcome.PASS
    assert "`backup:ListBackupPlans` was denied" in find(report, Check.BACKUP_PLANS, None).detail
    assert "`amplify:ListApps` was denied" in find(report, Check.AMPLIFY_BACKEND_STACK, None).detail
    assert report.exit_code == 2  # nothing failed, but not everything could be checked
    assert replace(report, strict=True).exit_code == 2  # --strict: accepted, no change
    assert render_table(report).splitlines()[-1] == (
        "Not shown ready: 0 failed, 3 could not be checked, 4 passed. Exit code 2."
    )
    assert not report.passed
    ddb_stub.assert_no_pending_responses()


def test_stacks_denied_leaves_every_stack_check_unknown(aws: None) -> None:
    cloudformation, stub = stubbed("cloudformation")
    stub.add_client_error("describe_stacks", "AccessDenied", "User is not authorized", 403)
    stub.activate()

    report = audit(cloudformation=cloudformation)

    unknown = {r.name for r in report.results if r.outcome is Outcome.UNKNOWN}
    assert {
        Check.STACK_TERMINATION_PROTECTION,
        Check.STACK_STATE,
        Check.STACK_DATA_ON_DELETE,
    } <= unknown
    assert all(
        "`cloudformation:DescribeStacks` was denied" in r.detail
        for r in report.results
        if r.name.startswith("cloudformation.")
    )


def test_nested_stacks_name_their_root_and_skip_termination_protection(aws: None) -> None:
    root_id = f"arn:aws:cloudformation:{REGION}:{DEFAULT_ACCOUNT_ID}:stack/app/1"
    nested_id = f"arn:aws:cloudformation:{REGION}:{DEFAULT_ACCOUNT_ID}:stack/app-Storage-X/2"
    cloudformation, stub = stubbed("cloudformation")
    stub.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackId": root_id,
                    "StackName": "app",
                    "CreationTime": CREATED,
                    "StackStatus": "UPDATE_COMPLETE",
                    "EnableTerminationProtection": True,
                },
                {
                    "StackId": nested_id,
                    "StackName": "app-Storage-X",
                    "CreationTime": CREATED,
                    "StackStatus": "UPDATE_COMPLETE",
                    "ParentId": root_id,
                    "RootId": root_id,
                },
            ]
        },
    )
    stub.add_response(
        "get_template",
        {
            "TemplateBody": json.dumps(
                {"Resources": {"Child": {"Type": "AWS::CloudFormation::Stack"}}}
            )
        },
        {"StackName": root_id, "TemplateStage": "Processed"},
    )
    stub.add_response(
        "get_template",
        {"TemplateBody": table_template("orders")},
        {"StackName": nested_id, "TemplateStage": "Processed"},
    )
    stub.add_client_error("list_stack_resources", "AccessDenied", "no", 403)
    stub.activate()

    report = audit(cloudformation=cloudformation)

    assert outcomes(report, Check.STACK_TERMINATION_PROTECTION) == {"app": Outcome.PASS}
    nested = find(report, Check.STACK_DATA_ON_DELETE, "app-Storage-X")
    assert nested.outcome is Outcome.FAIL
    assert "Table (AWS::DynamoDB::Table)" in nested.detail
    assert "nested in app, so deleting app deletes them too" in nested.detail
    stub.assert_no_pending_responses()


def test_support_plan_not_checked_is_unknown(aws: None) -> None:
    result = find(audit(plan=None), Check.SUPPORT_PLAN, None)

    assert result.outcome is Outcome.UNKNOWN
    assert result.detail == "support plan not checked"


def test_support_plan_check_that_raises_a_warroom_error_is_unknown(aws: None) -> None:
    def plan() -> CheckResult:
        raise NoSupportSubscription("The Support API needs a Business plan or higher.")

    result = find(audit(plan=plan), Check.SUPPORT_PLAN, None)

    assert result.outcome is Outcome.UNKNOWN
    assert result.detail == "The Support API needs a Business plan or higher."


def test_naive_clock_is_refused(aws: None) -> None:
    with pytest.raises(ValueError, match="naive"):
        run_readiness(
            StubbedSession({"amplify": no_amplify_apps()}),
            plan_check=None,
            clock_now=datetime(2026, 9, 16, 13, 38),
        )


def test_no_region_makes_every_aws_check_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")

    report = run_readiness(
        boto3.Session(), plan_check=support_plan(Outcome.PASS, "Business"), clock_now=NOW
    )

    assert len(report.results) == len(Check)
    assert all(
        r.outcome is Outcome.UNKNOWN and "You must specify a region" in r.detail
        for r in report.results
        if r.name != Check.SUPPORT_PLAN
    )
    assert report.exit_code == 2  # nothing was checked: never a green run
    assert replace(report, strict=True).exit_code == 2
    assert not report.passed


def test_endpoint_url_reaches_moto_server_over_http() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
        dynamodb.create_table(
            TableName="over-http",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )

        report = run_readiness(
            boto3.Session(region_name=REGION), plan_check=None, clock_now=NOW, endpoint_url=endpoint
        )
    finally:
        server.stop()

    assert find(report, Check.DYNAMODB_PITR, "over-http").outcome is Outcome.FAIL
    # moto has no Amplify: the audit says it could not look instead of crashing.
    assert find(report, Check.AMPLIFY_BACKEND_STACK, None).outcome is Outcome.UNKNOWN


# --- the report and its renderers ----------------------------------------------------------


def report_of(*outcomes_: Outcome) -> ReadinessReport:
    return ReadinessReport(
        tuple(
            CheckResult(f"check.{i}", o, f"detail {i}", f"res{i}") for i, o in enumerate(outcomes_)
        ),
        NOW,
        region=REGION,
    )


@pytest.mark.parametrize(
    ("outcomes_", "exit_code", "strict_exit_code", "passed"),
    [
        ((Outcome.PASS, Outcome.PASS), 0, 0, True),
        ((Outcome.PASS, Outcome.FAIL), 1, 1, False),
        ((Outcome.UNKNOWN, Outcome.FAIL), 1, 1, False),
        ((Outcome.PASS, Outcome.UNKNOWN), 2, 2, False),
        ((Outcome.PASS, Outcome.NOT_APPLICABLE), 0, 0, True),
        ((Outcome.NOT_APPLICABLE, Outcome.UNKNOWN), 2, 2, False),
        ((Outcome.NOT_APPLICABLE, Outcome.FAIL), 1, 1, False),
        ((), 2, 2, False),
    ],
)
def test_exit_codes(
    outcomes_: tuple[Outcome, ...], exit_code: int, strict_exit_code: int, passed: bool
) -> None:
    report = report_of(*outcomes_)

    assert report.exit_code == exit_code
    assert replace(report, strict=True).exit_code == strict_exit_code
    assert report.passed is passed


def test_unknown_is_not_shown_ready_in_either_mode() -> None:
    lenient = report_of(Outcome.PASS, Outcome.UNKNOWN)
    strict = replace(lenient, strict=True)

    verdict = "Not shown ready: 0 failed, 1 could not be checked, 1 passed."
    assert lenient.summary() == strict.summary() == verdict
    assert render_table(lenient).splitlines()[-1].endswith("Exit code 2.")
    assert render_table(strict).splitlines()[-1].endswith("Exit code 2.")
    assert render_mrkdwn(lenient).splitlines()[1].startswith(":grey_question: *Not shown ready")


def test_table_lists_problems_first_and_ends_with_the_verdict() -> None:
    report = report_of(Outcome.PASS, Outcome.UNKNOWN, Outcome.FAIL)

    lines = render_table(report).splitlines()

    assert lines[0] == "BC/DR readiness for us-east-1, checked 2026-09-16 13:38:00 UTC"
    assert lines[2].split() == ["RESULT", "CHECK", "RESOURCE", "DETAIL"]
    assert [line.split()[0] for line in lines[3:6]] == ["FAIL", "UNKNOWN", "PASS"]
    assert lines[3].split() == ["FAIL", "check.2", "res2", "detail", "2"]
    assert lines[-1] == "Not ready: 1 failed, 1 could not be checked, 1 passed. Exit code 1."


def test_table_strips_control_characters_from_aws_text() -> None:
    report = ReadinessReport((CheckResult("c", Outcome.FAIL, "bad\x1b[2Jthing\nnext", "r"),), NOW)

    assert "\x1b" not in render_table(report)
    assert "bad [2Jthing next" in render_table(report)


def test_json_round_trips() -> None:
    document = json.loads(render_json(report_of(Outcome.PASS, Outcome.FAIL)))

    assert document == {
        "checked_at": "2026-09-16T13:38:00+00:00",
        "region": REGION,
        "passed": False,
        "exit_code": 1,
        "strict": False,
        "counts": {"pass": 1, "fail": 1, "unknown": 0, "n/a": 0},
        "results": [
            {"name": "check.0", "outcome": "pass", "resource": "res0", "detail": "detail 0"},
            {"name": "check.1", "outcome": "fail", "resource": "res1", "detail": "detail 1"},
        ],
    }


def test_mrkdwn_escapes_names_from_aws() -> None:
    report = ReadinessReport(
        (
            CheckResult(
                Check.STACK_STATE, Outcome.FAIL, "reason <!channel> & <http://x|y>", "a<b>&`c`"
            ),
        ),
        NOW,
        region=REGION,
    )

    text = render_mrkdwn(report)

    assert "<!channel>" not in text
    assert "<http" not in text
    assert (
        ":x: *cloudformation.stack_state* `a&lt;b&gt;&amp;'c'`: "
        "reason &lt;!channel&gt; &amp; &lt;http://x|y&gt;"
    ) in text
    assert text.splitlines()[0] == (
        "*BC/DR readiness* in `us-east-1`, checked "
        "<!date^1789565880^{date_short_pretty} {time}|2026-09-16 13:38 UTC>"
    )


def test_mrkdwn_lists_problems_up_to_a_cap_and_counts_passes() -> None:
    results = [CheckResult("dynamodb.x", Outcome.FAIL, "off", f"t{i}") for i in range(35)]
    results += [CheckResult("backup.plans", Outcome.PASS, "ok")] * 3
    report = ReadinessReport(tuple(results), NOW)

    lines = render_mrkdwn(report).splitlines()

    assert lines[1] == ":x: *Not ready: 35 failed, 0 could not be checked, 3 passed.*"
    assert sum(1 for line in lines if line.startswith(":x: *dynamodb.x*")) == 30
    assert "…and 5 more. Run `warroom readiness` for the full report." in lines
    assert lines[-1] == ":white_check_mark: Passed: backup.plans (3)"


def test_report_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="naive"):
        ReadinessReport((), datetime(2026, 1, 1))
