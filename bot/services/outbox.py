"""Messages the bot owes Slack, stored with the change they report and sent after commit.

If Slack is down or rate-limits, the row stays pending with `next_attempt_at` (Slack's
Retry-After, else a backoff) and the outbox job (`deliver_pending`) tries again when it is
due: nothing a responder did goes unreported. A row is claimed for a short lease before it
is sent (SKIP LOCKED on PostgreSQL), so N replicas never post it twice and no database
lock is held while Slack is slow.

Every post carries Slack message metadata with its outbox id. When an attempt ended
without knowing whether Slack took it (a timeout, a 5xx, a replica that died mid-call),
the next attempt first looks for that id in the channel's recent history and, if the
message is there, records it as sent instead of posting it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from bot.domain.retry import retry_delay
from bot.services.ports import UNKNOWN_OUTCOME, Chat, ChatError
from bot.store.db import Database
from bot.store.models import Incident, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
LEASE = timedelta(seconds=60)
EVENT_TYPE = "warroom_outbox"
IN_FLIGHT = "in_flight"  # `last_error` while a post is under way: a crash leaves it there


def metadata_for(message_id: int) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"outbox_id": message_id}}


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


class Outcome(Enum):
    SENT = "sent"  # by us now, or found already posted
    ELSEWHERE = "elsewhere"  # sent, or being sent, by someone else
    FAILED = "failed"  # pending; retried when due
    NOT_DUE = "not due"  # waiting for its next attempt


def deliver(db: Database, chat: Chat, clock: Clock, ids: Iterable[int]) -> list[int]:
    """Send the given messages now; returns the ids that could not be sent."""
    return [
        message_id
        for message_id in ids
        if deliver_one(db, chat, clock, message_id) in (Outcome.FAILED, Outcome.NOT_DUE)
    ]


def deliver_pending(db: Database, chat: Chat, clock: Clock, limit: int = 50) -> int:
    """Retry what is owed and due; returns how many were sent."""
    now = clock.now()
    with db.transaction() as session:
        ids = list(
            session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.attempts < MAX_ATTEMPTS,
                    or_(
                        OutboxMessage.next_attempt_at.is_(None),
                        OutboxMessage.next_attempt_at <= now,
                    ),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
            )
        )
    return sum(deliver_one(db, chat, clock, message_id) is Outcome.SENT for message_id in ids)


def next_due(db: Database) -> datetime | None:
    """When the earliest pending message may be tried (the job sleeps until then)."""
    when = func.coalesce(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
    with db.transaction() as session:
        row = session.execute(
            select(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
            .order_by(when)
            .limit(1)
        ).first()
    if row is None:
        return None
    return row[0] or row[1]


def pending_count(db: Database) -> int:
    with db.transaction() as session:
        return len(
            list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.sent_at.is_(None))))
        )


def message_ts(db: Database, message_id: int) -> str | None:
    """The Slack ts of a delivered message (None while it is pending)."""
    with db.transaction() as session:
        row = session.get(OutboxMessage, message_id)
        return row.message_ts if row is not None else None


def _claim(
    db: Database, clock: Clock, message_id: int
) -> tuple[Outcome, OutboxMessage | None, bool]:
    """Claim the row for one attempt. The third value: did an earlier attempt end without
    knowing whether Slack took the post (look before posting)?"""
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
        if message is None:
            return Outcome.ELSEWHERE, None, False
        if message.next_attempt_at is not None and message.next_attempt_at > now:
            return Outcome.NOT_DUE, None, False
        uncertain = message.last_error in UNKNOWN_OUTCOME or message.last_error == IN_FLIGHT
        message.claimed_until = now + LEASE
        message.attempts += 1
        message.last_error = IN_FLIGHT
        return Outcome.SENT, message, uncertain


def deliver_one(db: Database, chat: Chat, clock: Clock, message_id: int) -> Outcome:
    claimed, message, uncertain = _claim(db, clock, message_id)
    if message is None:
        return claimed
    ts: str | None = None
    failure: ChatError | None = None
    try:
        if uncertain:
            ts = _already_posted(chat, message)
        if ts is None:
            ts = chat.post(
                message.channel, message.text, message.blocks, metadata=metadata_for(message_id)
            )
    except ChatError as error:
        failure = error
        log.warning("could not post outbox message %s: %s", message_id, error.code)
    with db.transaction() as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        row.claimed_until = None
        if failure is None:
            row.sent_at = clock.now()
            row.message_ts = ts
            row.last_error = None
            return Outcome.SENT
        row.last_error = failure.code
        if failure.rate_limited:
            row.attempts -= 1  # waiting our turn is not a failed attempt
        row.next_attempt_at = clock.now() + retry_delay(row.attempts, failure.retry_after)
        return Outcome.FAILED


def _already_posted(chat: Chat, message: OutboxMessage) -> str | None:
    """The ts of this row's post if an earlier, unanswered attempt made it."""
    try:
        return chat.find_by_metadata(message.channel, EVENT_TYPE, {"outbox_id": message.id})
    except ChatError as error:
        if error.transient:
            raise
        # History is not readable here (a DM by user id, a missing scope): posting again
        # is the lesser harm than never posting.
        log.warning("cannot look for outbox message %s: %s", message.id, error.code)
        return None
