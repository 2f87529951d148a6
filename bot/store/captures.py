"""Queries of captured messages still waiting for their text (`PendingCapture`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store.models import PendingCapture, TimelineEntry


def claim_due(
    session: Session, now: datetime, *, limit: int, skip_locked: bool, entry_id: int | None = None
) -> Sequence[PendingCapture]:
    query = select(PendingCapture).where(
        PendingCapture.next_attempt_at <= now,
        or_(PendingCapture.claimed_until.is_(None), PendingCapture.claimed_until < now),
    )
    if entry_id is not None:
        query = query.where(PendingCapture.entry_id == entry_id)
    query = query.order_by(PendingCapture.next_attempt_at, PendingCapture.entry_id).limit(limit)
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()


def pending_for_message(session: Session, channel: str, message_ts: str) -> PendingCapture | None:
    return session.scalars(
        select(PendingCapture)
        .join(TimelineEntry, TimelineEntry.id == PendingCapture.entry_id)
        .where(PendingCapture.channel == channel, TimelineEntry.source_ts == message_ts)
    ).first()


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(PendingCapture.next_attempt_at).order_by(PendingCapture.next_attempt_at).limit(1)
    )
