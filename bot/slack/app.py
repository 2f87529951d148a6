"""Builds the bolt App. Nothing happens at import time: the App is made by `build_app`
when a process starts, after its settings and its Slack endpoint are known."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.services.context import ServiceContext
from bot.slack import events
from bot.slack.commands.registry import Registry
from bot.slack.dispatch import make_command_listener
from bot.slack.features import feature_modules
from bot.slack.followup import FollowUps, WorkPool

log = logging.getLogger(__name__)


class WarroomApp(App):
    """bolt's App, with every dispatch (HTTP and Socket Mode) passing through
    `events.Gate`: user text cleaned, each event applied once in effect."""

    gate: events.Gate | None = None

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        if self.gate is None:
            return super().dispatch(req)
        return self.gate(req, super().dispatch)


def build_registry() -> Registry:
    registry = Registry()
    for module in feature_modules():
        register = getattr(module, "register", None)
        if register is not None:
            register(registry)
    return registry


def build_app(
    ctx: ServiceContext,
    background: WorkPool,
    *,
    client: Any,
    signing_secret: str | None,
    verify_token: bool = True,
) -> App:
    """`process_before_response=True`: the listener acks within a few milliseconds and the
    rest runs on `background` through `FollowUps`, which also works in Socket Mode."""
    with _without_bolt_oauth_env():
        app = WarroomApp(
            client=client,
            signing_secret=signing_secret,
            request_verification_enabled=signing_secret is not None,
            token_verification_enabled=verify_token,
            process_before_response=True,
            logger=_bolt_logger(),
        )
    registry = build_registry()
    followups = FollowUps(ctx, background)
    app.gate = events.Gate(ctx)
    app.error(events.on_listener_error)
    app.middleware(events.make_client_guard(ctx))
    app.command("/incident")(make_command_listener(ctx, registry, followups))
    events.register_listeners(app, ctx)
    for module in feature_modules():
        listeners = getattr(module, "register_listeners", None)
        if listeners is not None:
            listeners(app, ctx, followups)
    events.ignore_the_rest(app)  # last: bolt runs the first listener that matches
    return app


_ENV_LOCK = threading.Lock()
_BOLT_OAUTH_ENV = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@contextlib.contextmanager
def _without_bolt_oauth_env() -> Iterator[None]:
    """bolt's App() turns on multi-workspace OAuth by itself when SLACK_CLIENT_ID and
    SLACK_CLIENT_SECRET are both in the environment (`oauth_settings=None` does not stop
    it: it only checks for None), then drops the bot token and every command fails
    authorization. warroom is a single-workspace bot (its sign-in uses
    WARROOM_SIGNIN_CLIENT_*), so the App is built without those two variables in sight."""
    with _ENV_LOCK:
        saved = {name: os.environ.pop(name) for name in _BOLT_OAUTH_ENV if name in os.environ}
        try:
            yield
        finally:
            os.environ.update(saved)


def _bolt_logger() -> logging.Logger:
    """bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns
    that it is unused; the client carries that same token, so the warning only misleads."""
    logger = logging.getLogger("warroom.bolt")
    skipped = warning_client_prioritized_and_token_skipped()
    if not any(isinstance(f, _DropMessage) for f in logger.filters):
        logger.addFilter(_DropMessage(skipped))
    return logger


class _DropMessage(logging.Filter):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message
