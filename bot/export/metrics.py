"""The postmortem's numbers, derived from its facts by pure functions.

Each number is `None` when one of its inputs is unknown, never an estimate: a postmortem that
says "unknown" is honest, one that says "0 minutes" because a time was missing is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.incident import Status
from bot.export.model import (
    IncidentFacts,
    KeyTimes,
    Metrics,
    Participant,
    SupportFacts,
    TimelineEntry,
)


def compute_metrics(
    *,
    incident: IncidentFacts,
    timeline: Sequence[TimelineEntry],
    participants: Sequence[Participant],
    support: SupportFacts,
) -> Metrics:
    """Time to declare, to open a support case, to hear back, to resolve; responder hours.

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
    )


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
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _responder_hours(participants: Sequence[Participant]) -> float | None:
    """Sum of everyone's time as needed. Unknown if anyone's time is unknown, or no one's given."""
    seconds = [p.needed_seconds for p in participants]
    if not seconds or any(s is None for s in seconds):
        return None
    return sum(s for s in seconds if s is not None) / 3600
