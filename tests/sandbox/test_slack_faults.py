"""The fake Slack's fault plans, through slack_sdk as the bot uses it, planned in-process
and over the HTTP control endpoints."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.clock import FixedClock
from bot.sandbox.slack_api import FakeSlack
from bot.sandbox.slack_faults import Limiter
from bot.services.ports import ChatError
from bot.slack.chat import SlackChat, make_web_client


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def client(fake: FakeSlack, timeout: float = 5) -> WebClient:
    return make_web_client("xoxb-test", fake.api_url, timeout=timeout, wait_on_ratelimit=False)


def control(fake: FakeSlack, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        fake.url + path.lstrip("/"),
        data=data,
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_a_429_carries_retry_after_and_has_no_effect(fake: FakeSlack) -> None:
    fake.state.faults.ratelimit("conversations.create", retry_after=7)
    chat = SlackChat(client(fake))

    with pytest.raises(ChatError) as raised:
        chat.create_channel("inc-1-x")

    assert (raised.value.code, raised.value.retry_after) == ("ratelimited", 7.0)
    assert fake.state.channel_by_name("inc-1-x") is None
    assert chat.create_channel("inc-1-x").name == "inc-1-x"  # the plan was used up


def test_a_500_and_an_ok_false_error_have_no_effect(fake: FakeSlack) -> None:
    fake.state.faults.server_error("conversations.create")
    fake.state.faults.error("conversations.create", "restricted_action")
    web = client(fake)

    with pytest.raises(SlackApiError) as first:
        web.conversations_create(name="inc-2-x")
    with pytest.raises(SlackApiError) as second:
        web.conversations_create(name="inc-2-x")

    assert first.value.response.status_code == 500
    assert (second.value.response.status_code, second.value.response["error"]) == (
        200,
        "restricted_action",
    )
    assert fake.state.channel_by_name("inc-2-x") is None


def test_a_delay_after_effect_loses_the_answer_but_not_the_channel(fake: FakeSlack) -> None:
    fake.state.faults.delay_after_effect("conversations.create", seconds=1.5)
    chat = SlackChat(client(fake, timeout=0.3))

    with pytest.raises(ChatError) as raised:
        chat.create_channel("inc-3-x")

    assert raised.value.code == "timeout" and raised.value.outcome_unknown
    assert fake.state.channel_by_name("inc-3-x") is not None
    assert len(fake.state.calls_to("conversations.create")) == 1  # not retried blindly
    found = chat.find_channel("inc-3-x")
    assert found is not None and found.creator == chat.bot_user_id() and found.purpose == ""


def test_a_limiter_on_an_injected_clock_admits_n_a_window(fake: FakeSlack) -> None:
    clock = FixedClock(datetime(2026, 9, 16, 13, 0, tzinfo=UTC))
    fake.state.faults.clock = lambda: clock.now().timestamp()
    fake.state.faults.limit("pins.add", calls=2, per_seconds=60)
    web = client(fake)
    channel = web.conversations_create(name="inc-4-x")["channel"]["id"]
    ts = [web.chat_postMessage(channel=channel, text=str(n))["ts"] for n in range(3)]

    web.pins_add(channel=channel, timestamp=ts[0])
    clock.advance(seconds=20)
    web.pins_add(channel=channel, timestamp=ts[1])
    with pytest.raises(SlackApiError) as limited:
        web.pins_add(channel=channel, timestamp=ts[2])
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "40"
    clock.advance(seconds=40)
    web.pins_add(channel=channel, timestamp=ts[2])

    assert fake.state.channels[channel].pins == ts
    assert fake.state.faults.limited == {"pins.add": 1}


def test_limiter_is_a_sliding_window() -> None:
    limiter = Limiter(calls=2, per_seconds=10)
    assert limiter.admit(0.0) is None and limiter.admit(5.0) is None
    assert limiter.admit(9.5) == 1  # the first slot frees at 10
    assert limiter.admit(10.0) is None
    assert limiter.admit(12.0) == 3  # then at 15


def test_plans_over_http_control_endpoints(fake: FakeSlack) -> None:
    control(
        fake,
        "/_sandbox/faults",
        {"method": "chat.postMessage", "kind": "ratelimit", "retry_after": 3},
    )
    control(
        fake,
        "/_sandbox/limits",
        {"method": "conversations.create", "calls": 1, "per_seconds": 3600},
    )
    chat = SlackChat(client(fake))
    channel = chat.create_channel("inc-5-x").id

    with pytest.raises(ChatError) as posted:
        chat.post(channel, "hello")
    with pytest.raises(ChatError) as created:
        chat.create_channel("inc-6-x")

    assert (posted.value.code, posted.value.retry_after) == ("ratelimited", 3.0)
    assert created.value.rate_limited
    described = control(fake, "/_sandbox/faults")
    assert described["limits"] == {"conversations.create": {"calls": 1, "per_seconds": 3600.0}}
    assert described["limited"] == {"conversations.create": 1}
    control(fake, "/_sandbox/faults/clear", {})
    assert chat.create_channel("inc-6-x").name == "inc-6-x"


def test_history_returns_metadata_only_when_asked(fake: FakeSlack) -> None:
    chat = SlackChat(client(fake))
    channel = chat.create_channel("inc-7-x").id
    meta = {"event_type": "warroom_outbox", "event_payload": {"outbox_id": 42}}
    ts = chat.post(channel, "summary", metadata=meta)

    plain = client(fake).conversations_history(channel=channel)["messages"]
    assert "metadata" not in plain[0]
    assert chat.find_by_metadata(channel, "warroom_outbox", {"outbox_id": 42}) == ts
    assert chat.find_by_metadata(channel, "warroom_outbox", {"outbox_id": 43}) is None
