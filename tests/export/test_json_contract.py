"""The JSON export against CONTRACT.md's "Postmortem JSON": keys, order, times, nulls."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from pydantic import ValidationError

from bot.domain.incident import Severity, Status
from bot.export import (
    IncidentFacts,
    Participant,
    Postmortem,
    TimelineEntry,
    build_postmortem,
)
from bot.export.render import render

from . import scenario

CONTRACT = {
    "incident": [
        "reference",
        "title",
        "severity",
        "status",
        "commander",
        "declared_at",
        "resolved_at",
    ],
    "timeline": ["occurred_at", "recorded_at", "author", "kind", "text", "number"],
    "participants": ["user", "state", "needed_seconds", "transitions"],
    "support": ["plan", "case_id", "severity", "opened_at", "first_response_at"],
    "metrics": [
        "time_to_declare",
        "time_to_support_case",
        "time_to_support_response",
        "time_to_resolve",
        "responder_hours",
    ],
    "followups": ["text", "author", "created_at", "number", "owner", "due", "status"],
    "impact": ["surface", "status", "note", "since", "changed_at"],
    "updates": ["text", "author", "posted_at"],
    "analysis": [
        "summary",
        "impact",
        "trigger",
        "root_cause",
        "contributing_factors",
        "detection",
        "resolution",
        "went_well",
        "went_wrong",
        "lucky",
    ],
    "aws_health": [
        "arn",
        "service",
        "region",
        "event_type",
        "status",
        "start_time",
        "last_updated",
    ],
}
TRANSITION_KEYS = ["from_state", "to_state", "at", "by", "reason"]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$")


def exported() -> dict:
    return json.loads(render(scenario.postmortem(), "json", scenario.TEAM_ZONES))


def test_every_contract_key_is_present_first_and_in_order() -> None:
    data = exported()
    assert list(data)[: len(CONTRACT)] == list(CONTRACT)
    for section, keys in CONTRACT.items():
        items = data[section] if isinstance(data[section], list) else [data[section]]
        assert items, f"{section} is empty in the scenario"
        for item in items:
            assert list(item)[: len(keys)] == keys, section
    for participant in data["participants"]:
        for transition in participant["transitions"]:
            assert list(transition) == TRANSITION_KEYS


def test_json_validates_back_into_the_model_unchanged() -> None:
    text = render(scenario.postmortem(), "json", scenario.TEAM_ZONES)
    parsed = Postmortem.model_validate_json(text)
    assert parsed == scenario.postmortem()
    assert parsed.model_dump_json(indent=2) + "\n" == text


def test_times_are_iso_8601_with_an_explicit_utc_offset() -> None:
    data = exported()
    times = [
        data["incident"]["declared_at"],
        data["incident"]["resolved_at"],
        data["support"]["opened_at"],
        data["support"]["first_response_at"],
        *(e["occurred_at"] for e in data["timeline"]),
        *(e["recorded_at"] for e in data["timeline"]),
        *(f["created_at"] for f in data["followups"]),
        *(t["at"] for p in data["participants"] for t in p["transitions"]),
    ]
    assert all(ISO_WITH_OFFSET.match(t) for t in times), times
    assert data["timeline"][0]["occurred_at"] == "2026-09-16T10:20:00+00:00"  # 03:20 PDT


def test_timeline_is_oldest_first_whatever_order_it_was_recorded_in() -> None:
    occurred = [e["occurred_at"] for e in exported()["timeline"]]
    assert occurred == sorted(occurred)
    assert exported()["timeline"][0]["text"].startswith("CloudFormation deploy")


def test_scenario_values() -> None:
    data = exported()
    assert data["incident"]["reference"] == "INC-1"
    assert data["incident"]["severity"] == "sev1"
    assert data["incident"]["commander"] == "U0CMDR"
    assert {k: data["metrics"][k] for k in CONTRACT["metrics"]} == {
        "time_to_declare": 42 * 60,
        "time_to_support_case": 22 * 60,
        "time_to_support_response": 34 * 60,
        "time_to_resolve": (3 * 60 + 38) * 60,
        "responder_hours": (13_680 + 13_080 + 3_480) / 3600,
    }
    assert data["metrics"]["restore_drill"] == {}  # no restore drill in this incident
    assert data["metrics"]["surface_outages"] == [
        {"surface": "Store apps", "down_seconds": 0.0, "degraded_seconds": 0.0},
        {"surface": "Vendor web app", "down_seconds": 3 * 3600 + 20 * 60, "degraded_seconds": 0.0},
    ]
    assert [(f["number"], f["owner"], f["due"], f["status"]) for f in data["followups"]] == [
        (1, "U0DEV2", "2026-09-30", "open"),
        (2, None, None, "done"),
        (3, "U0CMDR", None, "open"),
    ]
    assert data["impact"][1] == {
        "surface": "Vendor web app",
        "status": "ok",
        "note": "data flowing again",
        "since": "2026-09-16T14:40:00+00:00",
        "changed_at": "2026-09-16T14:40:00+00:00",
    }
    assert data["analysis"]["root_cause"].startswith("The production stack had no")
    assert data["analysis"]["lucky"] is None
    assert data["team_timezones"] == list(scenario.TEAM_ZONES)
    assert data["key_times"]["mitigated_at"] == "2026-09-16T13:05:00+00:00"
    assert [e["backdated"] for e in data["timeline"][:4]] == [True, True, True, False]
    assert data["review_notes"] == [
        {
            "source": "timeline 3",
            "sentence": "<@U0DEV1> should have known the stack had no termination protection.",
            "phrase": "should have known",
            "person": "<@U0DEV1>",
        }
    ]


def test_unknown_values_are_null_not_guessed() -> None:
    bare = build_postmortem(
        incident=IncidentFacts(
            reference="INC-2",
            title="Checkout latency",
            severity=Severity.SEV3,
            status=Status.INVESTIGATING,
            declared_at=scenario.DECLARED,
        ),
        timeline=[
            TimelineEntry(
                occurred_at=scenario.DECLARED,
                recorded_at=scenario.DECLARED,
                author="U0CMDR",
                kind="declared",
                text="Declared",
            )
        ],
        participants=[Participant(user="U0CMDR", state="needed")],
    )
    data = json.loads(render(bare, "json", ["UTC"]))
    assert data["incident"]["commander"] is None
    assert data["incident"]["resolved_at"] is None
    assert data["support"] == {
        "plan": None,
        "case_id": None,
        "severity": None,
        "opened_at": None,
        "first_response_at": None,
    }
    # Nothing was logged before the declaration, nothing resolved, no case, no needed time.
    assert data["metrics"] == {
        **dict.fromkeys(CONTRACT["metrics"]),
        "surface_outages": [],
        "restore_drill": {},
    }
    assert data["impact"] == []
    assert data["analysis"] == dict.fromkeys(CONTRACT["analysis"])
    assert data["participants"][0]["needed_seconds"] is None
    assert data["followups"] == []
    assert data["team_timezones"] == []


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="naive datetime"):
        TimelineEntry(
            occurred_at=datetime(2026, 9, 16, 10, 20),
            recorded_at=scenario.DECLARED,
            kind="note",
            text="x",
        )


def test_other_offsets_are_stored_as_utc() -> None:
    entry = TimelineEntry.model_validate(
        {
            "occurred_at": "2026-09-16T03:20:00-07:00",
            "recorded_at": "2026-09-16T13:20:00+03:00",
            "kind": "note",
            "text": "x",
        }
    )
    assert entry.occurred_at == scenario.at(10, 20)
    assert json.loads(entry.model_dump_json())["occurred_at"] == "2026-09-16T10:20:00+00:00"
    assert entry.backdated is False  # recorded at the same instant it happened


def test_unknown_keys_are_refused_so_a_typo_cannot_vanish() -> None:
    with pytest.raises(ValidationError):
        IncidentFacts.model_validate(
            {
                "reference": "INC-1",
                "title": "t",
                "severity": "sev1",
                "status": "resolved",
                "declared_at": scenario.DECLARED,
                "resolvedAt": scenario.RESOLVED,
            }
        )
