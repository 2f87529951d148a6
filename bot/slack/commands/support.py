"""`support`, `support open`, `support reply`: AWS Support from the incident channel.

Each handler does the database part before the acknowledgement and hands the AWS call to
the background pool (`Reply.after`): AWS Support can take longer than Slack's 3 seconds.
Refusals raised on either side reach the asker as one ephemeral message.
"""

from __future__ import annotations

from bot.domain.errors import UsageError
from bot.services import support as support_service
from bot.services import support_cases, support_replies
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import Queued
from bot.slack.responder import Responder

HELP_ORDER = 40  # where this family stands in `/incident help`


def _tell(responder: Responder, outcome: support_cases.Outcome) -> Queued:
    responder.say(outcome.message)
    return outcome.queued


def support_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if inv.args.strip():
        raise UsageError(
            "`/incident support` takes nothing after it. Did you mean "
            "`/incident support open [<subject>]` or `/incident support reply <text>`?"
        )
    support_service.require_support(ctx)
    number, user = inv.number, inv.user_id

    def ask(responder: Responder) -> None:
        responder.say(support_service.describe_plan(ctx, number, user))

    return Reply(text="Asking AWS Support what this account's plan allows…", after=ask)


def support_open_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    claim = support_cases.claim_case(
        ctx, incident_number=inv.number, user=inv.user_id, subject=inv.args or None
    )
    if claim.drill:

        def rehearse(responder: Responder) -> Queued:
            return _tell(responder, support_cases.rehearse_case(ctx, claim))

        return Reply(
            text=":test_tube: This is a drill: warroom never opens a real AWS case in a drill. "
            "Recording what would have been opened…",
            after=rehearse,
        )

    def open_case(responder: Responder) -> Queued:
        return _tell(responder, support_cases.open_claimed_case(ctx, claim))

    return Reply(
        text="Opening an AWS support case… its id will be posted in this channel.",
        after=open_case,
    )


def support_reply_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    pending = support_replies.prepare_reply(
        ctx, incident_number=inv.number, user=inv.user_id, text=inv.args
    )

    def send(responder: Responder) -> Queued:
        return _tell(responder, support_replies.send_reply(ctx, pending))

    return Reply(text=f"Sending your message to AWS case {pending.case_label}…", after=send)


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "support",
            "support",
            "the AWS support plan (asked now) and what case severity it can open",
            support_command,
        ),
        Command(
            "support open",
            "support open [<subject>]",
            "open an AWS support case at the highest severity the plan allows; AWS's "
            "replies are posted here",
            support_open_command,
            commander_only=True,
        ),
        Command(
            "support reply",
            "support reply <text>",
            "add a message to the incident's open AWS case",
            support_reply_command,
        ),
    )
