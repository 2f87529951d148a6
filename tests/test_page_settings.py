"""The settings of stakeholder updates and incident pages, and bolt's OAuth variables."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.settings import SettingsError, load_settings
from tests.harness import BOT_TOKEN, BotHarness
from tests.test_cli import _env


def test_update_minutes_default_and_override() -> None:
    assert load_settings(_env_file=None).warroom_update_minutes == {
        "sev1": 30,
        "sev2": 60,
        "sev3": 240,
        "sev4": 0,
    }
    settings = load_settings(_env_file=None, warroom_update_minutes="sev1=15, SEV4=120")
    assert settings.warroom_update_minutes == {"sev1": 15, "sev2": 60, "sev3": 240, "sev4": 120}


@pytest.mark.parametrize("value", ["sev1=-5", "sev1=abc", "sev9=30", "sev1", "sev1=1.5"])
def test_malformed_update_minutes_are_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="WARROOM_UPDATE_MINUTES is malformed"):
        load_settings(_env_file=None, warroom_update_minutes=value)


def test_a_public_url_needs_a_page_secret() -> None:
    with pytest.raises(SettingsError, match="WARROOM_PAGE_SECRET is required"):
        load_settings(_env_file=None, warroom_public_url="https://warroom.example.com")
    with pytest.raises(SettingsError, match="WARROOM_PUBLIC_URL is malformed"):
        load_settings(_env_file=None, warroom_public_url="warroom.example.com")


@pytest.mark.parametrize(
    ("name", "value"),
    [("WARROOM_UPDATE_MINUTES", "sev1=soon"), ("WARROOM_STAKEHOLDER_CHANNEL", "#general")],
)
def test_serve_stops_with_one_line_and_exit_2(tmp_path: Path, name: str, value: str) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="s", **{name: value})
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], lines


def test_the_bot_still_answers_with_bolts_oauth_variables_set(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "bolt-would-switch-to-oauth")
    harness = BotHarness(database_url)
    try:
        channel = harness.declare()
        reply = harness.command("update still here", channel=channel)
        assert reply.status == 200 and "posted here" in reply.json()["text"]
        assert harness.runtime.app.oauth_flow is None
    finally:
        harness.close()
