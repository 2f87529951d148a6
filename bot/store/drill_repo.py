"""Queries of restore drills: recording one table's result, and the latest success per table."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.restore_drill import RestoreResult
from bot.store.models import RestoreDrillRun


def add_run(
    session: Session, result: RestoreResult, ran_at: datetime, incident_number: int | None = None
) -> RestoreDrillRun:
    run = RestoreDrillRun(
        incident_number=incident_number,
        table_name=result.table,
        ran_at=ran_at,
        restored=result.restored,
        matched=result.matched,
        rto_seconds=result.rto_seconds,
        source_items=result.source_items,
        restored_items=result.restored_items,
        sample_checked=result.sample_checked,
        sample_matched=result.sample_matched,
        error=result.error,
    )
    session.add(run)
    session.flush()
    return run


def last_success(session: Session, tables: Iterable[str]) -> dict[str, datetime]:
    """For each named table that ever had a matched drill, when the latest one ran."""
    names = list(tables)
    if not names:
        return {}
    rows = session.execute(
        select(RestoreDrillRun.table_name, func.max(RestoreDrillRun.ran_at))
        .where(RestoreDrillRun.table_name.in_(names), RestoreDrillRun.matched.is_(True))
        .group_by(RestoreDrillRun.table_name)
    ).all()
    return {name: at for name, at in rows if at is not None}


def incident_runs(session: Session, incident_number: int) -> list[RestoreDrillRun]:
    return list(
        session.scalars(
            select(RestoreDrillRun)
            .where(RestoreDrillRun.incident_number == incident_number)
            .order_by(RestoreDrillRun.ran_at, RestoreDrillRun.id)
        )
    )
