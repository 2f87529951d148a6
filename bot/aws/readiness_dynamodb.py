"""The DynamoDB readiness checks: point-in-time recovery and deletion protection per table.

Its own module because these two checks only ever talk to DynamoDB; `run_readiness` in
`bot.aws.readiness` calls `check_dynamodb` (re-exported from there).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_common import could_not_check, list_all
from bot.domain.readiness import Check, CheckResult, Outcome


def check_dynamodb(dynamodb: Any) -> list[CheckResult]:
    """Every table: point-in-time recovery on, deletion protection on."""
    try:
        names = list_all(dynamodb, "list_tables", "TableNames")
    except (ClientError, BotoCoreError) as exc:
        return [
            could_not_check(Check.DYNAMODB_PITR, exc, dynamodb),
            could_not_check(Check.DYNAMODB_DELETION_PROTECTION, exc, dynamodb),
        ]
    if not names:
        nothing = "no DynamoDB tables in this region"
        return [
            CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, nothing),
            CheckResult(Check.DYNAMODB_DELETION_PROTECTION, Outcome.PASS, nothing),
        ]
    results: list[CheckResult] = []
    for name in names:
        results.append(_table_pitr(dynamodb, name))
        results.append(_table_deletion_protection(dynamodb, name))
    return results


def _table_pitr(dynamodb: Any, name: str) -> CheckResult:
    try:
        described = dynamodb.describe_continuous_backups(TableName=name)
    except (ClientError, BotoCoreError) as exc:
        return could_not_check(Check.DYNAMODB_PITR, exc, dynamodb, name)
    status = (
        described.get("ContinuousBackupsDescription", {})
        .get("PointInTimeRecoveryDescription", {})
        .get("PointInTimeRecoveryStatus", "DISABLED")
    )
    if status == "ENABLED":
        return CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, "point-in-time recovery on", name)
    return CheckResult(
        Check.DYNAMODB_PITR,
        Outcome.FAIL,
        f"point-in-time recovery is {status.lower()}: deleted or overwritten data cannot be "
        "restored to a minute before. Fix: `aws dynamodb update-continuous-backups "
        f"--table-name {name} --point-in-time-recovery-specification "
        "PointInTimeRecoveryEnabled=true`",
        name,
    )


def _table_deletion_protection(dynamodb: Any, name: str) -> CheckResult:
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except (ClientError, BotoCoreError) as exc:
        return could_not_check(Check.DYNAMODB_DELETION_PROTECTION, exc, dynamodb, name)
    if table.get("DeletionProtectionEnabled"):
        return CheckResult(
            Check.DYNAMODB_DELETION_PROTECTION, Outcome.PASS, "deletion protection on", name
        )
    return CheckResult(
        Check.DYNAMODB_DELETION_PROTECTION,
        Outcome.FAIL,
        "deletion protection is off: a stack delete or one API call deletes the table. "
        f"Fix: `aws dynamodb update-table --table-name {name} --deletion-protection-enabled`",
        name,
    )
