"""AWS Support rules: what the account's plan allows, and what we tell responders about it.

AWS has no API that names the support plan. The Support API answers only for plans with API
access (the Business and Enterprise classes); Basic and Developer get
`SubscriptionRequiredException` on every call. So the plan is inferred from the case
severities `DescribeSeverityLevels` offers: `critical` means an Enterprise-class plan,
`urgent` a Business-class plan. Product names change (the legacy Developer and Business plans
end on 2027-01-01), so everything here speaks of plan classes.

This module is pure: the boto3 adapter lives in `bot.aws.support`, and services speak to it
through the `Support` port in `bot.services.ports`, so they never import boto3.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from bot.domain.errors import SupportError

SUPPORT_PLANS_URL = "https://console.aws.amazon.com/support/plans/home"
SUPPORT_CENTER_URL = "https://support.console.aws.amazon.com/support/home"

# Who AWS Support says wrote a communication, when it was AWS (customers show as a role/user).
AWS_SUBMITTER = "Amazon Web Services"

# The Support API's limit on one communication body.
MAX_COMMUNICATION_CHARS = 8000

# Case severity codes, most severe first.
CASE_SEVERITY_ORDER: tuple[str, ...] = ("critical", "urgent", "high", "normal", "low")

CASE_SEVERITY_MEANING: dict[str, str] = {
    "critical": "business-critical system down",
    "urgent": "production system down",
    "high": "production system impaired",
    "normal": "system impaired",
    "low": "general guidance",
}


class PlanClass(enum.StrEnum):
    """What the Support API let us learn about the account's plan."""

    NONE = "none"  # no API access: Basic or Developer class
    BUSINESS = "business"  # `urgent` cases: production system down
    ENTERPRISE = "enterprise"  # `critical` cases: business-critical system down
    NOT_CONFIGURED = "not_configured"  # no AWS credentials: we could not ask
    UNKNOWN = "unknown"  # we asked and got no usable answer (denied, throttled, down)

    @property
    def label(self) -> str:
        return _PLAN_LABEL[self]

    @property
    def allows_cases(self) -> bool:
        """Whether a case can be opened through the API on this plan class."""
        return self in (PlanClass.BUSINESS, PlanClass.ENTERPRISE)


_PLAN_LABEL: dict[PlanClass, str] = {
    PlanClass.NONE: "no Support API access (Basic or Developer class)",
    PlanClass.BUSINESS: "Business-class support plan",
    PlanClass.ENTERPRISE: "Enterprise-class support plan",
    PlanClass.NOT_CONFIGURED: "unknown: AWS is not configured",
    PlanClass.UNKNOWN: "unknown: AWS Support could not be asked",
}

# What each class gives for the worst case it can open, in the responder's words.
PLAN_CLASS_GIVES: dict[PlanClass, str] = {
    PlanClass.NONE: (
        "no technical support cases from the API: Basic and Developer-class plans cannot "
        "open a case from warroom"
    ),
    PlanClass.BUSINESS: "`urgent` cases (production system down), first response within 1 hour",
    PlanClass.ENTERPRISE: (
        "`critical` cases (business-critical system down), first response within 15 "
        "minutes (30 minutes on the entry Enterprise-class tier); also `urgent` cases "
        "within 1 hour"
    ),
}


@dataclass(frozen=True, slots=True)
class PlanCheck:
    """The answer to "what can this account open?", ready to show in Slack."""

    plan_class: PlanClass
    severities: tuple[str, ...]
    highest_severity: str | None
    detail: str

    @property
    def can_open_case(self) -> bool:
        return self.highest_severity is not None


@dataclass(frozen=True, slots=True)
class OpenedCase:
    case_id: str  # the API's id, `case-...`
    display_id: str | None  # the number people see in the console; None if AWS did not say
    # When AWS says it created the case (its own clock, `timeCreated`); None if not known.
    # Durations against AWS's replies use it: they are on AWS's clock too.
    time_created: datetime | None = None


@dataclass(frozen=True, slots=True)
class Communication:
    body: str
    submitted_by: str
    time_created: datetime  # aware, UTC

    @property
    def is_from_aws(self) -> bool:
        """AWS's own replies carry no e-mail address, only this name."""
        return self.submitted_by.strip() == AWS_SUBMITTER


# --- errors beyond the ones in bot.domain.errors ---------------------------------------


class SupportAccessDenied(SupportError):
    """The credentials work but IAM does not allow the Support action."""

    def __init__(self, action: str) -> None:
        super().__init__(
            f"AWS denied `{action}`: the role warroom runs as needs that IAM permission. "
            f"Ask an account admin to allow `{action}` (or the AWS managed policy "
            "`AWSSupportAccess`)."
        )
        self.action = action


class SupportThrottled(SupportError):
    def __init__(self, action: str) -> None:
        super().__init__(
            f"AWS Support is throttling `{action}` and still refused after several retries. "
            "Try again in a minute, or open the case in the AWS console: "
            f"{SUPPORT_CENTER_URL}"
        )
        self.action = action


class SupportUnavailable(SupportError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"AWS Support is unavailable right now ({reason}). Try again shortly, or use the "
            f"AWS console: {SUPPORT_CENTER_URL}"
        )


class SupportCaseNotFound(SupportError):
    def __init__(self, case_id: str) -> None:
        super().__init__(
            f"AWS Support has no case `{case_id}` for this account (cases are kept for 24 months)."
        )
        self.case_id = case_id


class SupportRequestRejected(SupportError):
    """AWS refused the request itself (a bad parameter, a case limit): not retryable."""


# --- rules ------------------------------------------------------------------------------


def _normalised(codes: Iterable[str]) -> set[str]:
    return {code.strip().lower() for code in codes}


def highest_case_severity(codes: Iterable[str]) -> str | None:
    """The most severe case severity among `codes`: `critical`, else `urgent`, else lower."""
    available = _normalised(codes)
    for code in CASE_SEVERITY_ORDER:
        if code in available:
            return code
    return None


def sorted_severities(codes: Iterable[str]) -> tuple[str, ...]:
    """Known codes most severe first; unknown ones after them, alphabetically."""
    available = _normalised(codes)
    known = [code for code in CASE_SEVERITY_ORDER if code in available]
    unknown = sorted(available.difference(CASE_SEVERITY_ORDER))
    return tuple(known + unknown)


def plan_from_severity_codes(codes: Iterable[str]) -> PlanClass:
    """Infer the plan class from the severities `DescribeSeverityLevels` offered.

    The API answering at all already means a plan with API access, but only `urgent` and
    `critical` tell the classes apart; anything else is UNKNOWN rather than a guess.
    """
    available = _normalised(codes)
    if "critical" in available:
        return PlanClass.ENTERPRISE
    if "urgent" in available:
        return PlanClass.BUSINESS
    return PlanClass.UNKNOWN


def production_down_advice() -> str:
    """What plan class would allow a production-down case, and where to get it."""
    return (
        "A production-down case needs a Business-class support plan (`urgent`: production "
        "system down, first response within 1 hour) or an Enterprise-class plan (`critical`: "
        "business-critical system down, first response within 15-30 minutes). The account "
        f"root user or an admin can change the plan in the AWS console, Support Center > "
        f"Support plans: {SUPPORT_PLANS_URL} . The new plan applies at once; run "
        "`/incident support` again afterwards."
    )


def no_subscription_message() -> str:
    """The message of `NoSupportSubscription`: why it failed and what would fix it."""
    return (
        "This AWS account's support plan has no Support API access (Basic or Developer "
        "class), so warroom cannot open a case. " + production_down_advice()
    )


def severity_phrase(code: str) -> str:
    meaning = CASE_SEVERITY_MEANING.get(code)
    return f"`{code}` ({meaning})" if meaning else f"`{code}`"


def plan_check_from_severities(codes: Iterable[str]) -> PlanCheck:
    """The PlanCheck for a successful `DescribeSeverityLevels` answer."""
    severities = sorted_severities(codes)
    plan = plan_from_severity_codes(severities)
    highest = highest_case_severity(severities)
    if plan is PlanClass.UNKNOWN:
        offered = ", ".join(f"`{code}`" for code in severities) or "none"
        highest_text = severity_phrase(highest) if highest else "none"
        detail = (
            "AWS Support answers, but offers no production-down severity (offered: "
            f"{offered}); the highest case warroom can open is {highest_text}. "
            + production_down_advice()
        )
    else:
        detail = f"{plan.label}: {PLAN_CLASS_GIVES[plan]}."
        if plan is PlanClass.BUSINESS:
            detail += (
                " An Enterprise-class plan would add `critical` cases (business-critical "
                f"system down, 15-30 minutes). Plans: {SUPPORT_PLANS_URL}"
            )
    return PlanCheck(plan, severities, highest, detail)


def no_api_access_check() -> PlanCheck:
    """The PlanCheck when AWS answered `SubscriptionRequiredException`."""
    return PlanCheck(PlanClass.NONE, (), None, no_subscription_message())


def not_configured_check(reason: str) -> PlanCheck:
    return PlanCheck(
        PlanClass.NOT_CONFIGURED,
        (),
        None,
        f"AWS is not configured: {reason} The support plan could not be checked.",
    )


def unknown_check(reason: str) -> PlanCheck:
    return PlanCheck(
        PlanClass.UNKNOWN,
        (),
        None,
        f"The support plan could not be checked: {reason}",
    )


def check_communication_body(body: str) -> str:
    """Refuse what the Support API would refuse, before asking it."""
    text = body.strip()
    if not text:
        raise SupportRequestRejected("A message to AWS Support cannot be empty.")
    if len(text) > MAX_COMMUNICATION_CHARS:
        raise SupportRequestRejected(
            f"AWS Support takes at most {MAX_COMMUNICATION_CHARS:,} characters in one "
            f"message; this one has {len(text):,}. Shorten it or split it in two."
        )
    return text


def case_console_url(case_id_or_display_id: str) -> str:
    """Where a responder can read the case in the AWS console.

    The API's case id (`case-...`) and the number shown in the console (display id) are
    both accepted; the console opens either.
    """
    value = case_id_or_display_id.strip()
    key = "caseId" if value.startswith("case-") else "displayId"
    return f"{SUPPORT_CENTER_URL}#/case/?{key}={quote(value, safe='')}&language=en"
