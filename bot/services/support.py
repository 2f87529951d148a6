"""AWS Support for an incident: the plan (at declaration and `support`) and the case row helpers.

Slack wants an answer within 3 seconds and AWS Support is often slower, so each command is
split in two. What only touches the database (who may, is a case already open, the claim
that stops a second concurrent `support open`) runs before the acknowledgement; the AWS
call runs after it. State first: the claim is committed before AWS is asked, and the
outcome is recorded, with its timeline entry and channel announcement, in one transaction.

Nothing about the plan is cached: every command asks AWS again, because a plan can be
bought in the middle of an incident and the next command must see it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain import mrkdwn
from bot.domain.errors import (
    AwsNotConfigured,
)
from bot.domain.incident import reference
from bot.domain.support import (
    SUPPORT_CENTER_URL,
    PlanCheck,
    PlanClass,
    case_console_url,
    not_configured_check,
    production_down_advice,
    severity_phrase,
)
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.incidents import refresh_summary
from bot.services.ports import Support, Teller
from bot.store import repo
from bot.store.models import SupportCase
from bot.store.support import PENDING_PREFIX as PENDING_PREFIX
from bot.store.support import PENDING_SEVERITY as PENDING_SEVERITY
from bot.store.support import current_case as current_case
from bot.store.support import latest_case as latest_case

# A claim older than this was left by a process that died mid-call: it no longer blocks.
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_SUBJECT = 255
BODY_TIMELINE_ENTRIES = 10
MAX_BODY_ENTRY = 400
MAX_BODY = 7_800  # under the API's 8,000 characters

NOT_CONFIGURED = (
    "AWS is not configured for this bot, so warroom cannot ask AWS Support anything. Give "
    "warroom AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an IAM "
    "role) allowed the Support actions in the README. Until then, use the AWS console: "
    f"{SUPPORT_CENTER_URL}"
)
KNOWN_PLANS = {PlanClass.NONE.value, PlanClass.BUSINESS.value, PlanClass.ENTERPRISE.value}
MENTION = re.compile(r"<[@#!]([A-Za-z0-9^_-]+)(?:\|([^>]*))?>")


def require_support(ctx: ServiceContext) -> Support:
    if ctx.support is None:
        raise AwsNotConfigured(NOT_CONFIGURED)
    support: Support = ctx.support
    return support


def is_pending(case: SupportCase) -> bool:
    return case.severity == PENDING_SEVERITY


def case_label(case: SupportCase) -> str:
    return case.display_id or case.case_id


# --- the plan -----------------------------------------------------------------------------


def ask_plan(ctx: ServiceContext) -> PlanCheck:
    """AWS's answer now; with no Support port, the not-configured answer (never raises)."""
    if ctx.support is None:
        return not_configured_check("no AWS credentials were given to warroom.")
    check: PlanCheck = ctx.support.check_plan()
    return check


def plan_summary_line(check: PlanCheck, case: SupportCase | None = None) -> str:
    """The pinned summary's `AWS support plan:` line (bot.services.summary shows it)."""
    plan = check.plan_class
    if plan.allows_cases and check.highest_severity:
        line = (
            f"{plan.label}: can open {severity_phrase(check.highest_severity)} cases "
            "(`/incident support open`)."
        )
    elif plan is PlanClass.NONE:
        line = (
            f":warning: {plan.label}: warroom cannot open a case. A production-down case needs "
            "a Business-class plan or higher: see `/incident support`."
        )
    else:
        line = f":warning: {mrkdwn.escape(check.detail)}"
    if case is not None:
        line += (
            f" Case <{case_console_url(case.case_id)}|{case_label(case)}> is open "
            f"(`{case.severity}`)."
        )
    return line


def plan_warning(number: int, check: PlanCheck) -> str | None:
    """What the channel is told at declaration when no production-down case can be opened."""
    if check.plan_class is PlanClass.NONE:
        return (
            f":warning: *No AWS support plan with API access* on this account (Basic or "
            f"Developer class): warroom cannot open an AWS support case for {reference(number)}. "
            + production_down_advice()
        )
    if check.plan_class is PlanClass.UNKNOWN:
        return f":warning: {mrkdwn.escape(check.detail)}"
    return None


def record_plan(
    ctx: ServiceContext, number: int, check: PlanCheck, *, warn: bool, by_user: str | None = None
) -> list[int]:
    """Store what AWS said about the plan on the incident; returns outbox ids to deliver.

    A change between two known plan classes (the plan was bought mid-incident) is a
    timeline event: the postmortem should show when the account became able to open a case.
    """
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        old = incident.support_plan
        new = check.plan_class.value
        incident.support_plan = new
        incident.support_plan_detail = plan_summary_line(check, current_case(session, number))
        incident.support_checked_at = now
        if old in KNOWN_PLANS and new in KNOWN_PLANS and old != new:
            text = (
                f"AWS support plan is now: {check.plan_class.label} (was: {PlanClass(old).label})"
            )
            repo.add_timeline_entry(
                session,
                incident,
                kind=EntryKind.SUPPORT,
                text=text,
                author_id=by_user,
                occurred_at=now,
                recorded_at=now,
                data={"old_plan": old, "new_plan": new},
            )
        warning = plan_warning(number, check) if warn else None
        return outbox.announce(session, incident, warning, ctx.clock) if warning else []


def check_plan_after_declare(ctx: ServiceContext, number: int, teller: Teller) -> list[int]:
    """The `after_declare` hook: check the plan, show it in the pinned summary, and warn the
    channel when this account could not open a production-down case (the queued warning is
    returned for the caller to deliver)."""
    check = ask_plan(ctx)
    ids = record_plan(ctx, number, check, warn=True)
    refresh_summary(ctx, number)
    return ids


def describe_plan(ctx: ServiceContext, number: int, user: str | None = None) -> str:
    """`/incident support`: ask AWS now, store it, and say what can be opened."""
    require_support(ctx)
    check = ask_plan(ctx)
    record_plan(ctx, number, check, warn=False, by_user=user)
    refresh_summary(ctx, number)
    with ctx.db.transaction() as session:
        case = current_case(session, number)
        case_line = open_case_line(case) if case is not None else None
    if not check.can_open_case:
        return f":warning: *AWS support plan:* {mrkdwn.escape(check.detail)}"
    assert check.highest_severity is not None
    lines = [
        f"*AWS support plan:* {check.detail}",
        "*Severities this account can open:* "
        + ", ".join(severity_phrase(code) for code in check.severities),
    ]
    if case_line:
        lines.append(case_line)
    else:
        lines.append(
            "The commander opens a case at once with `/incident support open [<subject>]`: "
            f"it will be {severity_phrase(check.highest_severity)}."
        )
    return "\n".join(lines)


def open_case_line(case: SupportCase) -> str:
    return (
        f"*Open case:* <{case_console_url(case.case_id)}|{case_label(case)}> "
        f"(`{case.severity}`, `{case.case_id}`). Write to it with "
        "`/incident support reply <text>`."
    )


# --- opening a case -----------------------------------------------------------------------
