"""The facts of the live incident page: the postmortem's own facts (the same load the
export uses, so page and postmortem never disagree) plus what only a live page shows:
roles, the latest stakeholder update, the roster by state.

Impact and AWS Health events are optional lists here: their features fill them in where
they are wired; the page renders whatever is given and says "none recorded" otherwise.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import NotFound
from bot.domain.health import HealthEvent
from bot.domain.incident import reference
from bot.export.model import Participant, Postmortem
from bot.services.context import ServiceContext
from bot.services.health_facts import read_health
from bot.services.postmortem import load_postmortem
from bot.services.updates import SurfaceImpact, not_ok_surfaces
from bot.store import page_repo, updates_repo
from bot.store.models import Incident


@dataclass(frozen=True)
class UpdateFact:
    text: str
    author: str
    posted_at: datetime


@dataclass(frozen=True)
class PageFacts:
    number: int
    postmortem: Postmortem
    roles: list[tuple[str, str | None]]
    latest_update: UpdateFact | None
    roster: dict[str, list[Participant]]
    version: str
    impact: list[SurfaceImpact] = field(default_factory=list)
    health: list[HealthEvent] = field(default_factory=list)


def load_page(ctx: ServiceContext, number: int) -> PageFacts:
    with ctx.db.transaction() as session:
        # The postmortem's load comes first: it sets the snapshot (REPEATABLE READ) that
        # the version below is read in too.
        postmortem = load_postmortem(
            session, number, zones=ctx.policy.team_timezones, now=ctx.clock.now()
        )
        version = _version(page_repo.fingerprint(session, number), number)
        incident = session.get(Incident, number)
        assert incident is not None
        latest = updates_repo.latest_update(session, number)
        impact = list(not_ok_surfaces(session, number))
        health = list(read_health(session, number, ctx.policy.aws_regions).events)
        roles = [
            ("Commander", incident.commander_id),
            ("Scribe", incident.scribe_id),
            ("Comms", incident.comms_id),
        ]
    roster: dict[str, list[Participant]] = {"needed": [], "standby": [], "released": []}
    for person in postmortem.participants:
        roster.setdefault(person.state, []).append(person)
    return PageFacts(
        number=number,
        postmortem=postmortem,
        roles=roles,
        latest_update=UpdateFact(latest.text, latest.author_id, latest.posted_at)
        if latest
        else None,
        roster=roster,
        version=version,
        impact=impact,
        health=health,
    )


def page_version(ctx: ServiceContext, number: int) -> str:
    """Changes whenever anything the page shows changes (what the page polls)."""
    with ctx.db.transaction() as session:
        return _version(page_repo.fingerprint(session, number), number)


def _version(parts: tuple[object, ...] | None, number: int) -> str:
    if parts is None:
        raise NotFound(f"There is no incident {reference(number)}.")
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def incident_exists(ctx: ServiceContext, number: int) -> bool:
    with ctx.db.transaction() as session:
        return session.get(Incident, number) is not None
