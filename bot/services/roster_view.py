"""What `/incident roster` shows: each person's state, roles and time as needed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain.incident import Role
from bot.domain.roster import ParticipantState
from bot.services.context import ServiceContext
from bot.services.roles import roles_of
from bot.services.roster import position_of
from bot.store import repo


@dataclass(frozen=True)
class RosterLine:
    user_id: str
    state: ParticipantState
    needed_seconds: int
    roles: tuple[Role, ...]
    joined_at: datetime


@dataclass(frozen=True)
class RosterSnapshot:
    incident_number: int
    title: str
    at: datetime
    lines: tuple[RosterLine, ...]

    @property
    def responder_hours(self) -> float:
        return sum(line.needed_seconds for line in self.lines) / 3600

    def in_state(self, state: ParticipantState) -> list[RosterLine]:
        return [line for line in self.lines if line.state is state]


def snapshot_in_session(session: Session, number: int, now: datetime) -> RosterSnapshot:
    """Everyone on the roster with their time as needed, counted up to now, or up to the
    resolution for a resolved incident (the call is over; the clock stops there)."""
    incident = repo.incident_by_number(session, number)
    until = min(now, incident.resolved_at) if incident.resolved_at else now
    lines = tuple(
        RosterLine(
            p.user_id,
            ParticipantState(p.state),
            position_of(p).needed_seconds_at(until),
            roles_of(incident, p.user_id),
            p.joined_at,
        )
        for p in repo.participants(session, number)
    )
    return RosterSnapshot(number, incident.title, until, lines)


def snapshot(ctx: ServiceContext, number: int) -> RosterSnapshot:
    with ctx.db.transaction() as session:
        return snapshot_in_session(session, number, ctx.clock.now())
