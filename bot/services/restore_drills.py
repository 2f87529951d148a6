"""Restore drills as warroom remembers them: recorded from the CLI and from
`/incident drill restore`, asked by readiness ("a restore drill succeeded for each PITR
table within the last 30 days")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.domain.restore_drill import RestoreResult
from bot.store import drill_repo
from bot.store.db import Database

DRILL_MAX_AGE = timedelta(days=30)


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
