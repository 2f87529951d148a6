"""Wires settings into a running bot: database, Slack client, ports, bolt app, jobs.

`serve`, `socket`, `demo` and the tests all build the bot through `Runtime`, so they run
the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.app.background import BackgroundWork
from bot.app.jobs import Job, JobRunner
from bot.app.metrics import count_slack_call
from bot.app.settings import Settings, SettingsError
from bot.aws.readiness_report import readiness_builder
from bot.domain.clock import Clock, SystemClock
from bot.services import outbox
from bot.services.context import Policy, ServiceContext
from bot.services.nudges import nudge_job
from bot.services.runbooks import load_runbook_library
from bot.services.support import check_plan_after_declare
from bot.services.support_poller import support_poll_job
from bot.slack.app import build_app
from bot.slack.chat import SlackChat, make_web_client
from bot.slack.commands.runbooks import post_matching_runbooks
from bot.slack.events import prune_processed_events
from bot.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    db: Database
    ctx: ServiceContext
    background: BackgroundWork
    app: App
    jobs: list[Job] = field(default_factory=list)
    # False when Slack could not be reached at start-up: the HTTP server checks the token
    # before it hands bolt a request (bolt would answer 500 with a traceback).
    slack_verified: bool = True
    _runner: JobRunner | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        support: Any = None,
        verify_token: bool = True,
        require_signing_secret: bool = True,
        migrate: bool = True,
    ) -> Runtime:
        settings.require("slack_bot_token")
        if require_signing_secret:
            settings.require("slack_signing_secret")
        db = Database(settings.database_url)
        try:
            if migrate:
                db.upgrade()
        except BaseException:
            db.dispose()  # start-up retries: leave no pool behind
            raise
        token = settings.slack_bot_token.get_secret_value()  # type: ignore[union-attr]
        client = make_web_client(token, settings.slack_api_url, on_call=count_slack_call)
        chat = SlackChat(client)
        ctx = ServiceContext(
            db=db,
            clock=clock or SystemClock(),
            chat=chat,
            policy=Policy.from_settings(settings),
            support=support,
        )
        ctx.extras.setdefault("after_declare", []).append(check_plan_after_declare)
        ctx.extras["runbooks"] = load_runbook_library(ctx.policy.runbooks_dir)
        ctx.extras["after_declare"].append(post_matching_runbooks)
        ctx.extras["readiness"] = readiness_builder(ctx.clock, support=ctx.support)
        background = BackgroundWork()
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        )
        if verify_token:
            verify_token = _slack_reachable(client)
        app = build_app(
            ctx, background, client=client, signing_secret=secret, verify_token=verify_token
        )
        jobs = [
            Job("outbox", 15, lambda: outbox.deliver_pending(db, chat, ctx.clock)),
            Job("prune-event-ids", 3600, lambda: prune_processed_events(ctx)),
            support_poll_job(ctx),
            nudge_job(ctx),
        ]
        return cls(settings, db, ctx, background, app, jobs, slack_verified=verify_token)

    @property
    def job_runner(self) -> JobRunner | None:
        return self._runner

    def start_jobs(self) -> None:
        self._runner = JobRunner(self.jobs)
        self._runner.start()

    def close(self, grace: float = 10.0) -> bool:
        """Stop the jobs, let work after acknowledgements finish within `grace` seconds,
        then drop the rest (owed posts stay in the outbox). True when nothing was cut off."""
        if self._runner:
            self._runner.stop()
        idle = self.background.wait_idle(grace)
        self.background.shutdown()
        self.db.dispose()
        return idle


def _slack_reachable(client: WebClient) -> bool:
    """Check the token once at start-up.

    A token Slack rejects stops start-up with one line. A Slack that cannot be reached is
    no reason to stay down: the bot starts and bolt checks the token on the first request.
    """
    try:
        client.auth_test()
    except SlackApiError as error:
        code = error.response.get("error") or error.response.status_code
        raise SettingsError(f"SLACK_BOT_TOKEN was not accepted by Slack ({code})") from None
    except (SlackRequestError, OSError) as error:
        log.warning(
            "Slack's Web API is not reachable at start-up (%s); the token is checked "
            "on the first request",
            type(error).__name__,
        )
        return False
    return True
