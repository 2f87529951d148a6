"""The AWS Backup readiness check: is there any backup plan at all.

Its own module so each AWS service the audit asks has one place; `run_readiness` in
`bot.aws.readiness` calls `check_backup_plans` (re-exported from there).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_common import could_not_check, list_all
from bot.domain.readiness import Check, CheckResult, Outcome


def check_backup_plans(backup: Any) -> list[CheckResult]:
    """At least one AWS Backup plan exists (what it covers is not judged here)."""
    try:
        plans = list_all(backup, "list_backup_plans", "BackupPlansList")
    except (ClientError, BotoCoreError) as exc:
        return [could_not_check(Check.BACKUP_PLANS, exc, backup)]
    if not plans:
        return [
            CheckResult(
                Check.BACKUP_PLANS,
                Outcome.FAIL,
                "no AWS Backup plan: nothing is backed up on a schedule outside the "
                "resources themselves. Create one: `aws backup create-backup-plan` and "
                "assign resources with `aws backup create-backup-selection`",
            )
        ]
    names = ", ".join(sorted(plan.get("BackupPlanName", "?") for plan in plans))
    return [CheckResult(Check.BACKUP_PLANS, Outcome.PASS, f"{len(plans)} backup plan(s): {names}")]
