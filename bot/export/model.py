"""The postmortem as data: one pydantic model that every export format is rendered from.

Its JSON form is the contract's "Postmortem JSON": the contract's keys come first, in the
contract's order, and are never renamed or removed; keys added for the renderers follow them.
Every instant is a timezone-aware UTC datetime and is written as ISO 8601 with an explicit
`+00:00` offset (pydantic's default would write `Z`). Whatever is not known is `None`, and
so `null` in JSON: the export never guesses.

The models hold values only. `build_postmortem` (bot/export/build.py) fills the derived parts
(metrics, key times, review notes) so that they cannot disagree with the data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, model_validator

from bot.domain.clock import ensure_utc
from bot.domain.incident import Severity, Status

UtcDatetime = Annotated[
    datetime,
    AfterValidator(ensure_utc),
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
]
"""An aware instant, normalised to UTC; naive input is refused, JSON output is `...+00:00`."""

# An entry recorded more than this after it happened was typed in later ("backdated").
BACKDATED_AFTER = timedelta(minutes=1)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IncidentFacts(_Frozen):
    reference: str
    title: str
    severity: Severity
    status: Status
    commander: str | None = None
    declared_at: UtcDatetime
    resolved_at: UtcDatetime | None = None
    # Added beyond the contract:
    is_drill: bool = False
    summary: str | None = None
    channel: str | None = None


class TimelineEntry(_Frozen):
    occurred_at: UtcDatetime
    recorded_at: UtcDatetime
    author: str | None = None
    kind: str
    text: str
    number: int | None = None
    """The number the entry was recorded with (`strike <n>`); never renumbered."""
    # Added beyond the contract:
    backdated: bool | None = None
    """Typed in after the fact. Left out, it is derived: recorded more than a minute late."""
    permalink: str | None = None
    to_status: Status | None = None
    """For a status change, the status it moved to (how the export finds "mitigated")."""

    @model_validator(mode="after")
    def _derive_backdated(self) -> TimelineEntry:
        if self.backdated is None:
            late = self.recorded_at - self.occurred_at > BACKDATED_AFTER
            object.__setattr__(self, "backdated", late)
        return self


class Transition(_Frozen):
    from_state: str | None = None
    to_state: str
    at: UtcDatetime
    by: str | None = None
    reason: str | None = None


class Participant(_Frozen):
    user: str
    state: str
    """The roster state: needed, standby or released."""
    needed_seconds: float | None = None
    transitions: list[Transition] = []


class SupportFacts(_Frozen):
    plan: str | None = None
    case_id: str | None = None
    severity: str | None = None
    opened_at: UtcDatetime | None = None
    first_response_at: UtcDatetime | None = None


class RestoreDrillMetric(_Frozen):
    """One table's restore drill in a game day (`/incident drill restore`)."""

    rto_seconds: float | None = None
    matched: bool


class AwsHealthEvent(_Frozen):
    """An AWS Health event the incident saw, at the status it was last seen with."""

    arn: str
    service: str
    region: str
    event_type: str
    status: str
    start_time: UtcDatetime | None = None
    last_updated: UtcDatetime | None = None


class Metrics(_Frozen):
    """Durations in seconds; `responder_hours` in hours. `None` when an input is unknown."""

    time_to_declare: float | None = None
    time_to_support_case: float | None = None
    time_to_support_response: float | None = None
    time_to_resolve: float | None = None
    responder_hours: float | None = None
    # Per table drilled in this incident, by table name (the latest drill of each).
    restore_drill: dict[str, RestoreDrillMetric] = {}


class Followup(_Frozen):
    text: str
    author: str | None = None
    created_at: UtcDatetime


class Update(_Frozen):
    """A stakeholder update (`update <text>`)."""

    text: str
    author: str | None = None
    posted_at: UtcDatetime


class RunbookStep(_Frozen):
    runbook_id: str
    step: str
    ticked_by: str | None = None
    ticked_at: UtcDatetime | None = None


class ReviewNote(_Frozen):
    """A sentence that blames a person, shown to the author; what was written is not changed."""

    source: str
    sentence: str
    phrase: str
    person: str


class KeyTimes(_Frozen):
    first_entry_at: UtcDatetime | None = None
    declared_at: UtcDatetime
    support_case_opened_at: UtcDatetime | None = None
    first_support_response_at: UtcDatetime | None = None
    mitigated_at: UtcDatetime | None = None
    """The first status change to monitoring on the timeline."""
    resolved_at: UtcDatetime | None = None


class Postmortem(_Frozen):
    # The contract's keys, in the contract's order:
    incident: IncidentFacts
    timeline: list[TimelineEntry]
    participants: list[Participant]
    support: SupportFacts
    metrics: Metrics
    followups: list[Followup]
    updates: list[Update] = []
    aws_health: list[AwsHealthEvent] = []
    # Added beyond the contract:
    key_times: KeyTimes
    runbook_steps: list[RunbookStep] = []
    review_notes: list[ReviewNote] = []
    team_timezones: list[str] = []
    generated_at: UtcDatetime | None = None
    # Display names by Slack user id, where warroom knows them (ids stay ids otherwise).
    people: dict[str, str] = {}
