"""Messages the bot owes Slack, stored with the change they report and sent after commit.

If Slack is down or rate-limits past the SDK's retries, the row stays pending and the
background loop (`deliver_pending`) tries again: nothing a responder did goes unreported.
A row is claimed for a short lease before it is sent (SKIP LOCKED on PostgreSQL), so N
replicas never post it twice and no database lock is held while Slack is slow.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.services.ports import Chat, ChatError
from bot.store.db import Database
from bot.store.models import Incident, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
LEASE = timedelta(seconds=60)


def enqueue(
    session: Session,
    *,
    channel: str,
    text: str,
    incident_number: int | None,
    clock: Clock,
    blocks: list[Any] | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        channel=channel,
        text=text,
        blocks=blocks,
        created_at=clock.now(),
        incident_number=incident_number,
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message


def announce(session: Session, incident: Incident, text: str, clock: Clock) -> list[int]:
    """Queue a message for the incident's channel; nothing when it has no channel (yet)."""
    if not incident.channel_id:
        return []
    queued = enqueue(
        session,
        channel=incident.channel_id,
        text=text,
        incident_number=incident.number,
        clock=clock,
    )
    return [queued.id]


def deliver(db: Database, chat: Chat, clock: Clock, ids: Iterable[int]) -> list[int]:
    """Send the given messages now; returns the ids that could not be sent."""
    return [message_id for message_id in ids if not _deliver_one(db, chat, clock, message_id)]


def deliver_pending(db: Database, chat: Chat, clock: Clock, limit: int = 50) -> int:
    """Retry what is owed; returns how many were sent."""
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    return sum(_deliver_one(db, chat, clock, message_id) for message_id in ids)


def pending_count(db: Database) -> int:
    with db.transaction() as session:
        return len(
            list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))))
        )


def _claim(db: Database, clock: Clock, message_id: int) -> OutboxMessage | None:
    now = clock.now()
    with db.transaction() as session:
        query = select(OutboxMessage).where(
            OutboxMessage.id == message_id,
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message = session.scalars(query).first()
        if message is not None:
            message.claimed_until = now + LEASE
        return message


def _deliver_one(db: Database, chat: Chat, clock: Clock, message_id: int) -> bool:
    message = _claim(db, clock, message_id)
    if message is None:
        return True  # sent, or being sent, by someone else
    ts: str | None = None
    error: str | None = None
    try:
        ts = chat.post(message.channel, message.text, message.blocks)
    except ChatError as failure:
        error = failure.code
        log.warning("could not post outbox message %s: %s", message_id, error)
    with db.transaction() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        row.attempts += 1
        row.claimed_until = None
        if error is None:
            row.sent_at = clock.now()
            row.message_ts = ts
        else:
            row.last_error = error
    return error is None
