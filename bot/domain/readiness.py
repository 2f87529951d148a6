"""The BC/DR readiness report: what was checked, what failed, what could not be checked.

"If you don't test your BC/DR plan, you don't have a BC/DR plan." The audit answers, per
resource, the questions that mattered the day production was deleted: can AWS Support be
reached at production-down severity, can a table be restored to a minute ago, can a stack
be deleted by accident, is a stack stuck, is anything backed up at all.

Three outcomes, not two: an audit that could not look (an IAM action denied, a service
unreachable) has not shown the account is ready, so UNKNOWN never counts as a pass.

Exit codes (`warroom readiness`, as CONTRACT.md fixes them): 0 every check passed (or did
not apply: N/A, e.g. no Amplify app); 1 at least one check failed; 2 nothing failed but a
check could not be made (UNKNOWN: no credentials, access denied, throttled), or no check
ran. A scheduled job must not go green having checked nothing. A failure always wins, so 1
always means "the account has a gap". The previous release gave 2 only with `--strict`;
that flag is still accepted (`strict`) and changes nothing.

Pure: no AWS here. Renderers are for a terminal, for machines (JSON) and for Slack.
"""

from __future__ import annotations

import enum
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.clock import ensure_utc
from bot.domain.timefmt import slack_date

EXIT_READY = 0
EXIT_NOT_READY = 1
EXIT_COULD_NOT_CHECK = 2

# How many problems a Slack message lists before it points to the full report.
MRKDWN_MAX_PROBLEMS = 30


class Outcome(enum.StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"  # could not check; `detail` says why (e.g. the IAM action denied)
    NOT_APPLICABLE = "n/a"  # nothing to check (no Amplify app); passes


class Check(enum.StrEnum):
    """The names of the checks, as they appear in every rendering."""

    SUPPORT_PLAN = "support.plan"
    DYNAMODB_PITR = "dynamodb.point_in_time_recovery"
    DYNAMODB_DELETION_PROTECTION = "dynamodb.deletion_protection"
    STACK_TERMINATION_PROTECTION = "cloudformation.termination_protection"
    STACK_STATE = "cloudformation.stack_state"
    STACK_DATA_ON_DELETE = "cloudformation.data_on_delete"
    BACKUP_PLANS = "backup.plans"
    AMPLIFY_BACKEND_STACK = "amplify.backend_stack"
    DYNAMODB_RESTORE_DRILL = "dynamodb.restore_drill"  # bot.domain.restore_drill


@dataclass(frozen=True)
class CheckResult:
    """One check on one resource (or on the account, when `resource` is None)."""

    name: str
    outcome: Outcome
    detail: str
    resource: str | None = None


@dataclass(frozen=True)
class ReadinessReport:
    results: tuple[CheckResult, ...]
    checked_at: datetime
    region: str | None = None
    # `--strict`, kept for compatibility: exit 2 on UNKNOWN is now the default.
    strict: bool = False
    counts: Counter[Outcome] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "results", tuple(self.results))
        object.__setattr__(self, "checked_at", ensure_utc(self.checked_at))
        object.__setattr__(self, "counts", Counter(r.outcome for r in self.results))

    @property
    def passed(self) -> bool:
        """True only when there were checks and every one passed or did not apply."""
        passing = self.counts[Outcome.PASS] + self.counts[Outcome.NOT_APPLICABLE]
        return bool(self.results) and passing == len(self.results)

    @property
    def exit_code(self) -> int:
        if self.counts[Outcome.FAIL]:
            return EXIT_NOT_READY
        if not self.results or self.counts[Outcome.UNKNOWN]:
            return EXIT_COULD_NOT_CHECK
        return EXIT_READY

    @property
    def problems(self) -> list[CheckResult]:
        """Failures first, then what could not be checked, in check order."""
        return [r for r in self.results if r.outcome is Outcome.FAIL] + [
            r for r in self.results if r.outcome is Outcome.UNKNOWN
        ]

    def summary(self) -> str:
        """The verdict: with UNKNOWN results the account is "not shown ready"."""
        if self.counts[Outcome.FAIL]:
            verdict = "Not ready"
        elif self.passed:
            verdict = "Ready"
        else:
            verdict = "Not shown ready"
        return (
            f"{verdict}: {self.counts[Outcome.FAIL]} failed, "
            f"{self.counts[Outcome.UNKNOWN]} could not be checked, "
            f"{self.counts[Outcome.PASS]} passed"
            + (
                f", {self.counts[Outcome.NOT_APPLICABLE]} not applicable."
                if self.counts[Outcome.NOT_APPLICABLE]
                else "."
            )
        )


_TABLE_LABEL = {
    Outcome.PASS: "PASS",
    Outcome.FAIL: "FAIL",
    Outcome.UNKNOWN: "UNKNOWN",
    Outcome.NOT_APPLICABLE: "N/A",
}
_ORDER = {Outcome.FAIL: 0, Outcome.UNKNOWN: 1, Outcome.PASS: 2, Outcome.NOT_APPLICABLE: 3}


def render_table(report: ReadinessReport) -> str:
    """A plain-text table for a terminal: problems first, then passes, then a verdict."""
    rows = [
        (
            _TABLE_LABEL[r.outcome],
            _printable(r.name),
            _printable(r.resource or "-"),
            _printable(r.detail),
        )
        for r in sorted(report.results, key=lambda r: _ORDER[r.outcome])
    ]
    header = ("RESULT", "CHECK", "RESOURCE", "DETAIL")
    widths = [
        max(len(header[i]), *(min(len(row[i]), 48) for row in rows)) if rows else len(header[i])
        for i in range(3)
    ]
    lines = [_heading(report), ""]
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        lines.append("  ".join([*cells, row[3]]).rstrip())
    if not rows:
        lines.append("(no checks ran)")
    lines += ["", f"{report.summary()} Exit code {report.exit_code}."]
    return "\n".join(lines) + "\n"


def render_json(report: ReadinessReport) -> str:
    """Stable JSON for scripts and dashboards; outcomes are `pass`, `fail`, `unknown`,
    `n/a`."""
    document = {
        "checked_at": report.checked_at.isoformat(),
        "region": report.region,
        "passed": report.passed,
        "exit_code": report.exit_code,
        "strict": report.strict,
        "counts": {outcome.value: report.counts[outcome] for outcome in Outcome},
        "results": [
            {
                "name": r.name,
                "outcome": r.outcome.value,
                "resource": r.resource,
                "detail": r.detail,
            }
            for r in report.results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


_EMOJI = {
    Outcome.PASS: ":white_check_mark:",
    Outcome.FAIL: ":x:",
    Outcome.UNKNOWN: ":grey_question:",
    Outcome.NOT_APPLICABLE: ":heavy_minus_sign:",
}


def render_mrkdwn(report: ReadinessReport) -> str:
    """Slack mrkdwn: every problem (up to a cap), passes counted per check.

    Resource names and details carry text from AWS, so `&`, `<` and `>` are escaped: a
    name can never turn into a mention, a link or a broadcast.
    """
    region = f" in `{_escape(report.region)}`" if report.region else ""
    if report.passed:
        verdict = _EMOJI[Outcome.PASS]
    elif report.counts[Outcome.FAIL]:
        verdict = _EMOJI[Outcome.FAIL]
    else:
        verdict = _EMOJI[Outcome.UNKNOWN]
    lines = [
        f"*BC/DR readiness*{region}, checked {slack_date(report.checked_at)}",
        f"{verdict} *{_escape(report.summary())}*",
    ]
    problems = report.problems
    for result in problems[:MRKDWN_MAX_PROBLEMS]:
        resource = f" `{_code(result.resource)}`" if result.resource else ""
        lines.append(
            f"{_EMOJI[result.outcome]} *{_escape(result.name)}*{resource}: {_escape(result.detail)}"
        )
    if len(problems) > MRKDWN_MAX_PROBLEMS:
        lines.append(
            f"…and {len(problems) - MRKDWN_MAX_PROBLEMS} more. "
            "Run `warroom readiness` for the full report."
        )
    passes = Counter(r.name for r in report.results if r.outcome is Outcome.PASS)
    if passes:
        counted = ", ".join(f"{_escape(name)} ({count})" for name, count in passes.items())
        lines.append(f"{_EMOJI[Outcome.PASS]} Passed: {counted}")
    return "\n".join(lines)


def _heading(report: ReadinessReport) -> str:
    region = f" for {_printable(report.region)}" if report.region else ""
    when = report.checked_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"BC/DR readiness{region}, checked {when}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """Text to sit inside Slack inline code: escaped, and no backtick to end it early."""
    return _escape(text.replace("`", "'"))


def _printable(text: str) -> str:
    """One line, no control characters: AWS text must not move a terminal's cursor."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
