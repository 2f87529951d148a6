"""`log`, `timeline`, `strike`: writing, reading and correcting the timeline (`followup` is
in review.py).

`log` and `strike` only touch the database, so they run before the
acknowledgement and the ack is the answer. `timeline` needs the asker's zone from Slack
(`users.info`), so it is rendered after the ack and sent in as many messages as it takes.
"""

from __future__ import annotations

from bot.domain.errors import InvalidTime, UsageError
from bot.domain.incident import reference
from bot.domain.zones import zone_label
from bot.services import timeline
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.responder import Responder
from bot.slack.timeline_render import logged_echo, render_timeline, safe_text, strike_through

HELP_ORDER = 20  # where this family stands in `/incident help`

TIMELINE_USAGE = "timeline [<IANA zone>]"


def log_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = inv.number
    try:
        logged = timeline.log_entry(ctx, incident_number=number, user=inv.user_id, args=inv.args)
    except InvalidTime as error:
        # The message quotes what was typed; keep it from being read as Slack markup.
        raise InvalidTime(safe_text(error.user_message) + " Nothing was logged.") from None
    return Reply(
        text=logged_echo(logged, reference=reference(number), team_zones=ctx.policy.team_timezones)
    )


def timeline_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = inv.number
    words = inv.args.split()
    if len(words) > 1:
        raise UsageError(
            f"One zone at most: `/incident {TIMELINE_USAGE}`, e.g. "
            "`/incident timeline Africa/Lusaka`."
        )
    asked = zone_label(words[0]) if words else None  # an unknown zone is refused here
    user = inv.user_id

    def show(responder: Responder) -> None:
        zone, source = asked, "as asked"
        if zone is None:
            zone, source = _profile_zone(ctx, user), "your Slack profile"
        entries = timeline.numbered_timeline(ctx, number)
        for message in render_timeline(
            entries, reference=reference(number), zone=zone, zone_source=source, now=ctx.clock.now()
        ):
            responder.say(message)

    return Reply(after=show)


def _profile_zone(ctx: ServiceContext, user: str) -> str | None:
    """The asker's zone from Slack, or None (then Slack's date token shows local time)."""
    name = ctx.chat.user_timezone(user)
    if not name:
        return None
    try:
        return zone_label(name)
    except InvalidTime:
        return None


def strike_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    entry, reason = timeline.parse_strike_args(inv.args)
    struck = timeline.strike(
        ctx, incident_number=inv.number, user=inv.user_id, number=entry, reason=reason
    )
    preview = struck.entry_text if len(struck.entry_text) <= 200 else struck.entry_text[:199] + "…"
    when = f"{struck.occurred_at:%Y-%m-%d %H:%M} UTC"
    return Reply(
        text=f":scissors: Struck entry {struck.number} ({when}): "
        f"{strike_through(safe_text(preview))}\nIt stays in the record, marked struck, and "
        "leaves the exported timeline."
    )


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "log",
            timeline.LOG_USAGE,
            "add to the timeline; a time before `|` backdates it (`6:38 AM PST | ...`)",
            log_command,
        ),
        Command(
            "timeline",
            TIMELINE_USAGE,
            "the timeline, oldest first, in your zone (or the one given) beside UTC",
            timeline_command,
        ),
        Command(
            "strike",
            timeline.STRIKE_USAGE,
            "strike entry n (its author or the commander); it stays in the record",
            strike_command,
        ),
    )
