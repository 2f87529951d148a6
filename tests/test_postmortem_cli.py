"""`warroom postmortem INCIDENT [--format md|json|html] [-o FILE]`, run as an operator runs
it: a separate process with a clean environment, DATABASE_URL pointing at the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.export import Postmortem
from bot.store.db import Database
from tests.test_postmortem_export import seed_incident


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "WARROOM_", "DATABASE_URL", "AWS_"))
    }
    env.update(DATABASE_URL=database_url, WARROOM_TEAM_TIMEZONES="Africa/Lusaka", **extra)
    return env


def _warroom(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "postmortem", *args],
        env=_env(database_url),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_json_to_a_file(db: Database, database_url: str, tmp_path: Path) -> None:
    seed_incident(db, struck=2)
    out = tmp_path / "pm.json"

    result = _warroom(
        "INC-1", "--format", "json", "-o", str(out), database_url=database_url, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    Postmortem.model_validate(doc)
    assert doc["incident"]["reference"] == "INC-1"
    assert doc["incident"]["declared_at"] == "2026-09-16T11:00:00+00:00"
    assert doc["support"]["case_id"] == "172839"
    assert not any(e["text"].startswith("struck") for e in doc["timeline"])
    assert doc["team_timezones"] == ["Africa/Lusaka"]
    assert "wrote INC-1-postmortem.json" in result.stderr


def test_markdown_by_number_to_stdout(db: Database, database_url: str, tmp_path: Path) -> None:
    seed_incident(db)

    result = _warroom("1", database_url=database_url, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# INC-1: Production environment deleted\n")
    assert "in Africa/Lusaka first, then UTC" in result.stdout
    assert "| Declared | **Sep 16 13:00 CAT**<br>11:00 UTC |" in result.stdout


def test_html_to_a_file(db: Database, database_url: str, tmp_path: Path) -> None:
    seed_incident(db, title="<script>alert(1)</script>")
    out = tmp_path / "pm.html"

    result = _warroom(
        "inc-1", "--format", "html", "-o", str(out), database_url=database_url, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_unknown_incident_is_one_line_and_exit_1(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    seed_incident(db)

    result = _warroom("INC-99", database_url=database_url, cwd=tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["warroom: There is no incident INC-99."]


def test_unreadable_reference_is_one_line_and_exit_1(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    result = _warroom("last-tuesday", database_url=database_url, cwd=tmp_path)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "`last-tuesday` is not an incident" in lines[0]
