"""Builds the readiness report the CLI and `/incident readiness` show: one place, so both
say the same thing about the same account.

AWS is reached through boto3's normal credential chain (`AWS_PROFILE`,
`AWS_ACCESS_KEY_ID`..., `AWS_ENDPOINT_URL`); the support plan is asked through the same
AWS Support adapter `/incident support` uses, and judged here: a plan that can open a
production-down case passes, no Support API access fails, and "could not ask" is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError

from bot.aws.readiness import run_readiness
from bot.aws.support import AwsSupport
from bot.domain.clock import Clock
from bot.domain.errors import AwsNotConfigured
from bot.domain.readiness import Check, CheckResult, Outcome, ReadinessReport
from bot.domain.restore_drill import drill_check_results
from bot.domain.support import PlanCheck, PlanClass

ReportBuilder = Callable[[], ReadinessReport]
# The tables' latest successful restore drills, as warroom recorded them.
DrillHistory = Callable[[Sequence[str]], Mapping[str, datetime]]

_PLAN_OUTCOME = {
    PlanClass.ENTERPRISE: Outcome.PASS,
    PlanClass.BUSINESS: Outcome.PASS,
    PlanClass.NONE: Outcome.FAIL,
    PlanClass.NOT_CONFIGURED: Outcome.UNKNOWN,
    PlanClass.UNKNOWN: Outcome.UNKNOWN,
}


def plan_check_result(check: PlanCheck) -> CheckResult:
    """The support plan as a readiness result; the detail is the adapter's own words."""
    return CheckResult(Check.SUPPORT_PLAN, _PLAN_OUTCOME[check.plan_class], check.detail)


def support_plan_check(support: Any) -> Callable[[], CheckResult]:
    """`plan_check` for `run_readiness`, over anything with `check_plan() -> PlanCheck`."""
    return lambda: plan_check_result(support.check_plan())


def build_report(
    *,
    now: datetime,
    session: boto3.Session | None = None,
    support: Any = None,
    endpoint_url: str | None = None,
    strict: bool = False,
    drill_history: DrillHistory | None = None,
) -> ReadinessReport:
    """Audit the account and region of `session` (default: boto3's normal chain).

    Raises `AwsNotConfigured` only when no session can be made at all (a profile that
    does not exist); everything AWS refuses later is an UNKNOWN result in the report.
    """
    if session is None:
        try:
            session = boto3.Session()
        except BotoCoreError as error:
            raise AwsNotConfigured(
                f"AWS is not configured: {error}. Set AWS_PROFILE to an existing profile, "
                "or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run with an IAM role."
            ) from None
    if support is None:
        support = AwsSupport(session=session)
    report = run_readiness(
        session,
        plan_check=support_plan_check(support),
        clock_now=now,
        endpoint_url=endpoint_url,
    )
    if drill_history is not None:
        report = with_drill_checks(report, drill_history)
    if strict:
        return ReadinessReport(report.results, report.checked_at, report.region, strict=True)
    return report


def with_drill_checks(report: ReadinessReport, drill_history: DrillHistory) -> ReadinessReport:
    """Add "restore drill within 30 days" for each table whose PITR check passed (only
    where warroom keeps a record: the bot's database, or the CLI with DATABASE_URL)."""
    pitr = [
        r.resource
        for r in report.results
        if r.name == Check.DYNAMODB_PITR and r.outcome is Outcome.PASS and r.resource
    ]
    if not pitr:
        return report
    added = drill_check_results(pitr, drill_history(pitr), report.checked_at)
    return ReadinessReport(
        (*report.results, *added), report.checked_at, report.region, strict=report.strict
    )


def readiness_builder(
    clock: Clock, *, support: Any = None, drill_history: DrillHistory | None = None
) -> ReportBuilder:
    """What `ctx.readiness` holds: a fresh audit on each call, at the clock's now.

    `support` is the bot's AWS Support port when it has one, so Slack's answer about the
    plan matches `/incident support`'s.
    """
    return lambda: build_report(now=clock.now(), support=support, drill_history=drill_history)
