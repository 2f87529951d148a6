"""Queries on `event_claims`: who applies a Slack event (or a form submission), and
whether it has been applied. Functions take the session of the caller's unit of work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.store.models import EventClaim


def insert_claim(
    session: Session,
    event_id: str,
    *,
    holder: str,
    now: datetime,
    lease_until: datetime | None,
    done: bool = False,
) -> bool:
    """False when a claim for `event_id` exists (another copy has it, or had it).

    A savepoint keeps the caller's transaction usable after the unique violation, so a
    form submission can record itself in the same transaction as the incident it makes.
    """
    try:
        with session.begin_nested():
            session.add(
                EventClaim(
                    event_id=event_id,
                    holder=holder,
                    claimed_at=now,
                    lease_until=None if done else lease_until,
                    done_at=now if done else None,
                )
            )
        return True
    except IntegrityError:
        return False


def find_claim(session: Session, event_id: str) -> EventClaim | None:
    return session.scalars(select(EventClaim).where(EventClaim.event_id == event_id)).first()


def take_over_expired(
    session: Session, event_id: str, *, holder: str, now: datetime, lease_until: datetime
) -> bool:
    """Take a claim whose holder died mid-work (its lease ran out, nothing was done)."""
    result = session.execute(
        update(EventClaim)
        .where(
            EventClaim.event_id == event_id,
            EventClaim.done_at.is_(None),
            EventClaim.lease_until < now,
        )
        .values(holder=holder, claimed_at=now, lease_until=lease_until)
    )
    return bool(getattr(result, "rowcount", 0))


def mark_done(session: Session, event_id: str, *, holder: str, now: datetime) -> bool:
    result = session.execute(
        update(EventClaim)
        .where(EventClaim.event_id == event_id, EventClaim.holder == holder)
        .values(done_at=now, lease_until=None)
    )
    return bool(getattr(result, "rowcount", 0))


def release(session: Session, event_id: str, *, holder: str) -> bool:
    """Forget a claim whose work failed, so the next delivery applies the event."""
    result = session.execute(
        delete(EventClaim).where(
            EventClaim.event_id == event_id,
            EventClaim.holder == holder,
            EventClaim.done_at.is_(None),
        )
    )
    return bool(getattr(result, "rowcount", 0))


def prune(session: Session, *, before: datetime) -> int:
    result = session.execute(delete(EventClaim).where(EventClaim.claimed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
