"""Logs for operators: JSON one object a line with the request's ids, level from the
settings, and never a secret."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.app.logs import setup_logging
from bot.app.settings import SettingsError, load_settings
from tests.harness import BOT_TOKEN, SIGNING_SECRET, BotHarness


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    setup_logging("DEBUG", "json", stream=stream)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def _records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_the_request_and_its_incident(
    bot: BotHarness, captured: io.StringIO
) -> None:
    channel = bot.declare()
    bot.slack.state.fail_next("chat.postMessage", "internal_error", times=5)

    bot.command("status identified", channel=channel)

    records = _records(captured)
    assert records, "nothing was logged"
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    tagged = [r for r in records if r.get("command") == "/incident status"]
    assert tagged, records
    assert tagged[0]["user"] == "U0CMDR"
    assert tagged[0]["incident"] == "INC-1"


def test_no_secret_reaches_the_log_even_at_debug(bot: BotHarness, captured: io.StringIO) -> None:
    channel = bot.declare()
    bot.command("log the first responder joined", channel=channel)
    bot.command("postmortem md", channel=channel)

    text = captured.getvalue()
    assert text
    assert BOT_TOKEN not in text and SIGNING_SECRET not in text


def test_log_settings_are_checked() -> None:
    settings = load_settings(warroom_log_format="JSON", warroom_log_level="warning")
    assert (settings.warroom_log_format, settings.warroom_log_level) == ("json", "WARNING")
    with pytest.raises(SettingsError, match="WARROOM_LOG_FORMAT"):
        load_settings(warroom_log_format="xml")
