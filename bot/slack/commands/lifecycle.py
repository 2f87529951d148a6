"""`help`, `declare`, `status`, `severity`, `resolve`."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.domain.errors import UsageError
from bot.domain.incident import DEFAULT_SEVERITY, Severity, Status, reference
from bot.services import incidents, outbox
from bot.services.context import ServiceContext
from bot.slack import modals
from bot.slack.commands.registry import Command, Invocation, Registry, Reply, Scope
from bot.slack.commands.updates import refresh_stakeholder_posts
from bot.slack.responder import Responder

DECLARE_USAGE = "declare [--drill] [sev1|sev2|sev3|sev4] <title>"

AfterDeclare = Callable[[ServiceContext, int, Responder], None]


def parse_declare(args: str) -> tuple[bool, Severity, str]:
    tokens = args.split()
    drill = False
    severity = DEFAULT_SEVERITY
    while tokens and tokens[0].lower() in {"--drill", "drill"} | {s.value for s in Severity}:
        word = tokens.pop(0).lower()
        if word in ("--drill", "drill"):
            drill = True
        else:
            severity = Severity(word)
    if tokens and tokens[0].startswith("--"):
        raise UsageError(f"Unknown option `{tokens[0]}`. Use `/incident {DECLARE_USAGE}`.")
    if tokens and re.fullmatch(r"sev\d+", tokens[0], re.IGNORECASE):
        raise UsageError(
            f"`{tokens[0]}` is not a severity: use sev1, sev2, sev3 or sev4. "
            f"`/incident {DECLARE_USAGE}`"
        )
    return drill, severity, " ".join(tokens)


def declare_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    drill, severity, title = parse_declare(inv.args)
    if not title:
        if not inv.trigger_id:
            raise UsageError(f"Give the incident a title: `/incident {DECLARE_USAGE}`")
        trigger_id = inv.trigger_id

        def open_modal(responder: Responder) -> None:
            ctx.chat.open_view(trigger_id, modals.declare_modal(severity, drill))

        return Reply(after=open_modal)
    incident = incidents.declare(
        ctx, declarer=inv.user_id, title=title, severity=severity, drill=drill
    )
    number = incident.number

    def finish(responder: Responder) -> None:
        finish_declaration(ctx, number, responder)

    what = "drill" if drill else "incident"
    return Reply(
        text=f":rotating_light: Declared {what} {reference(number)} ({severity.label}). "
        "Opening its channel…",
        after=finish,
    )


def finish_declaration(ctx: ServiceContext, number: int, responder: Responder) -> None:
    report = incidents.open_war_room(ctx, number)
    ref = reference(number)
    if report.problems:
        where = f" <#{report.channel_id}>" if report.channel_id else ""
        responder.say(
            f":warning: {ref} is recorded{where}, but "
            + "; ".join(report.problems)
            + ". Nothing you typed is lost: the incident, its timeline and roster are stored."
        )
    elif report.channel_id:
        responder.say(f":white_check_mark: {ref} is open in <#{report.channel_id}>.")
    if report.channel_id:
        for hook in ctx.extras.get("after_declare", []):
            hook(ctx, number, responder)


def after_change(ctx: ServiceContext, change: incidents.Change) -> Callable[[Responder], None]:
    def run(responder: Responder) -> None:
        failed = outbox.deliver(ctx.db, ctx.chat, ctx.clock, change.outbox_ids)
        incidents.refresh_summary(ctx, change.incident_number)
        # The stakeholder channel shows each incident's state now (resolution included).
        refresh_stakeholder_posts(ctx, change.incident_number)
        if failed:
            responder.say(
                ":warning: The change is stored, but Slack did not take the announcement; "
                "warroom will retry posting it."
            )

    return run


def status_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if not inv.args.strip():
        raise UsageError(
            "Which status? `/incident status investigating|identified|monitoring|resolved`"
        )
    change = incidents.set_status(
        ctx, channel_id=inv.channel_id, user=inv.user_id, status=Status.parse(inv.args.split()[0])
    )
    return Reply(text=change.message, after=after_change(ctx, change))


def severity_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if not inv.args.strip():
        raise UsageError("Which severity? `/incident severity sev1|sev2|sev3|sev4`")
    change = incidents.set_severity(
        ctx,
        channel_id=inv.channel_id,
        user=inv.user_id,
        severity=Severity.parse(inv.args.split()[0]),
    )
    return Reply(text=change.message, after=after_change(ctx, change))


def resolve_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    from bot.slack.commands.postmortem import offer_export

    change = incidents.resolve(
        ctx, channel_id=inv.channel_id, user=inv.user_id, summary=inv.args.strip() or None
    )
    announce = after_change(ctx, change)

    def after(responder: Responder) -> None:
        announce(responder)
        offer_export(ctx, change.incident_number)

    return Reply(text=change.message, after=after)


def register(registry: Registry) -> None:
    def help_command(ctx: ServiceContext, inv: Invocation) -> Reply:
        return Reply(text=registry.help_text())

    registry.add(
        Command("help", "help", "this list", help_command, scope=Scope.ANYWHERE),
        Command(
            "declare",
            DECLARE_USAGE,
            "open an incident channel (default sev2); no text opens a form; "
            "`--drill` runs a game day",
            declare_command,
            scope=Scope.ANYWHERE,
        ),
        Command(
            "status",
            "status investigating|identified|monitoring|resolved",
            "move the incident along",
            status_command,
        ),
        Command(
            "severity",
            "severity sev1|sev2|sev3|sev4",
            "change the severity",
            severity_command,
            commander_only=True,
        ),
        Command(
            "resolve",
            "resolve [<summary>]",
            "resolve the incident",
            resolve_command,
            commander_only=True,
        ),
    )
