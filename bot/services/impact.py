"""The impact board: what users see, per surface (`impact down vendor web app | no data`).

Each change is stored with its history (for how long a surface was down) and logged on
the timeline in the same transaction; the pinned summary shows the surfaces not `ok`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import UsageError
from bot.domain.text_clean import clean_text
from bot.domain.timeline import EntryKind
from bot.services.context import ServiceContext
from bot.store import repo, review_repo
from bot.store.models import ImpactChange, ImpactSurface

IMPACT_USAGE = "impact down|degraded|ok <surface>[ | <note>]"
STATUSES = ("down", "degraded", "ok")
MAX_SURFACE = 200
MAX_NOTE = 1000


@dataclass(frozen=True)
class Surface:
    surface: str
    status: str
    note: str | None
    since: datetime
    changed_at: datetime


@dataclass(frozen=True)
class ImpactChanged:
    incident_number: int
    surface: Surface
    previous: str | None
    """The status before this change; None for a surface reported for the first time."""


def surface_key(name: str) -> str:
    return " ".join(name.lower().split())


def parse_impact(args: str) -> tuple[str, str, str | None]:
    """(status, surface, note) from `down vendor web app | no data since 06:20`."""
    words = clean_text(args).strip().split(maxsplit=1)
    if not words or words[0].lower() not in STATUSES or len(words) < 2:
        raise UsageError(
            f"`/incident {IMPACT_USAGE}`, e.g. `/incident impact down vendor web app | no "
            "data since 06:20`; `/incident impact` alone lists the surfaces."
        )
    surface, _, note = words[1].partition("|")
    surface, note = " ".join(surface.split()), note.strip()
    if not surface:
        raise UsageError(f"Name the surface users see: `/incident {IMPACT_USAGE}`")
    if len(surface) > MAX_SURFACE or len(note) > MAX_NOTE:
        raise UsageError(
            f"Keep the surface to {MAX_SURFACE} characters and the note to {MAX_NOTE:,}."
        )
    return words[0].lower(), surface, note or None


def set_impact(ctx: ServiceContext, *, incident_number: int, user: str, args: str) -> ImpactChanged:
    status, name, note = parse_impact(args)
    now = ctx.clock.now()
    with ctx.db.transaction() as session:
        incident = repo.incident_by_number(session, incident_number, for_update=True)
        row = review_repo.surface(session, incident_number, surface_key(name))
        previous = row.status if row is not None else None
        if row is None:
            row = ImpactSurface(
                incident_number=incident_number,
                surface_key=surface_key(name),
                surface=name,
                status=status,
                since=now,
                changed_at=now,
            )
            session.add(row)
        elif row.status != status:
            row.status, row.since = status, now
        row.note, row.changed_at, row.changed_by = note, now, user
        session.flush()
        session.add(ImpactChange(surface_id=row.id, status=status, note=note, at=now, by_user=user))
        was = f" (was {previous})" if previous and previous != status else ""
        repo.add_timeline_entry(
            session,
            incident,
            kind=EntryKind.IMPACT,
            text=f"Impact: {row.surface} {status}{was}" + (f": {note}" if note else ""),
            author_id=user,
            occurred_at=now,
            recorded_at=now,
            data={"surface": row.surface, "old": previous, "new": status, "note": note},
        )
        return ImpactChanged(incident_number, _fact(row), previous)


def board(ctx: ServiceContext, incident_number: int) -> list[Surface]:
    with ctx.db.transaction() as session:
        return [_fact(row) for row in review_repo.surfaces(session, incident_number)]


def not_ok(surfaces: Sequence[ImpactSurface]) -> list[Surface]:
    return [_fact(s) for s in surfaces if s.status != "ok"]


def _fact(row: ImpactSurface) -> Surface:
    return Surface(row.surface, row.status, row.note, row.since, row.changed_at)
