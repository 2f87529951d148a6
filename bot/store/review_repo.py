"""Queries of the review: action items, the impact board, the analysis sections."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import AnalysisSection, FollowUp, ImpactChange, ImpactSurface


def next_followup_number(session: Session, incident_number: int) -> int:
    """The caller holds the incident's row lock, so two action items never share a number."""
    highest = session.scalar(
        select(func.max(FollowUp.number)).where(FollowUp.incident_number == incident_number)
    )
    return (highest or 0) + 1


def followup(
    session: Session, incident_number: int, number: int, *, for_update: bool = False
) -> FollowUp | None:
    query = select(FollowUp).where(
        FollowUp.incident_number == incident_number, FollowUp.number == number
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def followups(session: Session, incident_number: int) -> Sequence[FollowUp]:
    return session.scalars(
        select(FollowUp)
        .where(FollowUp.incident_number == incident_number)
        .order_by(FollowUp.number, FollowUp.id)
    ).all()


def surface(session: Session, incident_number: int, key: str) -> ImpactSurface | None:
    return session.scalars(
        select(ImpactSurface).where(
            ImpactSurface.incident_number == incident_number, ImpactSurface.surface_key == key
        )
    ).first()


def surfaces(session: Session, incident_number: int) -> Sequence[ImpactSurface]:
    """In the order they were first reported."""
    return session.scalars(
        select(ImpactSurface)
        .where(ImpactSurface.incident_number == incident_number)
        .order_by(ImpactSurface.id)
    ).all()


def impact_history(session: Session, incident_number: int) -> Sequence[tuple[str, str, object]]:
    """(surface, status, at) for every change, oldest first: one statement."""
    rows = session.execute(
        select(ImpactSurface.surface, ImpactChange.status, ImpactChange.at)
        .join(ImpactSurface, ImpactSurface.id == ImpactChange.surface_id)
        .where(ImpactSurface.incident_number == incident_number)
        .order_by(ImpactChange.at, ImpactChange.id)
    ).all()
    return [(r.surface, r.status, r.at) for r in rows]


def analysis_section(
    session: Session, incident_number: int, section: str
) -> AnalysisSection | None:
    return session.scalars(
        select(AnalysisSection).where(
            AnalysisSection.incident_number == incident_number, AnalysisSection.section == section
        )
    ).first()


def analysis(session: Session, incident_number: int) -> dict[str, str]:
    rows = session.execute(
        select(AnalysisSection.section, AnalysisSection.text).where(
            AnalysisSection.incident_number == incident_number
        )
    ).all()
    return {r.section: r.text for r in rows}
