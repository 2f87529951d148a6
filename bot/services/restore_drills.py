"""Restore drills as warroom remembers them: recorded from the CLI and from
`/incident drill restore`, asked by readiness ("a restore drill succeeded for each PITR
table within the last 30 days")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import mrkdwn
from bot.domain.clock import Clock
from bot.domain.errors import AwsNotConfigured, WarroomError
from bot.domain.incident import reference
from bot.domain.restore_drill import RestoreResult, result_line
from bot.domain.timeline import EntryKind
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.ports import RestoreDrills
from bot.store import drill_repo, repo
from bot.store.db import Database


def record_results(
    db: Database, clock: Clock, results: Sequence[RestoreResult], incident_number: int | None = None
) -> None:
    ran_at = clock.now()
    with db.transaction() as session:
        for result in results:
            drill_repo.add_run(session, result, ran_at, incident_number)


def last_successful_drills(db: Database, tables: Iterable[str]) -> dict[str, datetime]:
    with db.transaction() as session:
        return drill_repo.last_success(session, tables)


# --- `/incident drill restore` in a game day --------------------------------------------


@dataclass(frozen=True)
class IncidentDrill:
    """A drill's results as recorded on the incident, with the outbox rows it queued (the
    caller delivers them: `bot.slack.followup`)."""

    incident_number: int
    results: tuple[RestoreResult, ...]
    outbox_ids: tuple[int, ...]


def require_drill_incident(ctx: ServiceContext, number: int) -> RestoreDrills:
    """Refuse outside a drill (a restore during a real incident is not a rehearsal) or
    without AWS; before Slack's acknowledgement."""
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        is_drill = incident.is_drill
    if not is_drill:
        raise WarroomError(
            "`/incident drill restore` runs only in a drill (`/incident declare --drill ...`): "
            "during a real incident, restore with the runbook, not with a rehearsal. "
            "`warroom drill restore` runs the same drill from a terminal or CI."
        )
    if ctx.restore_drills is None:
        raise AwsNotConfigured(
            "AWS is not configured for this bot, so warroom cannot run a restore drill. Give "
            "warroom AWS credentials with the drill policy of the README."
        )
    return ctx.restore_drills


def run_incident_drill(
    ctx: ServiceContext, number: int, user: str, tables: Sequence[str]
) -> IncidentDrill:
    """Restore, compare and delete (slow: after the acknowledgement), then record each
    table's result on the timeline with its RTO, in one transaction, and post a summary."""
    drills = require_drill_incident(ctx, number)
    results = drills.restore(list(tables) or None)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, number, for_update=True)
        for result in results:
            drill_repo.add_run(session, result, now, number)
            repo.add_timeline_entry(
                session,
                incident,
                kind=EntryKind.RESTORE_DRILL,
                text=f"Restore drill: {result_line(result)}",
                author_id=user,
                occurred_at=now,
                recorded_at=now,
                data={**result.to_json(), "matched": result.matched},
            )
        ids = outbox.announce(session, incident, drill_announcement(number, results), ctx.clock)
    return IncidentDrill(number, tuple(results), tuple(ids))


def drill_announcement(number: int, results: Sequence[RestoreResult]) -> str:
    if not results:
        return f":test_tube: *Restore drill* ({reference(number)}): no DynamoDB tables to drill."
    lines = [f":test_tube: *Restore drill* ({reference(number)}):"]
    for result in results:
        emoji = ":white_check_mark:" if result.matched else ":x:"
        lines.append(f"{emoji} {mrkdwn.escape(result_line(result))}")
    passed = sum(1 for r in results if r.matched)
    lines.append(f"{passed} of {len(results)} tables restored and matched.")
    return "\n".join(lines)
