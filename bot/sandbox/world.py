"""A whole warroom on one machine: the fake Slack Web API, the bot behind its real WSGI
server, and a client that signs requests like Slack. `warroom demo` and the tests both
stand on it, so the demo exercises exactly the tested path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.app.runtime import Runtime
from bot.app.server import HttpServer
from bot.app.settings import Settings
from bot.domain.clock import FixedClock
from bot.sandbox.slack_api import FakeSlack
from bot.sandbox.slack_requests import SlackRequests

LOCAL_SIGNING_SECRET = "local-signing-secret-not-for-production"  # noqa: S105
LOCAL_BOT_TOKEN = "xoxb-local-sandbox"  # noqa: S105


def local_settings(database_url: str, slack: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": LOCAL_BOT_TOKEN,
        "slack_signing_secret": LOCAL_SIGNING_SECRET,
        "slack_api_url": slack.api_url,
        "database_url": database_url,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class LocalBot:
    """The bot, served over HTTP on 127.0.0.1, talking to a fake Slack."""

    def __init__(
        self,
        database_url: str,
        *,
        clock: FixedClock | None = None,
        support: Any = None,
        settings: dict[str, Any] | None = None,
        slack: FakeSlack | None = None,
        port: int = 0,
        health: Any = None,
        restore_drills: Any = None,
    ) -> None:
        self._owns_slack = slack is None
        self.slack = slack or FakeSlack().start()
        self.clock = clock or FixedClock(datetime.now(UTC).replace(microsecond=0))
        self.settings = local_settings(database_url, self.slack, **(settings or {}))
        self.runtime = Runtime.build(
            self.settings,
            clock=self.clock,
            support=support,
            health=health,
            restore_drills=restore_drills,
        )
        self.server = HttpServer(self.runtime, host="127.0.0.1", port=port, threads=8).start()
        secret = self.settings.slack_signing_secret.get_secret_value()  # type: ignore[union-attr]
        self.requests = SlackRequests(
            f"{self.server.url}/slack/events", secret, response_url=self.slack.response_url
        )

    @property
    def ctx(self) -> Any:
        return self.runtime.ctx

    @property
    def db(self) -> Any:
        return self.runtime.db

    def settle(self) -> None:
        """Wait for the work the bot does after acknowledging (deterministic, no sleeps)."""
        if not self.runtime.background.wait_idle(30):
            raise TimeoutError("work after the acknowledgement did not finish in 30 s")

    def close(self) -> None:
        self.server.close()
        self.runtime.close()
        if self._owns_slack:
            self.slack.stop()
