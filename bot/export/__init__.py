"""Postmortem export: a pydantic model of the incident's record and its renderers.

The store fills the model's facts and calls `build_postmortem`; `bot.export.render.render`
turns the result into Markdown, JSON (the contract's "Postmortem JSON") or self-contained
HTML. (`render` is not re-exported here: the name would shadow the `render` module.)
"""

from bot.export.build import build_postmortem
from bot.export.metrics import compute_key_times, compute_metrics
from bot.export.model import (
    Analysis,
    Followup,
    ImpactChange,
    ImpactSurface,
    IncidentFacts,
    KeyTimes,
    Metrics,
    Participant,
    Postmortem,
    ReviewNote,
    RunbookStep,
    SupportFacts,
    TimelineEntry,
    Transition,
    Update,
)

__all__ = [
    "Analysis",
    "Followup",
    "ImpactChange",
    "ImpactSurface",
    "IncidentFacts",
    "KeyTimes",
    "Metrics",
    "Participant",
    "Postmortem",
    "ReviewNote",
    "RunbookStep",
    "SupportFacts",
    "TimelineEntry",
    "Transition",
    "Update",
    "build_postmortem",
    "compute_key_times",
    "compute_metrics",
]
