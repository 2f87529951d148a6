"""AWS Health as the incident knows it: the facts `/incident health`, the pinned summary,
the incident page and the postmortem show ("is it us or AWS?"). Read only: asking AWS is
`health_poller`'s job.

`incident_health` is the one read: the events the incident has seen, each at its latest
status, and whether the account's plan lets warroom ask at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain import mrkdwn
from bot.domain.health import NO_HEALTH_PLAN, HealthEvent
from bot.services.context import ServiceContext
from bot.store import health_repo

SUMMARY_MAX_EVENTS = 3


@dataclass(frozen=True)
class IncidentHealth:
    """What the incident knows of AWS Health. `watched` is False before the first answer
    and when AWS is not wired in; `unavailable` when the plan has no Health API access."""

    events: tuple[HealthEvent, ...]
    watched: bool
    unavailable: bool
    regions: tuple[str, ...]

    @property
    def open_events(self) -> tuple[HealthEvent, ...]:
        return tuple(e for e in self.events if e.status != "closed")


def incident_health(ctx: ServiceContext, number: int) -> IncidentHealth:
    """The incident's AWS Health events as facts (for the live page, the summary, export)."""
    with ctx.db.transaction() as session:
        return read_health(session, number, ctx.policy.aws_regions)


def incident_health_events(ctx: ServiceContext, number: int) -> list[HealthEvent]:
    """Each event the incident has seen, at its latest status, in the order first seen."""
    return list(incident_health(ctx, number).events)


def read_health(session: Session, number: int, regions: tuple[str, ...] = ()) -> IncidentHealth:
    watch = health_repo.watch(session, number)
    events = tuple(health_repo.as_event(row) for row in health_repo.latest_notices(session, number))
    return IncidentHealth(
        events=events,
        watched=watch is not None and watch.answered_at is not None,
        unavailable=watch is not None and watch.unavailable_at is not None,
        regions=regions,
    )


def summary_health_line(health: IncidentHealth) -> str | None:
    """The pinned summary's `AWS Health:` line; None when there is nothing to say yet."""
    if health.unavailable or not health.watched:
        return None
    opened = health.open_events
    if not opened:
        closed = len(health.events)
        return "no open events" + (f" ({closed} closed)" if closed else "")
    shown = [
        f"{event.status_emoji()} {mrkdwn.escape(event.service)} "
        f"`{mrkdwn.escape(event.event_type)}` ({mrkdwn.escape(event.region)})"
        for event in opened[:SUMMARY_MAX_EVENTS]
    ]
    more = len(opened) - SUMMARY_MAX_EVENTS
    return ", ".join(shown) + (f" and {more} more (`/incident health`)" if more > 0 else "")


def summary_plan_note(health: IncidentHealth) -> str | None:
    """Appended to the plan line once AWS said the plan has no Health API access."""
    return NO_HEALTH_PLAN if health.unavailable else None
