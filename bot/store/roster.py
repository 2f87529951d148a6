"""Roster queries: quiet responders to nudge (claimed across replicas) and activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.incident import Status
from bot.domain.roster import ParticipantState
from bot.store.models import Incident, Participant


def claim_quiet_responders(
    session: Session, *, cutoff: datetime, now: datetime, limit: int, skip_locked: bool
) -> Sequence[tuple[Participant, Incident]]:
    """Needed responders (not the commander) of open incidents who have been quiet since
    `cutoff` and not nudged yet, marked `nudged_at = now` in the caller's transaction.

    With `skip_locked` (PostgreSQL) another replica's claim is skipped, not waited for; a
    row it already marked is re-checked against `nudged_at IS NULL` after its commit and
    drops out. SQLite's single writer gives the same guarantee without it.
    """
    query = (
        select(Participant, Incident)
        .join(Incident, Incident.number == Participant.incident_number)
        .where(
            Participant.state == ParticipantState.NEEDED.value,
            Participant.nudged_at.is_(None),
            Participant.user_id != Incident.commander_id,
            or_(
                Participant.last_active_at <= cutoff,
                and_(Participant.last_active_at.is_(None), Participant.joined_at <= cutoff),
            ),
            Incident.status != Status.RESOLVED.value,
            Incident.channel_id.is_not(None),
        )
        .order_by(Participant.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True, of=Participant)
    claimed = [(person, incident) for person, incident in session.execute(query)]
    for person, _ in claimed:
        person.nudged_at = now
    return claimed


def unclaim_nudge(session: Session, *, number: int, user_id: str, claimed_at: datetime) -> None:
    """Give a nudge back (unless activity or a Keep has reset it meanwhile)."""
    session.execute(
        update(Participant)
        .where(
            Participant.incident_number == number,
            Participant.user_id == user_id,
            Participant.nudged_at == claimed_at,
        )
        .values(nudged_at=None)
    )


def mark_active(session: Session, *, number: int, user_id: str, now: datetime) -> bool:
    """The person spoke: their quiet-time clock restarts. False when not on the roster."""
    result = session.execute(
        update(Participant)
        .where(Participant.incident_number == number, Participant.user_id == user_id)
        .values(last_active_at=now, nudged_at=None)
    )
    return bool(getattr(result, "rowcount", 0))
