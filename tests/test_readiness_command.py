"""The readiness audit where people run it: `/incident readiness` over signed HTTP and the
`warroom readiness` CLI as a subprocess, both against moto's HTTP server (`moto_server`)
with the AWS Support emulator standing in for the Support API (moto has no
`DescribeSeverityLevels`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.retries.standard import ExponentialBackoff
from moto.cloudformation.models import cloudformation_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

from bot.aws.readiness_report import build_report
from bot.aws.support import AwsSupport
from bot.domain.errors import AwsNotConfigured
from bot.domain.readiness import Check, ReadinessReport
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from tests.aws.tables import create_table
from tests.harness import BotHarness

REGION = "us-east-1"
NOW = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# The CLI as `warroom` runs it.
CLI = "import sys\nfrom bot.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"


@dataclass
class Account:
    """A moto account over HTTP, and the Support API emulator for its plan."""

    endpoint: str
    support: AwsSupportEmulator

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint, **CREDENTIALS)

    def table(self, name: str, *, pitr: bool, protected: bool) -> None:
        create_table(self.client("dynamodb"), name, pitr=pitr, protected=protected)

    def stack(self, name: str, table: str, *, retained: bool, protected: bool) -> None:
        resource: dict[str, Any] = {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": table,
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        }
        if retained:
            resource["DeletionPolicy"] = "Retain"
        self.client("cloudformation").create_stack(
            StackName=name,
            TemplateBody=json.dumps({"Resources": {"Table": resource}}),
            EnableTerminationProtection=protected,
        )

    def fail_stack(self, name: str, status: str) -> None:
        """moto never reaches a `*_FAILED` state by itself; its server runs in this process."""
        backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION]
        (stack,) = [s for s in backend.stacks.values() if s.name == name]
        stack.status = status

    def backup_plan(self, name: str) -> None:
        self.client("backup").create_backup_plan(
            BackupPlan={
                "BackupPlanName": name,
                "Rules": [{"RuleName": "daily", "TargetBackupVaultName": "Default"}],
            }
        )

    def env(self) -> dict[str, str]:
        """The environment of a process that audits this account and nothing else."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "SLACK_", "WARROOM_", "DATABASE_"))
        }
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ENDPOINT_URL_SUPPORT=self.support.endpoint_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE="/nonexistent",
            AWS_SHARED_CREDENTIALS_FILE="/nonexistent",
            AWS_MAX_ATTEMPTS="1",
        )
        return env

    def report(self, *, strict: bool = False) -> ReadinessReport:
        """What `ctx.readiness` would build, aimed at this account."""
        session = boto3.Session(region_name=REGION, **CREDENTIALS)
        support = AwsSupport(session=dummy_session(), endpoint_url=self.support.endpoint_url)
        return build_report(
            now=NOW,
            session=session,
            support=support,
            endpoint_url=self.endpoint,
            strict=strict,
        )


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto answers Amplify with errors that botocore retries; its backoff is not slept."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


def _reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10):
        pass


@pytest.fixture
def account() -> Iterator[Account]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    _reset(endpoint)  # moto's backends live in this process: start from an empty account
    try:
        with AwsSupportEmulator(plan="none") as support:
            yield Account(endpoint, support)
    finally:
        _reset(endpoint)
        server.stop()


def like_the_story(account: Account) -> None:
    """No support plan, no PITR, no protection, a stack stuck mid-rollback, no backups."""
    account.table("users", pitr=False, protected=False)
    account.stack("shop-prod", "orders", retained=False, protected=False)
    account.fail_stack("shop-prod", "UPDATE_ROLLBACK_FAILED")


def well_prepared(account: Account) -> None:
    account.support.set_plan("business")
    account.table("users", pitr=True, protected=True)
    account.stack("shop-prod", "orders", retained=True, protected=True)
    dynamodb = account.client("dynamodb")
    dynamodb.update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    dynamodb.update_table(TableName="orders", DeletionProtectionEnabled=True)
    account.backup_plan("daily")


STORY_GAPS = {
    (Check.SUPPORT_PLAN, None),
    (Check.DYNAMODB_PITR, "users"),
    (Check.DYNAMODB_PITR, "orders"),
    (Check.DYNAMODB_DELETION_PROTECTION, "users"),
    (Check.DYNAMODB_DELETION_PROTECTION, "orders"),
    (Check.STACK_TERMINATION_PROTECTION, "shop-prod"),
    (Check.STACK_STATE, "shop-prod"),
    (Check.STACK_DATA_ON_DELETE, "shop-prod"),
    (Check.BACKUP_PLANS, None),
}


def run_cli(account: Account, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, "readiness", *args],
        env=account.env(),
        cwd=tmp_path,  # no stray .env file is read
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- the CLI ------------------------------------------------------------------------------


def test_cli_fails_an_account_like_the_story_naming_every_gap(
    account: Account, tmp_path: Path
) -> None:
    like_the_story(account)

    table = run_cli(account, tmp_path)
    as_json = run_cli(account, tmp_path, "--format", "json")

    assert table.returncode == 1, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("BC/DR readiness for us-east-1, checked ")
    assert lines[2].split() == ["RESULT", "CHECK", "RESOURCE", "DETAIL"]
    failed = [line.split()[:3] for line in lines if line.startswith("FAIL ")]
    assert {(name, None if resource == "-" else resource) for _, name, resource in failed} == {
        (str(name), resource) for name, resource in STORY_GAPS
    }
    assert "UPDATE_ROLLBACK_FAILED" in table.stdout
    assert "continue-update-rollback" in table.stdout
    assert lines[-1] == ("Not ready: 9 failed, 1 could not be checked, 0 passed. Exit code 1.")

    assert as_json.returncode == 1, as_json.stderr
    document = json.loads(as_json.stdout)
    assert set(document) == {
        "checked_at",
        "region",
        "passed",
        "exit_code",
        "strict",
        "counts",
        "results",
    }
    assert document["region"] == REGION
    assert (document["passed"], document["exit_code"], document["strict"]) == (False, 1, False)
    assert document["counts"] == {"pass": 0, "fail": 9, "unknown": 1, "n/a": 0}
    assert {(r["name"], r["resource"]) for r in document["results"] if r["outcome"] == "fail"} == {
        (str(name), resource) for name, resource in STORY_GAPS
    }
    for result in document["results"]:
        assert set(result) == {"name", "outcome", "resource", "detail"}
        assert result["outcome"] in {"pass", "fail", "unknown"}
        assert result["detail"]
    support = next(r for r in document["results"] if r["name"] == Check.SUPPORT_PLAN)
    assert "Basic or Developer" in support["detail"]


def test_cli_passes_a_well_prepared_account(account: Account, tmp_path: Path) -> None:
    well_prepared(account)

    lenient = run_cli(account, tmp_path, "--format", "json")
    strict = run_cli(account, tmp_path, "--strict")

    # moto has no Amplify: the one check that could not run is shown, and the run exits 2
    # (a scheduled job must not go green on what it could not check); --strict is a no-op.
    assert lenient.returncode == 2, lenient.stdout + lenient.stderr
    document = json.loads(lenient.stdout)
    assert document["counts"]["fail"] == 0
    assert [(r["name"], r["outcome"]) for r in document["results"] if r["outcome"] != "pass"] == [
        (Check.AMPLIFY_BACKEND_STACK, "unknown")
    ]
    assert document["exit_code"] == 2 and document["passed"] is False
    assert strict.returncode == 2, strict.stdout + strict.stderr
    assert strict.stdout.splitlines()[-1] == (
        "Not shown ready: 0 failed, 1 could not be checked, 9 passed. Exit code 2."
    )


def test_cli_with_a_missing_profile_says_so(account: Account, tmp_path: Path) -> None:
    env = account.env()
    env["AWS_PROFILE"] = "no-such-profile"

    result = subprocess.run(
        [sys.executable, "-c", CLI, "readiness"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "AWS is not configured" in result.stderr and "no-such-profile" in result.stderr


# --- /incident readiness -------------------------------------------------------------------


def test_readiness_in_slack_reports_every_gap_to_the_asker(
    bot: BotHarness, account: Account
) -> None:
    like_the_story(account)
    bot.ctx.readiness = account.report

    reply = bot.command("readiness")

    assert reply.status == 200
    assert reply.json()["text"].startswith(":mag: Auditing the AWS account")
    assert reply.json()["response_type"] == "ephemeral"
    report = bot.last_response_text()
    assert report.startswith("*BC/DR readiness* in `us-east-1`, checked <!date^")
    assert ":x: *Not ready: 9 failed, 1 could not be checked, 0 passed.*" in report
    for name, resource in STORY_GAPS:
        where = f" `{resource}`" if resource else ""
        assert f":x: *{name}*{where}: " in report
    assert bot.posted(bot.general) == []  # to the asker only


def test_readiness_in_slack_on_a_well_prepared_account(bot: BotHarness, account: Account) -> None:
    well_prepared(account)
    bot.ctx.readiness = account.report

    bot.command("readiness")

    report = bot.last_response_text()
    assert ":grey_question: *Not shown ready: 0 failed, 1 could not be checked, 9 passed.*" in (
        report
    )
    assert ":x:" not in report


def test_readiness_that_cannot_reach_aws_says_why(bot: BotHarness) -> None:
    def not_configured() -> ReadinessReport:
        raise AwsNotConfigured("AWS is not configured: no AWS credentials were found.")

    bot.ctx.readiness = not_configured

    bot.command("readiness")

    assert bot.last_response_text() == (
        ":warning: AWS is not configured: no AWS credentials were found."
    )


def test_readiness_takes_no_arguments_and_needs_a_builder(bot: BotHarness) -> None:
    bot.ctx.readiness = lambda: pytest.fail("the audit must not run")

    extra = bot.command("readiness now").json()["text"]
    bot.ctx.readiness = None
    missing = bot.command("readiness").json()["text"]

    assert extra == ":warning: `/incident readiness` takes nothing after it."
    assert "readiness audit is not set up" in missing
    assert bot.responses() == []
