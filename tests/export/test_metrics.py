"""compute_metrics and compute_key_times: each number from its inputs, None when one is unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.incident import Status
from bot.export import (
    Participant,
    SupportFacts,
    TimelineEntry,
    compute_key_times,
    compute_metrics,
)

from . import scenario
from .scenario import DECLARED, RESOLVED, at


def entry(occurred, kind: str = "note", to_status: Status | None = None) -> TimelineEntry:
    return TimelineEntry(
        occurred_at=occurred, recorded_at=DECLARED, kind=kind, text="x", to_status=to_status
    )


def test_scenario_metrics() -> None:
    metrics = compute_metrics(
        incident=scenario.incident(),
        timeline=scenario.timeline(),
        participants=scenario.participants(),
        support=scenario.support(),
    )
    assert metrics.time_to_declare == timedelta(minutes=42).total_seconds()
    assert metrics.time_to_support_case == 22 * 60
    assert metrics.time_to_support_response == 34 * 60
    assert metrics.time_to_resolve == RESOLVED.timestamp() - DECLARED.timestamp()
    assert metrics.responder_hours == pytest.approx(8.4)


def test_time_to_declare_uses_the_earliest_entry_in_any_order() -> None:
    metrics = compute_metrics(
        incident=scenario.incident(),
        timeline=[entry(at(10, 50)), entry(at(9, 2)), entry(at(10, 0))],
        participants=[],
        support=SupportFacts(),
    )
    assert metrics.time_to_declare == 2 * 3600


def test_time_to_declare_is_unknown_when_nothing_was_logged_before_the_declaration() -> None:
    for timeline in ([], [entry(DECLARED, "declared"), entry(at(12, 0))]):
        metrics = compute_metrics(
            incident=scenario.incident(),
            timeline=timeline,
            participants=[],
            support=SupportFacts(),
        )
        assert metrics.time_to_declare is None


def test_unknown_inputs_give_unknown_numbers() -> None:
    metrics = compute_metrics(
        incident=scenario.incident(resolved_at=None, status=Status.MONITORING),
        timeline=[],
        participants=[],
        support=SupportFacts(opened_at=at(11, 30)),
    )
    assert metrics.time_to_support_case == 28 * 60
    assert metrics.time_to_support_response is None  # no reply from AWS yet
    assert metrics.time_to_resolve is None
    assert metrics.responder_hours is None  # nobody recorded is not zero hours


def test_support_response_needs_the_opening_time() -> None:
    metrics = compute_metrics(
        incident=scenario.incident(),
        timeline=[],
        participants=[],
        support=SupportFacts(first_response_at=at(12, 0)),
    )
    assert metrics.time_to_support_case is None
    assert metrics.time_to_support_response is None


def test_responder_hours_is_unknown_if_anyones_time_is_unknown() -> None:
    people = [
        Participant(user="U1", state="needed", needed_seconds=5400),
        Participant(user="U2", state="needed", needed_seconds=None),
    ]
    metrics = compute_metrics(
        incident=scenario.incident(), timeline=[], participants=people, support=SupportFacts()
    )
    assert metrics.responder_hours is None
    metrics = compute_metrics(
        incident=scenario.incident(),
        timeline=[],
        participants=people[:1],
        support=SupportFacts(),
    )
    assert metrics.responder_hours == 1.5


def test_mitigated_is_the_first_change_to_monitoring() -> None:
    key_times = compute_key_times(
        incident=scenario.incident(),
        timeline=[
            entry(at(14, 0), "status", Status.MONITORING),
            entry(at(12, 0), "status", Status.IDENTIFIED),
            entry(at(13, 0), "status", Status.MONITORING),
            entry(at(12, 30), "note"),
        ],
        support=scenario.support(),
    )
    assert key_times.mitigated_at == at(13, 0)
    assert key_times.first_entry_at == at(12, 0)
    assert key_times.support_case_opened_at == at(11, 24)
    assert key_times.first_support_response_at == at(11, 58)
    assert key_times.resolved_at == RESOLVED


def test_no_monitoring_status_means_mitigated_is_unknown() -> None:
    key_times = compute_key_times(
        incident=scenario.incident(), timeline=[entry(at(12, 0))], support=SupportFacts()
    )
    assert key_times.mitigated_at is None
    assert key_times.support_case_opened_at is None


def test_a_duration_is_never_negative() -> None:
    """The bot's clock and AWS's disagree by a little: within a minute that is no time at
    all, beyond it one of the instants is wrong and the duration is unknown."""
    opened = at(11, 30)
    skewed = compute_metrics(
        incident=scenario.incident(),
        timeline=[],
        participants=[],
        support=SupportFacts(opened_at=opened, first_response_at=opened - timedelta(seconds=0.1)),
    )
    assert skewed.time_to_support_response == 0.0
    wrong = compute_metrics(
        incident=scenario.incident(),
        timeline=[],
        participants=[],
        support=SupportFacts(opened_at=opened, first_response_at=opened - timedelta(hours=1)),
    )
    assert wrong.time_to_support_response is None


def test_how_long_each_surface_was_down_and_degraded() -> None:
    from bot.export import ImpactChange

    history = [
        ImpactChange(surface="vendor web app", status="down", at=at(11, 0)),
        ImpactChange(surface="store apps", status="ok", at=at(11, 5)),
        ImpactChange(surface="vendor web app", status="degraded", at=at(12, 0)),
        ImpactChange(surface="vendor web app", status="ok", at=at(12, 30)),
        ImpactChange(surface="internal build", status="down", at=at(14, 0)),
    ]
    metrics = compute_metrics(
        incident=scenario.incident(),
        timeline=[],
        participants=[],
        support=SupportFacts(),
        impact_history=history,
        until=RESOLVED,  # 14:40: the build is still down at resolution
    )
    assert [(o.surface, o.down_seconds, o.degraded_seconds) for o in metrics.surface_outages] == [
        ("vendor web app", 3600.0, 1800.0),
        ("store apps", 0.0, 0.0),
        ("internal build", 2400.0, 0.0),
    ]
