"""AWS support case queries: the incident's case, claims in progress, and the poller's
claims (safe with N replicas: `FOR UPDATE SKIP LOCKED` on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.store.models import Incident, SupportCase, SupportCommunication

# A claimed-but-not-yet-opened case is a support_cases row with these markers.
PENDING_SEVERITY = "pending"
PENDING_PREFIX = "pending-"


def current_case(session: Session, incident_number: int) -> SupportCase | None:
    """The incident's open AWS case (a real one, never a claim in progress)."""
    return session.scalars(
        select(SupportCase)
        .where(
            SupportCase.incident_number == incident_number,
            SupportCase.resolved_at.is_(None),
            SupportCase.severity != PENDING_SEVERITY,
        )
        .order_by(SupportCase.opened_at.desc(), SupportCase.id.desc())
    ).first()


def latest_case(session: Session, incident_number: int) -> SupportCase | None:
    """The incident's most recent real case, open or resolved (for the postmortem)."""
    return session.scalars(
        select(SupportCase)
        .where(
            SupportCase.incident_number == incident_number,
            SupportCase.severity != PENDING_SEVERITY,
        )
        .order_by(SupportCase.opened_at.desc(), SupportCase.id.desc())
    ).first()


def unresolved_cases(session: Session, incident_number: int) -> Sequence[SupportCase]:
    """Open cases and claims in progress, the ones that stop a second case."""
    return session.scalars(
        select(SupportCase).where(
            SupportCase.incident_number == incident_number, SupportCase.resolved_at.is_(None)
        )
    ).all()


def claim_cases_to_poll(
    session: Session,
    *,
    now: datetime,
    lease: timedelta,
    keep_after_resolve: timedelta,
    skip_locked: bool,
) -> list[int]:
    """Claim the open cases no replica polled within `lease` by moving `last_polled_at`."""
    query = (
        select(SupportCase)
        .join(Incident, Incident.number == SupportCase.incident_number)
        .where(
            SupportCase.resolved_at.is_(None),
            SupportCase.severity != PENDING_SEVERITY,
            or_(
                Incident.resolved_at.is_(None),
                Incident.resolved_at > now - keep_after_resolve,
            ),
            or_(SupportCase.last_polled_at.is_(None), SupportCase.last_polled_at <= now - lease),
        )
        .order_by(SupportCase.id)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=SupportCase)
    cases = session.scalars(query).all()
    for case in cases:
        case.last_polled_at = now
    return [case.id for case in cases]


def last_communication_time(session: Session, case_pk: int) -> datetime | None:
    return session.scalar(
        select(func.max(SupportCommunication.time_created)).where(
            SupportCommunication.support_case_id == case_pk
        )
    )


def communication_stored(session: Session, fingerprint: str) -> bool:
    found = session.scalar(
        select(SupportCommunication.id).where(SupportCommunication.fingerprint == fingerprint)
    )
    return found is not None
