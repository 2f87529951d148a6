"""What the outbox still owes Slack, for `/metrics` (read at scrape time, so every replica
reports the same shared backlog, and no replica keeps a count that could drift)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import OutboxMessage


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    oldest_created_at: datetime | None


def outbox_backlog(session: Session) -> OutboxBacklog:
    """Posts not yet delivered (still retried or given up on), and the oldest one's age."""
    count, oldest = session.execute(
        select(func.count(OutboxMessage.id), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.sent_at.is_(None)
        )
    ).one()
    return OutboxBacklog(int(count), oldest)
