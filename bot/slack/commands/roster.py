"""`need`, `standby`, `release`, `recall`, `role` and `roster`.

Each handler parses, calls the roster service (database only, before the ack) and leaves
the Slack side (announcement, direct message, invitation, summary refresh) to the work
after the ack. The commander-only ones are marked in the registry, which enforces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.domain import mrkdwn
from bot.domain.errors import UsageError
from bot.domain.incident import Role, reference
from bot.domain.mentions import parse_user, parse_users, split_leading_user
from bot.domain.roster import ParticipantState
from bot.domain.timefmt import humanize_seconds
from bot.services import incidents, roles, roster, roster_view
from bot.services.context import ServiceContext
from bot.slack import roster_listeners
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import FollowUps
from bot.slack.responder import Responder

HELP_ORDER = 30  # where this family stands in `/incident help`

NEED_USAGE = "need <@user> [<@user> ...]"
STANDBY_USAGE = "standby <@user> [reason]"
RELEASE_USAGE = "release <@user> [reason]"
RECALL_USAGE = "recall <@user> [reason]"
ROLE_USAGE = "role commander|scribe|comms <@user>"

MoveService = Callable[..., roster.RosterChange]


def _report(responder: Responder, problems: list[str]) -> None:
    if problems:
        responder.say(":warning: The change is stored, but " + "; ".join(problems) + ".")


def need_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    users = parse_users(inv.args, f"/incident {NEED_USAGE}")
    result = roster.need(ctx, number=inv.number, by_user=inv.user_id, user_ids=users)

    def after(responder: Responder) -> None:
        problems = roster.invite(ctx, result.channel_id, result.added)
        _report(responder, problems)

    return Reply(text=result.message, after=after, deliver=tuple(result.outbox_ids))


def _move_command(
    service: MoveService, usage: str
) -> Callable[[ServiceContext, Invocation], Reply]:
    def handler(ctx: ServiceContext, inv: Invocation) -> Reply:
        user_id, reason = split_leading_user(inv.args, f"/incident {usage}")
        change = service(
            ctx, number=inv.number, by_user=inv.user_id, user_id=user_id, reason=reason or None
        )

        def after(responder: Responder) -> None:
            problems = []
            if change.to_state is ParticipantState.NEEDED:
                problems += roster.invite(ctx, change.channel_id, [change.user_id])
            problem = roster.tell_person(ctx, change)
            if problem:
                problems.append(problem)
            _report(responder, problems)

        return Reply(text=change.message, after=after, deliver=tuple(change.outbox_ids))

    return handler


def role_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    parts = inv.args.split(maxsplit=1)
    if len(parts) < 2:
        raise UsageError(f"Which role, and who? `/incident {ROLE_USAGE}`")
    role = Role.parse(parts[0])
    user_id = parse_user(parts[1], f"/incident {ROLE_USAGE}")
    change = roles.set_role(
        ctx, number=inv.number, by_user=inv.user_id, role=role, user_id=user_id
    )

    def after(responder: Responder) -> None:
        problems = []
        if change.joined_roster is not None:
            problems += roster.invite(ctx, change.channel_id, [change.new])
        _report(responder, problems)
        incidents.refresh_summary(ctx, change.incident_number)

    return Reply(text=change.message, after=after, deliver=tuple(change.outbox_ids))


_ROLE_MARKS = {
    Role.COMMANDER: ":crown: commander",
    Role.SCRIBE: ":memo: scribe",
    Role.COMMS: ":loudspeaker: comms",
}
_SECTIONS = [
    (ParticipantState.NEEDED, "Needed"),
    (ParticipantState.STANDBY, "On standby"),
    (ParticipantState.RELEASED, "Released"),
]


def render_roster(snapshot: roster_view.RosterSnapshot) -> str:
    lines = [f"*{reference(snapshot.incident_number)} roster: {mrkdwn.escape(snapshot.title)}*"]
    for state, heading in _SECTIONS:
        people = snapshot.in_state(state)
        lines.append(f"*{heading} ({len(people)})*" + ("" if people else ": nobody"))
        for line in people:
            roles = "".join(f" {_ROLE_MARKS[r]}" for r in line.roles)
            lines.append(
                f"• {mrkdwn.user(line.user_id)}{roles}: needed for "
                f"{humanize_seconds(line.needed_seconds)}"
            )
    total = sum(line.needed_seconds for line in snapshot.lines)
    lines.append(
        f"Time as needed, everyone together: {humanize_seconds(total)} "
        f"({snapshot.responder_hours:.1f} responder-hours)"
    )
    return "\n".join(lines)


def roster_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    """Acknowledged at once and rendered after: the roster grows with the incident, and
    the acknowledgement must not."""
    number = inv.number

    def show(responder: Responder) -> None:
        responder.say(render_roster(roster_view.snapshot(ctx, number)))

    return Reply(after=show)


def register(registry: Registry) -> None:
    registry.add(
        Command("need", NEED_USAGE, "pull people in as needed (they are invited)", need_command),
        Command(
            "standby",
            STANDBY_USAGE,
            "release someone to standby: off the call, reachable (they get a DM)",
            _move_command(roster.release_to_standby, STANDBY_USAGE),
            commander_only=True,
        ),
        Command(
            "release",
            RELEASE_USAGE,
            "release someone fully (they get a DM)",
            _move_command(roster.release, RELEASE_USAGE),
            commander_only=True,
        ),
        Command(
            "recall",
            RECALL_USAGE,
            "bring someone back from standby or released (they get a DM with a link)",
            _move_command(roster.recall, RECALL_USAGE),
            commander_only=True,
        ),
        Command(
            "role",
            ROLE_USAGE,
            "give a role; `role commander` hands over command",
            role_command,
            commander_only=True,
        ),
        Command(
            "roster",
            "roster",
            "who is needed, on standby, released, and for how long",
            roster_command,
        ),
    )


def register_listeners(app: Any, ctx: ServiceContext, followups: FollowUps) -> None:
    roster_listeners.register(app, ctx, followups)
