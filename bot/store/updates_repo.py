"""Queries of stakeholder updates and their reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.incident import Status
from bot.store.models import (
    Incident,
    OutboxMessage,
    StakeholderUpdate,
    TimelineEntry,
    UpdateReminder,
)


def updates(session: Session, incident_number: int) -> Sequence[StakeholderUpdate]:
    return session.scalars(
        select(StakeholderUpdate)
        .where(StakeholderUpdate.incident_number == incident_number)
        .order_by(StakeholderUpdate.posted_at, StakeholderUpdate.id)
    ).all()


def latest_update(session: Session, incident_number: int) -> StakeholderUpdate | None:
    return session.scalars(
        select(StakeholderUpdate)
        .where(StakeholderUpdate.incident_number == incident_number)
        .order_by(StakeholderUpdate.posted_at.desc(), StakeholderUpdate.id.desc())
        .limit(1)
    ).first()


def stakeholder_posts(
    session: Session, incident_number: int
) -> Sequence[tuple[StakeholderUpdate, OutboxMessage]]:
    """The stakeholder-channel copies Slack took (they have a message ts)."""
    rows = session.execute(
        select(StakeholderUpdate, OutboxMessage)
        .join(OutboxMessage, OutboxMessage.id == StakeholderUpdate.stakeholder_outbox_id)
        .where(
            StakeholderUpdate.incident_number == incident_number,
            OutboxMessage.message_ts.is_not(None),
        )
        .order_by(StakeholderUpdate.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def open_incidents_for_reminders(
    session: Session, *, skip_locked: bool, limit: int
) -> Sequence[Incident]:
    """Unresolved incidents with a channel, each locked for this claim (another replica's
    locked rows are skipped, not waited for)."""
    query = (
        select(Incident)
        .where(Incident.status != Status.RESOLVED.value, Incident.channel_id.is_not(None))
        .order_by(Incident.number)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()


def last_reminder(session: Session, incident_number: int) -> UpdateReminder | None:
    return session.scalars(
        select(UpdateReminder)
        .where(UpdateReminder.incident_number == incident_number)
        .order_by(UpdateReminder.due_at.desc())
        .limit(1)
    ).first()


def reminder(session: Session, incident_number: int, due_at: datetime) -> UpdateReminder | None:
    return session.scalars(
        select(UpdateReminder).where(
            UpdateReminder.incident_number == incident_number, UpdateReminder.due_at == due_at
        )
    ).first()


def entries_recorded_since(session: Session, incident_number: int, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count(TimelineEntry.id)).where(
                TimelineEntry.incident_number == incident_number,
                TimelineEntry.recorded_at > since,
                TimelineEntry.kind != "update",
            )
        )
        or 0
    )


def timeline_since(
    session: Session, incident_number: int, since: datetime, limit: int = 40
) -> Sequence[TimelineEntry]:
    """What was recorded from `since` on (struck entries left out), oldest first."""
    return session.scalars(
        select(TimelineEntry)
        .where(
            TimelineEntry.incident_number == incident_number,
            TimelineEntry.recorded_at >= since,
            TimelineEntry.struck_at.is_(None),
        )
        .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
        .limit(limit)
    ).all()
