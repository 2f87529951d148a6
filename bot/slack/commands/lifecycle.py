"""`help`, `declare`, `status`, `severity`, `resolve`."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot.domain.errors import UsageError, WarroomError
from bot.domain.incident import DEFAULT_SEVERITY, Severity, Status, reference
from bot.services import declarations, incidents
from bot.services.context import ServiceContext
from bot.services.ports import Asker
from bot.services.retry import retry_transient
from bot.slack import modals
from bot.slack.commands.registry import Command, Invocation, Registry, Reply, Scope
from bot.slack.commands.updates import refresh_stakeholder_posts
from bot.slack.followup import FollowUps
from bot.slack.ids import CallbackId
from bot.slack.responder import Responder

HELP_ORDER = 10  # where this family stands in `/incident help`

DECLARE_USAGE = "declare [--drill] [sev1|sev2|sev3|sev4] <title>"

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
        ctx,
        declarer=inv.user_id,
        title=title,
        severity=severity,
        drill=drill,
        asker=Asker(inv.user_id, inv.channel_id, inv.response_url),
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
    """After the acknowledgement: the declaration's Slack steps, as far as Slack allows now
    (`bot.services.declarations`; the job does the rest and tells the declarer)."""
    asker = Asker(responder.user, responder.channel, responder.response_url)
    declarations.start(ctx, number, asker)


def after_change(ctx: ServiceContext, change: incidents.Change) -> Reply:
    """The acknowledgement of a state change: its announcement, then the pinned summary
    and the stakeholder posts, which show each incident's state now."""

    def refresh(responder: Responder) -> None:
        incidents.refresh_summary(ctx, change.incident_number)
        refresh_stakeholder_posts(ctx, change.incident_number)

    return Reply(text=change.message, after=refresh, deliver=tuple(change.outbox_ids))


def status_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if not inv.args.strip():
        raise UsageError(
            "Which status? `/incident status investigating|identified|monitoring|resolved`"
        )
    change = incidents.set_status(
        ctx, channel_id=inv.channel_id, user=inv.user_id, status=Status.parse(inv.args.split()[0])
    )
    return after_change(ctx, change)


def severity_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    if not inv.args.strip():
        raise UsageError("Which severity? `/incident severity sev1|sev2|sev3|sev4`")
    change = incidents.set_severity(
        ctx,
        channel_id=inv.channel_id,
        user=inv.user_id,
        severity=Severity.parse(inv.args.split()[0]),
    )
    return after_change(ctx, change)


def resolve_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    from bot.slack.commands.postmortem import offer_export

    change = incidents.resolve(
        ctx, channel_id=inv.channel_id, user=inv.user_id, summary=inv.args.strip() or None
    )

    def after(responder: Responder) -> None:
        incidents.refresh_summary(ctx, change.incident_number)
        refresh_stakeholder_posts(ctx, change.incident_number)
        offer_export(ctx, change.incident_number)

    return Reply(text=change.message, after=after, deliver=tuple(change.outbox_ids))


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


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    @app.view(str(CallbackId.DECLARE_MODAL))
    def on_declare_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        try:
            # The metadata first: a form that cannot be read must not leave an incident.
            metadata = modals.DeclareModalMetadata.load(view.get("private_metadata"))
            title, severity, drill = modals.read_declare_submission(view["state"]["values"])
            # The view id goes in with the incident: a resubmitted form declares nothing.
            incident = retry_transient(
                lambda: incidents.declare(
                    ctx,
                    declarer=user,
                    title=title,
                    severity=severity,
                    drill=drill,
                    submission=f"view:{view['id']}",
                ),
                what="The incident",
            )
        except incidents.AlreadySubmitted:
            ack()
            return
        except WarroomError as error:
            ack(response_action="errors", errors={"declare_title": error.user_message[:150]})
            return
        ack()
        responder = Responder(ctx.chat, user=user, channel=metadata.channel_id, response_url=None)
        number = incident.number
        followups.submit(responder, then=lambda r: finish_declaration(ctx, number, r))
