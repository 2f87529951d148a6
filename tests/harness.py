"""Drives a real bot over HTTP, as Slack would, against the fake Slack Web API.

`BotHarness` starts the bolt app behind the same WSGI server `warroom serve` uses, signs
requests with the signing secret, and waits for after-acknowledgement work with
`settle()` (no sleeps).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.domain.clock import FixedClock
from bot.runtime import Runtime
from bot.sandbox.slack_api import FakeSlack, Message
from bot.sandbox.slack_requests import HttpReply, SlackRequests
from bot.server import HttpServer

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"  # noqa: S105 - a test fixture
BOT_TOKEN = "xoxb-test-token"  # noqa: S105
COMMANDER = "U0CMDR"
GENERAL = "C0GENERAL"


def make_settings(database_url: str, slack: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "database_url": database_url,
        "warroom_team_timezones": "America/Los_Angeles,Africa/Nairobi,Africa/Lusaka,Africa/Accra",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class BotHarness:
    def __init__(self, database_url: str, *, clock: FixedClock | None = None,
                 support: Any = None, settings: dict[str, Any] | None = None,
                 slack: FakeSlack | None = None) -> None:
        self._owns_slack = slack is None
        self.slack = slack or FakeSlack().start()
        self.slack.state.add_user(COMMANDER, "ada", tz="America/Los_Angeles",
                                  tz_offset=-7 * 3600, tz_label="Pacific Daylight Time")
        general = self.slack.state.channel_by_name("general")
        self.general = general.id if general else self.slack.state.add_channel(
            "general", [COMMANDER])
        self.clock = clock or FixedClock(datetime.now(UTC).replace(microsecond=0))
        self.settings = make_settings(database_url, self.slack, **(settings or {}))
        self.runtime = Runtime.build(self.settings, clock=self.clock, support=support)
        self.server = HttpServer(self.runtime, host="127.0.0.1", port=0, threads=8)
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        self.requests = SlackRequests(f"{self.server.url}/slack/events", SIGNING_SECRET,
                                      response_url=self.slack.response_url)

    @property
    def ctx(self) -> Any:
        return self.runtime.ctx

    @property
    def db(self) -> Any:
        return self.runtime.db

    def settle(self) -> None:
        assert self.runtime.background.wait_idle(30), "after-ack work did not finish"

    def command(self, text: str, *, user: str = COMMANDER, channel: str | None = None,
                settle: bool = True) -> HttpReply:
        reply = self.requests.command(text, user=user, channel=channel or self.general)
        if settle:
            self.settle()
        return reply

    def declare(self, text: str = "sev1 Production environment deleted",
                user: str = COMMANDER) -> str:
        """Declares and returns the new incident channel's id."""
        reply = self.command(f"declare {text}", user=user)
        assert reply.status == 200, reply.text
        created = self.slack.state.calls_to("conversations.create")
        assert created, "no channel was created"
        channel = self.slack.state.channel_by_name(created[-1].params["name"])
        assert channel is not None
        return channel.id

    def posted(self, channel: str) -> list[Message]:
        return self.slack.state.messages_in(channel)

    def responses(self) -> list[dict[str, Any]]:
        return list(self.slack.state.responses)

    def last_response_text(self) -> str:
        responses = self.responses()
        return str(responses[-1].get("text", "")) if responses else ""

    def close(self) -> None:
        self.server.close()
        self.runtime.close()
        if self._owns_slack:
            self.slack.stop()
