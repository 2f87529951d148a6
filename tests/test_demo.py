"""`warroom demo` replays the whole story and writes the postmortem files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox.demo import run_demo


def test_demo_tells_the_story_and_writes_the_postmortem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_demo(str(tmp_path)) == 0

    out = capsys.readouterr().out
    for seen in (
        "FAIL     cloudformation.stack_state",  # readiness would have caught it
        "/incident declare sev1 Production environment deleted",
        "#inc-1-production-environment-deleted",
        "No AWS support plan with API access",
        "Runbook: Production data lost or deleted",
        "read as Pacific time, which is PDT (UTC-7)",  # 6:38 AM PST in September
        "15:20 CAT Africa/Lusaka",
        "@wanjiru's message is on the INC-1 timeline",
        "released you to standby",
        "recalled you",
        "`urgent`",
        "AWS Support replied",
        "times in Africa/Lusaka",
        "*Status:* resolved",
        # restore drills: the week before (no PITR) and the epilogue (restored, with its RTO)
        "FAILED  orders  -    -/-                      0/0     point-in-time recovery is disabled",
        "RESTORED  orders",
        "120/120                  25/25",
        # AWS Health: no plan said once on the plan line, then the event, ruled out, closed
        "AWS Health events are not watched: the AWS Health API needs a Business-class",
        "*AWS Health: DYNAMODB in us-east-1* (public) (INC-1)",
        "ruled out, it is us",
        "is now *closed* (was open)",
    ):
        assert seen in out, seen
    files = {p.name for p in tmp_path.iterdir()}
    assert {"INC-1-postmortem.md", "INC-1-postmortem.json", "INC-1-postmortem.html"} <= files

    postmortem = json.loads((tmp_path / "INC-1-postmortem.json").read_text())
    assert postmortem["incident"]["reference"] == "INC-1"
    assert postmortem["incident"]["status"] == "resolved"
    assert postmortem["support"]["severity"] == "urgent"
    assert postmortem["support"]["first_response_at"].endswith("+00:00")
    metrics = postmortem["metrics"]
    assert metrics["time_to_declare"] == 3 * 3600 + 25 * 60  # 03:20 PDT to 06:45 PDT
    assert metrics["time_to_support_response"] is not None
    assert metrics["responder_hours"] > 0
    assert len(postmortem["followups"]) == 2
    assert [e["status"] for e in postmortem["aws_health"]] == ["closed"]
    runbook_steps = postmortem["runbook_steps"]
    assert [s["runbook_id"] for s in runbook_steps] == ["production-data-loss"] * 2


def test_demo_runs_again_in_the_same_folder(tmp_path: Path) -> None:
    run_demo(str(tmp_path))
    assert run_demo(str(tmp_path)) == 0
    postmortem = json.loads((tmp_path / "INC-1-postmortem.json").read_text())
    assert postmortem["incident"]["reference"] == "INC-1"
