"""Queries the services share. Functions take the session of the caller's unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.errors import NotAnIncidentChannel, NotFound
from bot.domain.incident import reference
from bot.store.models import Incident, Participant, TimelineEntry


def incident_by_channel(
    session: Session, channel_id: str, *, for_update: bool = False, command: str = ""
) -> Incident:
    query = select(Incident).where(Incident.channel_id == channel_id)
    if for_update:
        query = query.with_for_update()
    incident = session.scalars(query).first()
    if incident is None:
        raise NotAnIncidentChannel(command)
    return incident


def find_incident_by_channel(session: Session, channel_id: str) -> Incident | None:
    return session.scalars(select(Incident).where(Incident.channel_id == channel_id)).first()


def incident_by_number(session: Session, number: int, *, for_update: bool = False) -> Incident:
    query = select(Incident).where(Incident.number == number)
    if for_update:
        query = query.with_for_update()
    incident = session.scalars(query).first()
    if incident is None:
        raise NotFound(f"There is no incident {reference(number)}.")
    return incident


def participant(
    session: Session, incident_number: int, user_id: str, *, for_update: bool = False
) -> Participant | None:
    query = select(Participant).where(
        Participant.incident_number == incident_number, Participant.user_id == user_id
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def participants(session: Session, incident_number: int) -> Sequence[Participant]:
    return session.scalars(
        select(Participant)
        .where(Participant.incident_number == incident_number)
        .order_by(Participant.id)
    ).all()


def add_timeline_entry(
    session: Session,
    incident: Incident,
    *,
    kind: str,
    text: str,
    author_id: str | None,
    occurred_at: datetime,
    recorded_at: datetime,
    backdated: bool = False,
    source_ts: str | None = None,
    permalink: str | None = None,
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Record an entry; it takes the incident's next number (see `models.py`)."""
    entry = TimelineEntry(
        incident_number=incident.number,
        kind=kind,
        text=text,
        author_id=author_id,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        backdated=backdated,
        source_ts=source_ts,
        permalink=permalink,
        data=data,
    )
    session.add(entry)
    session.flush()
    return entry


def timeline(
    session: Session, incident_number: int, *, include_struck: bool = True
) -> Sequence[TimelineEntry]:
    """Ordered by when it happened, not by when it was typed (a trap seen in other bots)."""
    query = select(TimelineEntry).where(TimelineEntry.incident_number == incident_number)
    if not include_struck:
        query = query.where(TimelineEntry.struck_at.is_(None))
    return session.scalars(query.order_by(TimelineEntry.occurred_at, TimelineEntry.id)).all()


def timeline_entry(
    session: Session, incident_number: int, number: int, *, for_update: bool = False
) -> TimelineEntry | None:
    """The entry recorded as `number` (one row, by the unique (incident, number) index)."""
    query = select(TimelineEntry).where(
        TimelineEntry.incident_number == incident_number, TimelineEntry.number == number
    )
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def timeline_size(session: Session, incident_number: int) -> int:
    """How many entries the incident has: its counter, one row, not a count of entries."""
    query = select(Incident.last_entry_number).where(Incident.number == incident_number)
    return session.scalar(query) or 0

