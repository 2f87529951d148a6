"""Runbook steps ticked in an incident."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import RunbookStep


def ticked_steps(session: Session, number: int, runbook_id: str) -> Sequence[RunbookStep]:
    return session.scalars(
        select(RunbookStep).where(
            RunbookStep.incident_number == number, RunbookStep.runbook_id == runbook_id
        )
    ).all()
