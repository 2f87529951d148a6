"""Queries of the declaration steps (`Declaration` rows): claiming the next one a replica
may work on, holding back channel creation under a rate limit, and when the next is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from bot.store.models import Declaration

CHANNEL_STEP = "channel"
RATE_LIMITED = "ratelimited"


def claimable(session: Session, now: datetime, *, skip_locked: bool) -> Declaration | None:
    """The declaration to work on next, locked for the caller: due, not claimed, a channel
    step before any other step, then the lowest number.

    Channels are created in declaration order: a declaration whose next step is the
    channel waits while an earlier one's channel step is due, under way, or waiting out a
    rate limit, on any replica (that earlier row is seen as committed; SKIP LOCKED only
    skips rows, never this check). An earlier one waiting out a backoff after a failure
    does not hold later ones back."""
    earlier = aliased(Declaration)
    earlier_channel_first = exists().where(
        earlier.finished_at.is_(None),
        earlier.step == CHANNEL_STEP,
        earlier.incident_number < Declaration.incident_number,
        or_(
            earlier.next_attempt_at <= now,
            earlier.claimed_until >= now,
            earlier.last_error == RATE_LIMITED,
        ),
    )
    query = (
        select(Declaration)
        .where(
            Declaration.finished_at.is_(None),
            Declaration.next_attempt_at <= now,
            or_(Declaration.claimed_until.is_(None), Declaration.claimed_until < now),
            or_(Declaration.step != CHANNEL_STEP, ~earlier_channel_first),
        )
        # Channels first: a burst gets every channel before the rest of any war room.
        .order_by(Declaration.step != CHANNEL_STEP, Declaration.incident_number)
        .limit(1)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=Declaration)
    return session.scalars(query).first()


def hold_channel_steps(session: Session, until: datetime) -> None:
    """Slack rate-limited channel creation: no pending channel step is tried before
    `until`, so they all go, in order, when the limit lifts (not one 429 each)."""
    session.execute(
        update(Declaration)
        .where(
            Declaration.finished_at.is_(None),
            Declaration.step == CHANNEL_STEP,
            Declaration.next_attempt_at < until,
        )
        .values(next_attempt_at=until)
    )


def next_due(session: Session, now: datetime) -> datetime | None:
    """When the job should look again: the earliest time an unfinished step may run (its
    `next_attempt_at`, the end of a claim a replica holds and may drop, and for a channel
    step no earlier than an earlier channel step that waits out a rate limit)."""
    rows = session.execute(
        select(
            Declaration.step,
            Declaration.next_attempt_at,
            Declaration.claimed_until,
            Declaration.last_error,
        )
        .where(Declaration.finished_at.is_(None))
        .order_by(Declaration.incident_number)
        .limit(1000)
    ).all()
    times = []
    held: datetime | None = None  # an earlier channel step waiting out a rate limit
    for step, due, claimed, error in rows:
        when = max(due, claimed) if claimed is not None and claimed > now else due
        if step == CHANNEL_STEP:
            if held is not None:
                when = max(when, held)
            if error == RATE_LIMITED:
                held = when if held is None else max(held, when)
        times.append(when)
    return min(times) if times else None
