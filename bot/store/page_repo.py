"""What the live page polls: a cheap fingerprint of everything the page shows, so a poll
costs a handful of aggregate reads, not a render of a 5,000-entry timeline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.store.models import (
    Incident,
    Participant,
    ParticipantTransition,
    Person,
    StakeholderUpdate,
    SupportCase,
    TimelineEntry,
)


def fingerprint(session: Session, number: int) -> tuple[Any, ...] | None:
    incident = session.get(Incident, number)
    if incident is None:
        return None
    t = TimelineEntry
    timeline = session.execute(
        select(func.count(t.id), func.max(t.id), func.max(t.struck_at)).where(
            t.incident_number == number
        )
    ).one()
    moves = session.execute(
        select(func.count(ParticipantTransition.id), func.max(ParticipantTransition.id))
        .join(Participant, Participant.id == ParticipantTransition.participant_id)
        .where(Participant.incident_number == number)
    ).one()
    updates = session.scalar(
        select(func.max(StakeholderUpdate.id)).where(StakeholderUpdate.incident_number == number)
    )
    case = session.execute(
        select(func.max(SupportCase.id), func.max(SupportCase.first_response_at)).where(
            SupportCase.incident_number == number
        )
    ).one()
    names = session.scalar(select(func.max(Person.updated_at)))
    return (
        incident.title,
        incident.severity,
        incident.status,
        incident.commander_id,
        incident.scribe_id,
        incident.comms_id,
        incident.resolved_at,
        incident.summary,
        incident.support_plan,
        *timeline,
        *moves,
        updates,
        *case,
        names,
    )
