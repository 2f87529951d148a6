"""Forged, stale and malformed Slack requests get 401 and change nothing."""

from __future__ import annotations

import json
import time
import urllib.request
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.sandbox.slack_requests import post, signed_headers
from bot.store.models import Incident
from tests.harness import COMMANDER, SIGNING_SECRET, BotHarness


def _declare_body(channel: str) -> bytes:
    return urlencode(
        {
            "command": "/incident",
            "text": "declare sev1 forged",
            "user_id": COMMANDER,
            "channel_id": channel,
            "team_id": "T0WARROOM",
            "trigger_id": "t.1",
        }
    ).encode()


def _incident_count(bot: BotHarness) -> int:
    with bot.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Incident)) or 0)


def _assert_nothing_happened(bot: BotHarness) -> None:
    bot.settle()
    assert _incident_count(bot) == 0
    assert bot.slack.state.calls_to("conversations.create") == []


def test_wrong_secret_is_401(bot: BotHarness) -> None:
    body = _declare_body(bot.general)
    headers = signed_headers("not-the-secret", body, "application/x-www-form-urlencoded")

    reply = post(f"{bot.server.url}/slack/events", body, headers)

    assert reply.status == 401
    _assert_nothing_happened(bot)


def test_tampered_body_is_401(bot: BotHarness) -> None:
    body = _declare_body(bot.general)
    headers = signed_headers(SIGNING_SECRET, body, "application/x-www-form-urlencoded")

    reply = post(f"{bot.server.url}/slack/events", body + b"&x=1", headers)

    assert reply.status == 401
    _assert_nothing_happened(bot)


def test_stale_timestamp_is_401(bot: BotHarness) -> None:
    body = _declare_body(bot.general)
    stale = int(time.time()) - 301
    headers = signed_headers(SIGNING_SECRET, body, "application/x-www-form-urlencoded", stale)

    reply = post(f"{bot.server.url}/slack/events", body, headers)

    assert reply.status == 401
    _assert_nothing_happened(bot)


@pytest.mark.parametrize("timestamp", ["", "abc", "1.5e9", "-5"])
def test_malformed_or_missing_timestamp_is_401_not_500(bot: BotHarness, timestamp: str) -> None:
    body = _declare_body(bot.general)
    headers = signed_headers(SIGNING_SECRET, body, "application/x-www-form-urlencoded")
    headers["X-Slack-Request-Timestamp"] = timestamp

    reply = post(f"{bot.server.url}/slack/events", body, headers)

    assert reply.status == 401
    _assert_nothing_happened(bot)


def test_missing_signature_is_401(bot: BotHarness) -> None:
    body = _declare_body(bot.general)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(int(time.time())),
    }

    reply = post(f"{bot.server.url}/slack/events", body, headers)

    assert reply.status == 401
    _assert_nothing_happened(bot)


def test_healthz_reports_ok_when_the_database_answers(bot: BotHarness) -> None:
    with urllib.request.urlopen(f"{bot.server.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"status": "ok"}


def test_url_verification_challenge_is_answered(bot: BotHarness) -> None:
    """Slack checks the Request URL with a signed challenge before sending any event."""
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    headers = signed_headers(SIGNING_SECRET, body, "application/json")

    reply = post(f"{bot.server.url}/slack/events", body, headers)

    assert reply.status == 200
    assert "c-123" in reply.text


def test_unknown_paths_are_404(bot: BotHarness) -> None:
    reply = post(f"{bot.server.url}/admin", b"{}", {"Content-Type": "application/json"})

    assert reply.status == 404
