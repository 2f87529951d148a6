"""Assemble a complete `Postmortem` from its facts.

The store hands over what it knows (struck timeline entries already left out); this module
adds what follows from it (the timeline's order, metrics, key times, review notes), so the
derived parts are computed in one place and can never disagree with the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime

from bot.domain.blame import find_blame
from bot.domain.incident import Status
from bot.export.metrics import compute_key_times, compute_metrics
from bot.export.model import (
    Analysis,
    AwsHealthEvent,
    Followup,
    ImpactChange,
    ImpactSurface,
    IncidentFacts,
    Participant,
    Postmortem,
    RestoreDrillMetric,
    ReviewNote,
    RunbookStep,
    SupportFacts,
    TimelineEntry,
    Update,
)


def build_postmortem(
    *,
    incident: IncidentFacts,
    timeline: Iterable[TimelineEntry],
    participants: Iterable[Participant],
    support: SupportFacts | None = None,
    followups: Iterable[Followup] = (),
    runbook_steps: Iterable[RunbookStep] = (),
    team_timezones: Sequence[str] = (),
    generated_at: datetime | None = None,
    people: Mapping[str, str] | None = None,
    impact: Iterable[ImpactSurface] = (),
    impact_history: Iterable[ImpactChange] = (),
    analysis: Analysis | None = None,
    updates: Iterable[Update] = (),
    aws_health: Iterable[AwsHealthEvent] = (),
    restore_drill: Mapping[str, RestoreDrillMetric] | None = None,
) -> Postmortem:
    """A postmortem whose timeline is oldest first and whose derived parts are filled in.

    The timeline is ordered by when things happened, not when they were typed; entries that
    happened at the same instant keep the order they were recorded in.
    """
    ordered = _milestones(sorted(timeline, key=lambda e: (e.occurred_at, e.recorded_at)))
    responders = list(participants)
    support = support if support is not None else SupportFacts()
    actions = list(followups)
    history = sorted(impact_history, key=lambda c: c.at)
    return Postmortem(
        incident=incident,
        timeline=ordered,
        participants=responders,
        support=support,
        metrics=compute_metrics(
            incident=incident,
            timeline=ordered,
            participants=responders,
            support=support,
            impact_history=history,
            until=incident.resolved_at or generated_at,
        ).model_copy(update={"restore_drill": dict(restore_drill or {})}),
        followups=actions,
        impact=list(impact),
        updates=sorted(updates, key=lambda u: u.posted_at),
        analysis=analysis or Analysis(),
        aws_health=list(aws_health),
        impact_history=history,
        key_times=compute_key_times(incident=incident, timeline=ordered, support=support),
        runbook_steps=list(runbook_steps),
        review_notes=review_notes(incident, ordered, actions),
        team_timezones=list(team_timezones),
        generated_at=generated_at,
        people=dict(people or {}),
    )


def _milestones(timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """Mark the declaration, the first move to monitoring (mitigated) and the resolution,
    where the store has not marked them already (it marks the AWS case opening)."""
    marked: list[TimelineEntry] = []
    seen: set[str] = {e.milestone for e in timeline if e.milestone}
    for entry in timeline:
        milestone = entry.milestone
        if milestone is None:
            if entry.kind == "declared":
                milestone = "declared"
            elif entry.kind == "resolved" or entry.to_status == Status.RESOLVED:
                milestone = "resolved"
            elif entry.to_status == Status.MONITORING:
                milestone = "mitigated"
            if milestone in seen:
                milestone = None
        if milestone is not None and milestone != entry.milestone:
            seen.add(milestone)
            entry = entry.model_copy(update={"milestone": milestone})
        marked.append(entry)
    return marked


def review_notes(
    incident: IncidentFacts, timeline: Sequence[TimelineEntry], followups: Sequence[Followup]
) -> list[ReviewNote]:
    """Sentences anywhere in the postmortem's text that blame a person."""
    return [
        ReviewNote(source=n.source, sentence=n.sentence, phrase=n.phrase, person=n.person)
        for n in find_blame(_texts(incident, timeline, followups))
    ]


def _texts(
    incident: IncidentFacts, timeline: Sequence[TimelineEntry], followups: Sequence[Followup]
) -> Iterator[tuple[str, str]]:
    yield "title", incident.title
    if incident.summary:
        yield "summary", incident.summary
    for number, entry in enumerate(timeline, start=1):
        yield f"timeline {number}", entry.text
    for number, followup in enumerate(followups, start=1):
        yield f"action item {followup.number or number}", followup.text
