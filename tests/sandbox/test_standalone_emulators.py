"""The emulators run on their own (`python -m ...`) and are driven over HTTP, so
`warroom serve` can be tried by hand, or tested from another process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bot.aws.support import AwsSupport
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.sandbox.slack_api import FakeSlack


def _post(url: str, payload: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def test_aws_emulator_plan_and_replies_are_controlled_over_http() -> None:
    with AwsSupportEmulator(plan="none") as emulator:
        support = AwsSupport(session=dummy_session(), endpoint_url=emulator.endpoint_url)
        assert support.check_plan().plan_class.value == "none"

        _post(f"{emulator.endpoint_url}/_sandbox/plan", {"plan": "enterprise"})
        assert support.check_plan().highest_severity == "critical"

        opened = support.open_case(
            subject="s",
            body="b",
            severity="critical",
            cc_emails=[],
            service_code=None,
            category_code=None,
        )
        _post(
            f"{emulator.endpoint_url}/_sandbox/reply",
            {"case_id": opened.case_id, "body": "We are on it."},
        )
        replies = support.communications(opened.case_id, after=None)
        assert [r.body for r in replies if r.is_from_aws] == ["We are on it."]
        cases = _get(f"{emulator.endpoint_url}/_sandbox/cases")
        assert [c["caseId"] for c in cases["cases"]] == [opened.case_id]  # type: ignore[index]


def test_fake_slack_shows_what_it_recorded_over_http() -> None:
    with FakeSlack() as slack:
        slack.dispatch("conversations.create", {"name": "inc-1-x"}, "Bearer xoxb-t")

        calls = _get(f"{slack.url}_sandbox/calls")
        channels = _get(f"{slack.url}_sandbox/channels")

    assert calls == [{"method": "conversations.create", "params": {"name": "inc-1-x"}}]
    assert [c["name"] for c in channels] == ["inc-1-x"]  # type: ignore[index]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _running(*args: str) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # the "listening on" line: it is up
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_both_emulators_start_from_the_command_line() -> None:
    aws_port, slack_port = _free_port(), _free_port()
    with (
        _running("bot.sandbox.aws_support", "--plan", "business", "--port", str(aws_port)),
        _running("bot.sandbox.slack_api", "--port", str(slack_port)),
    ):
        support = AwsSupport(session=dummy_session(), endpoint_url=f"http://127.0.0.1:{aws_port}")
        assert support.check_plan().highest_severity == "urgent"
        assert _get(f"http://127.0.0.1:{slack_port}/_sandbox/calls") == []
