"""Queries of AWS Health per incident: the watch (lease, plan switch) and the notices."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.health import HealthEvent
from bot.store.models import HealthNotice, HealthWatch, Incident


def watch(session: Session, number: int, *, for_update: bool = False) -> HealthWatch | None:
    query = select(HealthWatch).where(HealthWatch.incident_number == number)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def claim_due(session: Session, now: datetime, lease: timedelta, *, skip_locked: bool) -> list[int]:
    """Open incidents watched and not polled within `lease`; moves their lease forward.
    On PostgreSQL rows another replica holds are skipped, not waited for."""
    query = (
        select(HealthWatch)
        .join(Incident, Incident.number == HealthWatch.incident_number)
        .where(
            Incident.resolved_at.is_(None),
            HealthWatch.unavailable_at.is_(None),
            or_(HealthWatch.last_polled_at.is_(None), HealthWatch.last_polled_at <= now - lease),
        )
        .order_by(HealthWatch.incident_number)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=HealthWatch)
    watches = session.scalars(query).all()
    for row in watches:
        row.last_polled_at = now
    return [row.incident_number for row in watches]


def notice_exists(session: Session, number: int, arn: str, status: str) -> bool:
    found = session.scalar(
        select(HealthNotice.id).where(
            HealthNotice.incident_number == number,
            HealthNotice.arn == arn,
            HealthNotice.status == status,
        )
    )
    return found is not None


def latest_notices(session: Session, number: int) -> list[HealthNotice]:
    """Each event of the incident once, at the status it was last seen with, oldest first."""
    rows = session.scalars(
        select(HealthNotice)
        .where(HealthNotice.incident_number == number)
        .order_by(HealthNotice.seen_at, HealthNotice.id)
    ).all()
    latest: dict[str, HealthNotice] = {}
    for row in rows:
        latest.pop(row.arn, None)
        latest[row.arn] = row
    first_seen: dict[str, HealthNotice] = {}
    for row in rows:
        first_seen.setdefault(row.arn, row)
    return sorted(latest.values(), key=lambda r: (first_seen[r.arn].seen_at, first_seen[r.arn].id))


def add_notice(session: Session, number: int, event: HealthEvent, seen_at: datetime) -> None:
    session.add(
        HealthNotice(
            incident_number=number,
            arn=event.arn,
            status=event.status,
            service=event.service[:64],
            region=event.region[:32],
            event_type=event.event_type[:128],
            scope=event.scope,
            description=event.description,
            affected=list(event.affected) or None,
            start_time=event.start_time,
            last_updated=event.last_updated,
            seen_at=seen_at,
        )
    )
    session.flush()  # a second replica's insert of the same (event, status) fails here


def as_event(row: HealthNotice) -> HealthEvent:
    return HealthEvent(
        arn=row.arn,
        service=row.service,
        region=row.region,
        event_type=row.event_type,
        status=row.status,
        start_time=row.start_time,
        last_updated=row.last_updated,
        scope=row.scope,
        description=row.description,
        affected=tuple(row.affected or ()),
    )
