"""`/incident readiness`: the BC/DR report of `warroom readiness`, to whoever asked.

The audit makes dozens of AWS calls, far beyond Slack's 3 seconds, so the command acks at
once and runs the audit on the background pool. The report builder comes from
`ctx.readiness` (see `bot.aws.readiness_report.readiness_builder`), so tests and
the demo can point it at moto.
"""

from __future__ import annotations

from bot.domain.errors import UsageError, WarroomError
from bot.domain.readiness import ReadinessReport, render_mrkdwn
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply, Scope
from bot.slack.responder import Responder

HELP_ORDER = 70  # where this family stands in `/incident help`


def readiness_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if inv.args.strip():
        raise UsageError("`/incident readiness` takes nothing after it.")
    builder = ctx.readiness
    if builder is None:
        raise WarroomError(
            "The readiness audit is not set up in this warroom; run `warroom readiness` "
            "where AWS credentials are configured."
        )

    def audit(responder: Responder) -> None:
        report: ReadinessReport = builder()
        responder.say(render_mrkdwn(report))

    return Reply(
        text=":mag: Auditing the AWS account for BC/DR readiness… the report will follow here.",
        after=audit,
    )


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "readiness",
            "readiness",
            "audit the AWS account for BC/DR readiness (support plan, PITR, stack "
            "protection, failed stacks, backups); the report comes to you",
            readiness_command,
            scope=Scope.ANYWHERE,
        )
    )
