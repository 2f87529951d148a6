"""`health`: AWS Health events for the incident ("is it us or AWS?"), to the asker.

AWS is asked after the acknowledgement (it can be slower than Slack's 3 seconds); what is
new is also posted to the channel and the timeline, once, as the poller would.
"""

from __future__ import annotations

from bot.domain import mrkdwn
from bot.domain.errors import AwsNotConfigured, UsageError
from bot.domain.health import HEALTH_DASHBOARD_URL, NO_HEALTH_PLAN, HealthEvent
from bot.services.context import ServiceContext
from bot.services.health_facts import IncidentHealth
from bot.services.health_poller import NOT_CONFIGURED, check_health_now
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.responder import Responder

HELP_ORDER = 42  # where this family stands in `/incident help`


def health_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if inv.args.strip():
        raise UsageError("`/incident health` takes nothing after it.")
    if ctx.health is None:
        raise AwsNotConfigured(NOT_CONFIGURED)
    number = inv.number

    def ask(responder: Responder) -> None:
        responder.say(render_health(check_health_now(ctx, number)))

    return Reply(text="Asking AWS Health what it reports for this account…", after=ask)


def render_health(health: IncidentHealth) -> str:
    regions = ", ".join(f"`{mrkdwn.escape(r)}`" for r in health.regions) or "the AWS region"
    if health.unavailable:
        return (
            f":warning: {NO_HEALTH_PLAN} Check the <{HEALTH_DASHBOARD_URL}|AWS Health Dashboard>."
        )
    opened = health.open_events
    if not opened:
        seen = len(health.events)
        tail = f" ({seen} seen during this incident, now closed)" if seen else ""
        return (
            f":white_check_mark: *AWS Health:* no open events in {regions}{tail}. "
            "If something is wrong, it is more likely us than AWS."
        )
    lines = [f"*AWS Health:* {len(opened)} open in {regions}"]
    lines += [event_line(event) for event in opened]
    closed = [e for e in health.events if e.status == "closed"]
    if closed:
        lines.append(f"_{len(closed)} more seen during this incident, now closed._")
    return "\n".join(lines)


def event_line(event: HealthEvent) -> str:
    since = (
        f", since <!date^{int(event.start_time.timestamp())}^{{date_short_pretty}} {{time}}|"
        f"{event.start_time:%Y-%m-%d %H:%M} UTC>"
        if event.start_time is not None
        else ""
    )
    scope = "affects this account" if event.is_account_specific else "public"
    line = (
        f"{event.status_emoji()} *{mrkdwn.escape(event.service)}* in "
        f"{mrkdwn.escape(event.region)}: `{mrkdwn.escape(event.event_type)}` "
        f"({mrkdwn.escape(event.status)}, {scope}{since})"
    )
    if event.affected:
        line += "\n    Affected: " + ", ".join(f"`{mrkdwn.escape(a)}`" for a in event.affected)
    if event.description:
        first = event.description.strip().splitlines()[0][:300] if event.description.strip() else ""
        if first:
            line += f"\n    > {mrkdwn.escape(first)}"
    return line


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "health",
            "health",
            "AWS Health events open now in the watched regions (is it us or AWS?)",
            health_command,
        )
    )
