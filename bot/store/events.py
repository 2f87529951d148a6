"""Slack event ids already applied, so a redelivered event is not applied twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.store.models import ProcessedEvent


def mark_seen(session: Session, event_id: str, now: datetime) -> None:
    """Raises IntegrityError at flush when the id was seen before."""
    session.add(ProcessedEvent(event_id=event_id, received_at=now))
    session.flush()


def forget_before(session: Session, cutoff: datetime) -> int:
    result = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
