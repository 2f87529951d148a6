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
        "Stakeholder update for INC-1 posted here and in the stakeholder channel",
        "[#stakeholders] warroom: :loudspeaker: *INC-1: Production environment deleted*",
        # restore drills: the week before (no PITR) and the epilogue (restored, with its RTO)
        "FAILED  orders  -    -/-                      0/0     point-in-time recovery is disabled",
        "RESTORED  orders",
        "120/120                  25/25",
        # AWS Health: no plan said once on the plan line, then the event, ruled out, closed
        "AWS Health events are not watched: the AWS Health API needs a Business-class",
        "*AWS Health: DYNAMODB in us-east-1* (public) (INC-1)",
        "ruled out, it is us",
        "is now *closed* (was open)",
        "Impact: vendor web app is *down*",
        "Action item 3 done",
        "10 sections, 5 prefilled",
        "The INC-1 review is saved",
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
    assert [u["author"] for u in postmortem["updates"]] == ["U0ADA", "U0ADA"]
    assert [e["status"] for e in postmortem["aws_health"]] == ["closed"]
    assert [(f["number"], f["owner"], f["status"]) for f in postmortem["followups"]] == [
        (1, "U0WANJIRU", "open"),
        (2, "U0ADA", "open"),
        (3, "U0KOFI", "done"),
    ]
    assert postmortem["followups"][0]["due"] == "2026-09-30"
    assert [(s["surface"], s["status"]) for s in postmortem["impact"]] == [
        ("store apps", "ok"),
        ("internal build", "ok"),
        ("internal admin tooling", "ok"),
        ("vendor web app", "ok"),
    ]
    outages = {o["surface"]: o for o in metrics["surface_outages"]}
    assert outages["vendor web app"]["down_seconds"] > 0
    assert outages["store apps"]["down_seconds"] == 0
    analysis = postmortem["analysis"]
    assert analysis["root_cause"].startswith("Deleting a stack deletes")
    assert analysis["lucky"].startswith("AWS still had internal backups")
    assert analysis["detection"].startswith("Declared 2026-09-16 13:45 UTC")
    durations = [v for k, v in metrics.items() if k.startswith("time_to") and v is not None]
    assert all(v >= 0 for v in durations)
    aws = [e for e in postmortem["timeline"] if e["text"].startswith("AWS Support replied")]
    assert aws and {e["author"] for e in aws} == {"AWS Support"}
    runbook_steps = postmortem["runbook_steps"]
    assert [s["runbook_id"] for s in runbook_steps] == ["production-data-loss"] * 2


def test_demo_runs_again_in_the_same_folder(tmp_path: Path) -> None:
    run_demo(str(tmp_path))
    assert run_demo(str(tmp_path)) == 0
    postmortem = json.loads((tmp_path / "INC-1-postmortem.json").read_text())
    assert postmortem["incident"]["reference"] == "INC-1"


@pytest.mark.slow
def test_demo_serve_keeps_running_and_prints_the_page_link(tmp_path: Path) -> None:
    import os
    import re
    import subprocess
    import sys
    import urllib.request

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WARROOM_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "demo", "--out", str(tmp_path), "--serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        link = None
        for line in process.stdout:  # ends when the process does: no endless wait
            found = re.search(r"Incident page \(signed link, 24 h\): (\S+)", line)
            if found:
                link = found.group(1)
                break
        assert link, "the demo printed no page link"
        with urllib.request.urlopen(link, timeout=10) as response:
            body = response.read().decode()
        assert response.status == 200
        assert "INC-1: Production environment deleted" in body
        assert "Orders are restored" in body
        assert process.poll() is None  # still serving
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert process.returncode is not None
