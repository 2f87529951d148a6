"""The readiness audit against a real AWS account (or moto), through boto3.

Each check turns what AWS says into PASS or FAIL per resource, with the command that
fixes a failure. When AWS refuses to answer (an IAM action denied, a service missing in
the region), the result is UNKNOWN and names the IAM action to allow: an audit that could
not look has not shown anything is safe.

Everything lists through paginators: the accounts that need this most have hundreds of
tables and stacks. Only the session's region is audited (run it once per region).

This module runs the audit; the checks live one service to a module (`readiness_dynamodb`,
`readiness_cloudformation` with `readiness_template`, `readiness_amplify`,
`readiness_backup`, sharing `readiness_common`), and their public names are re-exported
here so `bot.aws.readiness` stays the one place to import them from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_amplify import (
    AmplifyBackend,
    amplify_backends,
    check_amplify_stacks_exist,
)
from bot.aws.readiness_backup import check_backup_plans
from bot.aws.readiness_cloudformation import check_stacks
from bot.aws.readiness_common import ACCESS_DENIED_CODES, could_not_check
from bot.aws.readiness_dynamodb import check_dynamodb
from bot.aws.readiness_template import (
    DATA_RESOURCE_TYPES,
    RETAINING_POLICIES,
    SNAPSHOT_TYPES,
    unprotected_data_resources,
)
from bot.domain.clock import ensure_utc
from bot.domain.errors import WarroomError
from bot.domain.readiness import Check, CheckResult, Outcome, ReadinessReport

__all__ = [
    "ACCESS_DENIED_CODES",
    "DATA_RESOURCE_TYPES",
    "RETAINING_POLICIES",
    "SNAPSHOT_TYPES",
    "AmplifyBackend",
    "check_amplify_stacks_exist",
    "check_backup_plans",
    "check_dynamodb",
    "check_stacks",
    "run_readiness",
    "unprotected_data_resources",
]

_RETRIES = Config(retries={"mode": "standard", "max_attempts": 6})


def run_readiness(
    session: boto3.Session,
    *,
    plan_check: Callable[[], CheckResult] | None,
    clock_now: datetime,
    endpoint_url: str | None = None,
) -> ReadinessReport:
    """Audit the session's account and region; never raises for what AWS refuses."""
    checked_at = ensure_utc(clock_now)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url, config=_RETRIES)

    results: list[CheckResult] = [_support_plan(plan_check)]
    try:
        dynamodb, amplify = client("dynamodb"), client("amplify")
        cloudformation, backup = client("cloudformation"), client("backup")
    except BotoCoreError as exc:  # no region configured, unknown endpoint, ...
        results += [
            CheckResult(check, Outcome.UNKNOWN, f"could not check: {exc}")
            for check in Check
            if check is not Check.SUPPORT_PLAN
        ]
        return ReadinessReport(tuple(results), checked_at, region=session.region_name)
    results += check_dynamodb(dynamodb)
    amplify_results, backends = amplify_backends(amplify)
    results += check_stacks(cloudformation, backends)
    results += amplify_results
    results += check_backup_plans(backup)
    return ReadinessReport(tuple(results), checked_at, region=session.region_name)


def _support_plan(plan_check: Callable[[], CheckResult] | None) -> CheckResult:
    if plan_check is None:
        return CheckResult(Check.SUPPORT_PLAN, Outcome.UNKNOWN, "support plan not checked")
    try:
        return plan_check()
    except WarroomError as exc:
        return CheckResult(Check.SUPPORT_PLAN, Outcome.UNKNOWN, exc.user_message)
    except (ClientError, BotoCoreError) as exc:
        return could_not_check(Check.SUPPORT_PLAN, exc, None)
