"""`warroom serve` and `warroom socket` as an orchestrator runs them: bad settings are one
line and exit 2, what is not up yet is waited for, SIGTERM stops them within the grace."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.app.lifecycle import GRACE_SECONDS
from bot.sandbox.slack_api import FakeSlack
from bot.sandbox.slack_requests import SlackRequests
from tests.harness import BOT_TOKEN, SIGNING_SECRET
from tests.test_cli import _env, _free_port, _wait_for, _wait_until_healthy, _warroom

APP_TOKEN = "xapp-1-A0TEST-secret-app-token"
# Nothing listens on port 1: the database is "down".
DOWN_DATABASE = "postgresql+psycopg://warroom@127.0.0.1:1/warroom"


@pytest.mark.parametrize(
    "url", ["postgres://u@h/db", "notaurl", "mysql://u:pw-secret@h/db", "foo+bar://x"]
)
def test_a_bad_database_url_is_one_line_and_exit_2(tmp_path: Path, url: str) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=url)

    for command in (["serve", "--port", str(_free_port())], ["db", "upgrade"]):
        result = _warroom(*command, env=env, cwd=tmp_path)

        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "DATABASE_URL" in lines[0], lines
        assert "pw-secret" not in result.stderr


def test_db_upgrade_on_an_unreachable_database_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _warroom("db", "upgrade", env=_env(DATABASE_URL=DOWN_DATABASE), cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unreachable" in lines[0], lines


def test_db_upgrade_help_is_its_own() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0
    assert "usage: warroom db upgrade" in result.stdout


def _start(*args: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    """SIGTERM, then a bounded wait (the grace plus slack for a loaded machine)."""
    process.send_signal(signal.SIGTERM)
    try:
        output = process.communicate(timeout=GRACE_SECONDS + 20)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0]
        raise AssertionError(f"did not stop on SIGTERM:\n{output}") from None
    return process.returncode, output


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_waits_for_the_database_answering_503_meanwhile_and_stops_on_sigterm(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, DATABASE_URL=DOWN_DATABASE
    )
    process = _start("serve", "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: _answers(f"{base}/healthz"), process)
        assert _get(f"{base}/healthz")[0] == 503
        reply = SlackRequests(f"{base}/slack/events", SIGNING_SECRET).command(
            "help", user="U0CMDR", channel="C0GENERAL"
        )
        assert reply.status == 503
    finally:
        code, output = _stop(process)

    assert code == 0, output
    assert "Traceback" not in output, output
    assert sum("database is unreachable" in line for line in output.splitlines()) == 1, output
    assert (
        output.strip()
        .splitlines()[-1]
        .endswith("warroom stopped on SIGTERM; work in flight finished")
    )


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def test_serve_finishes_and_stops_on_sigterm_after_serving(tmp_path: Path) -> None:
    port = _free_port()
    with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
        )
        process = _start("serve", "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base, process)
            reply = SlackRequests(f"{base}/slack/events", SIGNING_SECRET).command(
                "declare sev2 Queue is stuck", user="U0CMDR", channel="C0GENERAL"
            )
            assert reply.status == 200
        finally:
            code, output = _stop(process)
        # The work after the acknowledgement was finished, not dropped, by the shutdown.
        assert slack.state.calls_to("conversations.create")

    assert code == 0, output
    assert "warroom stopped on SIGTERM; work in flight finished" in output


def test_while_slack_is_unreachable_requests_get_503_and_one_line_not_a_traceback(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=f"http://127.0.0.1:{_free_port()}/api/",  # nobody there
        DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
    )
    process = _start("serve", "--host", "127.0.0.1", "--port", str(port), env=env, cwd=tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base, process)
        reply = SlackRequests(f"{base}/slack/events", SIGNING_SECRET).command(
            "help", user="U0CMDR", channel="C0GENERAL"
        )
        assert reply.status == 503
    finally:
        code, output = _stop(process)

    assert code == 0, output
    assert "Traceback" not in output, output
    assert "answered 503 to a Slack request: Slack's Web API is unreachable" in output


def test_socket_mode_token_slack_rejects_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
        )
        result = _warroom("socket", env=env, cwd=tmp_path)

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("warroom: SLACK_APP_TOKEN was not accepted by Slack (")
    assert APP_TOKEN not in result.stderr


def test_socket_mode_waits_for_slack_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = _env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=f"http://127.0.0.1:{_free_port()}/api/",  # nobody there
        DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
    )
    process = _start("socket", env=env, cwd=tmp_path)
    try:
        _wait_for(lambda: (tmp_path / "w.db").exists(), process)
    finally:
        code, output = _stop(process)

    assert code == 0, output
    assert "Traceback" not in output, output
    assert (
        output.strip()
        .splitlines()[-1]
        .endswith("warroom stopped on SIGTERM; work in flight finished")
    )


def test_socket_mode_stops_on_sigterm_while_the_database_is_down(tmp_path: Path) -> None:
    env = _env(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, DATABASE_URL=DOWN_DATABASE)
    process = _start("socket", env=env, cwd=tmp_path)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        lines.append(process.stdout.readline())  # the one line saying the database is down
    finally:
        code, output = _stop(process)

    assert "the database is unreachable" in lines[0]
    assert code == 0 and "Traceback" not in output, output
    assert "warroom stopped on SIGTERM" in output


def _as_pid_1(*args: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], int]:
    """`warroom ...` as PID 1 of a new PID namespace, where a signal nobody handles is
    ignored (as in a container): only warroom's own handler can stop it."""
    outer = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    children = Path(f"/proc/{outer.pid}/task/{outer.pid}/children")
    holder: list[int] = []

    def started() -> bool:
        holder[:] = [int(pid) for pid in children.read_text().split()]
        return bool(holder)

    _wait_for(started, outer)
    return outer, holder[0]


@pytest.mark.parametrize("command", ["serve", "socket"])
def test_stops_on_sigterm_as_pid_1(tmp_path: Path, command: str) -> None:
    with FakeSlack() as slack:
        env = _env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_API_URL=slack.api_url if command == "serve" else "http://127.0.0.1:1/api/",
            DATABASE_URL=f"sqlite:///{tmp_path}/w.db",
        )
        port = _free_port()
        args = ["serve", "--host", "127.0.0.1", "--port", str(port)] if command == "serve" else []
        outer, pid_1 = _as_pid_1(*(args or [command]), env=env, cwd=tmp_path)
        try:
            if command == "serve":
                _wait_until_healthy(f"http://127.0.0.1:{port}", outer)
            else:
                _wait_for(lambda: (tmp_path / "w.db").exists(), outer)
            Path(f"/proc/{pid_1}/status").read_text()  # it is there to signal
            subprocess.run(["kill", "-TERM", str(pid_1)], check=True)
            output = outer.communicate(timeout=GRACE_SECONDS + 20)[0]
        finally:
            if outer.poll() is None:
                outer.kill()
                outer.communicate()

    assert outer.returncode == 0, output
    assert "warroom stopped on SIGTERM" in output
