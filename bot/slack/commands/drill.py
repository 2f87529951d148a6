"""`drill restore [<table> ...]`: in a drill incident, restore DynamoDB tables into scratch
tables, compare and delete them, and log each table's result with its RTO (the same drill
as `warroom drill restore`). Restores take minutes: the work runs after the acknowledgement.
"""

from __future__ import annotations

import re

from bot.domain.errors import UsageError
from bot.services import restore_drills
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import Queued
from bot.slack.responder import Responder

HELP_ORDER = 45  # where this family stands in `/incident help`

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def drill_restore_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number, user = inv.number, inv.user_id
    tables = inv.args.split()
    bad = [name for name in tables if not _TABLE_NAME.match(name)]
    if bad:
        raise UsageError(
            f"`{bad[0][:60]}` is not a DynamoDB table name. Usage: "
            "`/incident drill restore [<table> ...]` (no table: every table)."
        )
    restore_drills.require_drill_incident(ctx, number)

    def run(responder: Responder) -> Queued:
        done = restore_drills.run_incident_drill(ctx, number, user, tables)
        passed = sum(1 for r in done.results if r.matched)
        responder.say(
            f"Restore drill done: {passed} of {len(done.results)} tables restored and matched; "
            "each result is on the timeline."
        )
        return done.outbox_ids

    which = ", ".join(f"`{t}`" for t in tables) or "every DynamoDB table"
    return Reply(
        text=f":test_tube: Restoring {which} into scratch tables… this can take minutes; the "
        "results will be posted in this channel.",
        after=run,
    )


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "drill restore",
            "drill restore [<table> ...]",
            "in a drill: restore DynamoDB tables into scratch tables, compare, time (RTO) "
            "and delete them; each result goes on the timeline",
            drill_restore_command,
        )
    )
