"""The postmortem's numbers, derived from its facts by pure functions.

Each number is `None` when one of its inputs is unknown, never an estimate: a postmortem that
says "unknown" is honest, one that says "0 minutes" because a time was missing is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.incident import Status
from bot.export.model import (
    ImpactChange,
    IncidentFacts,
    KeyTimes,
    Metrics,
    Participant,
    SupportFacts,
    SurfaceOutage,
    TimelineEntry,
)

# Two clocks (the bot's, AWS's) may disagree by a little: a span this much below zero is
# read as no time at all; further below, one of the inputs is wrong and the span is unknown.
CLOCK_SKEW_SECONDS = 60.0


def compute_metrics(
    *,
    incident: IncidentFacts,
    timeline: Sequence[TimelineEntry],
    participants: Sequence[Participant],
    support: SupportFacts,
    impact_history: Sequence[ImpactChange] = (),
    until: datetime | None = None,
) -> Metrics:
    """Time to declare, to open a support case, to hear back, to resolve; responder hours;
    how long each surface on the impact board was down and degraded (up to `until`).

    time_to_declare runs from the earliest timeline entry to the declaration, and is known
    only when something was logged (backdated) before the declaration.
    """
    first = first_occurred_at(timeline)
    return Metrics(
        time_to_declare=(
            _seconds(first, incident.declared_at)
            if first is not None and first < incident.declared_at
            else None
        ),
        time_to_support_case=_seconds(incident.declared_at, support.opened_at),
        time_to_support_response=_seconds(support.opened_at, support.first_response_at),
        time_to_resolve=_seconds(incident.declared_at, incident.resolved_at),
        responder_hours=_responder_hours(participants),
        surface_outages=_outages(impact_history, until),
    )


def _outages(history: Sequence[ImpactChange], until: datetime | None) -> list[SurfaceOutage]:
    """Per surface, in the order first reported: the time spent down and degraded."""
    spans: dict[str, dict[str, float]] = {}
    current: dict[str, ImpactChange] = {}
    for change in sorted(history, key=lambda c: c.at):
        spans.setdefault(change.surface, {"down": 0.0, "degraded": 0.0})
        previous = current.get(change.surface)
        if previous is not None and previous.status in ("down", "degraded"):
            spans[change.surface][previous.status] += (change.at - previous.at).total_seconds()
        current[change.surface] = change
    for surface, last in current.items():
        if until is not None and last.status in ("down", "degraded") and until > last.at:
            spans[surface][last.status] += (until - last.at).total_seconds()
    return [
        SurfaceOutage(surface=s, down_seconds=v["down"], degraded_seconds=v["degraded"])
        for s, v in spans.items()
    ]


def compute_key_times(
    *,
    incident: IncidentFacts,
    timeline: Sequence[TimelineEntry],
    support: SupportFacts,
) -> KeyTimes:
    """The instants a reader looks for first, from the facts already in the postmortem."""
    return KeyTimes(
        first_entry_at=first_occurred_at(timeline),
        declared_at=incident.declared_at,
        support_case_opened_at=support.opened_at,
        first_support_response_at=support.first_response_at,
        mitigated_at=_mitigated_at(timeline),
        resolved_at=incident.resolved_at,
    )


def first_occurred_at(timeline: Sequence[TimelineEntry]) -> datetime | None:
    return min((entry.occurred_at for entry in timeline), default=None)


def _mitigated_at(timeline: Sequence[TimelineEntry]) -> datetime | None:
    return min(
        (e.occurred_at for e in timeline if e.to_status == Status.MONITORING),
        default=None,
    )


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    """Never negative: within the clocks' skew it is 0, beyond it unknown."""
    if start is None or end is None:
        return None
    seconds = (end - start).total_seconds()
    if seconds >= 0:
        return seconds
    return 0.0 if seconds >= -CLOCK_SKEW_SECONDS else None


def _responder_hours(participants: Sequence[Participant]) -> float | None:
    """Sum of everyone's time as needed. Unknown if anyone's time is unknown, or no one's given."""
    seconds = [p.needed_seconds for p in participants]
    if not seconds or any(s is None for s in seconds):
        return None
    return sum(s for s in seconds if s is not None) / 3600
