"""The `warroom` processes as an operator runs them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.sandbox.slack_api import FakeSlack
from bot.sandbox.slack_requests import SlackRequests
from tests.harness import BOT_TOKEN, SIGNING_SECRET


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "WARROOM_", "DATABASE_URL", "AWS_"))
    }
    env.update(extra)
    return env


def _warroom(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_setting_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    result = _warroom("serve", env=_env(), cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "warroom: SLACK_BOT_TOKEN is required but not set"
    ]


def test_malformed_setting_is_named(tmp_path: Path) -> None:
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET="s",
        WARROOM_TEAM_TIMEZONES="America/Los_Angeles,Mars/Olympus",
    )

    result = _warroom("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "WARROOM_TEAM_TIMEZONES" in lines[0] and "Mars/Olympus" in lines[0]


def test_secrets_are_not_echoed_in_errors(tmp_path: Path) -> None:
    env = _env(SLACK_BOT_TOKEN="xoxp-user-token-secret", SLACK_SIGNING_SECRET="s")

    result = _warroom("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "xoxp-user-token-secret" not in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    result = _warroom(
        "db", "upgrade", env=_env(DATABASE_URL=f"sqlite:///{tmp_path}/w.db"), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "w.db").exists()


def test_serve_declares_over_http(tmp_path: Path) -> None:
    port = _free_port()
    with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            requests = SlackRequests(f"{base}/slack/events", SIGNING_SECRET)
            started = time.monotonic()
            reply = requests.command(
                "declare sev1 Production environment deleted", user="U0CMDR", channel="C0GENERAL"
            )
            assert reply.status == 200
            assert time.monotonic() - started < 3, "Slack gives three seconds to acknowledge"
            assert "INC-1" in reply.json()["text"]
            _wait_for(lambda: slack.state.calls_to("pins.add"), process)
            names = [c.params["name"] for c in slack.state.calls_to("conversations.create")]
            assert names == ["inc-1-production-environment-deleted"]
        finally:
            process.terminate()
            output = process.communicate(timeout=20)[0]
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output


def _wait_until_healthy(base: str, process: subprocess.Popen[str]) -> None:
    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                return json.loads(response.read()) == {"status": "ok"}
        except OSError:
            return False

    _wait_for(healthy, process)


def _wait_for(condition, process: subprocess.Popen[str], limit: float = 30.0) -> None:
    """Polls an outcome (not a timing assertion): fails if the process dies or never gets there."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(
                f"warroom exited: {process.stdout.read() if process.stdout else ''}"
            )
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def test_socket_mode_needs_the_app_token(tmp_path: Path) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, DATABASE_URL=f"sqlite:///{tmp_path}/w.db")

    result = _warroom("socket", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "warroom: SLACK_APP_TOKEN is required but not set"
    ]


def test_a_token_slack_rejects_stops_start_up(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        slack.state.fail_next("auth.test", "invalid_auth")
        env = _env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
        )
        result = _warroom("serve", "--port", str(_free_port()), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "warroom: SLACK_BOT_TOKEN was not accepted by Slack (invalid_auth)"
    ]


def test_serve_starts_before_slack_is_reachable_and_answers_once_it_is(tmp_path: Path) -> None:
    """Slack (or the fake in a test rig) may come up after the bot: the bot still starts."""
    port, slack_port = _free_port(), _free_port()
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{slack_port}/api/",
        DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base, process)
        with FakeSlack(port=slack_port) as slack:
            reply = SlackRequests(f"{base}/slack/events", SIGNING_SECRET).command(
                "declare sev2 Late Slack", user="U0CMDR", channel="C0GENERAL"
            )
            assert reply.status == 200
            assert "INC-1" in reply.json()["text"]
            _wait_for(lambda: slack.state.calls_to("pins.add"), process)
    finally:
        process.terminate()
        process.communicate(timeout=20)
