"""Wires settings into a running bot: database, Slack client, ports, bolt app, jobs.

`serve`, `socket`, `demo` and the tests all build the bot through `Runtime`, so they run
the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.app.background import BackgroundWork
from bot.app.jobs import Job, JobRunner
from bot.app.settings import Settings, SettingsError
from bot.aws.readiness_report import readiness_builder
from bot.domain.clock import Clock, SystemClock
from bot.domain.runbooks import RunbookError
from bot.runbooks.library import RunbookLibrary
from bot.services import event_claims, outbox
from bot.services.context import Policy, ServiceContext
from bot.services.nudges import nudge_job
from bot.services.ports import SlackAccess, Support
from bot.services.support import check_plan_after_declare
from bot.services.support_poller import support_poll_job
from bot.slack.app import build_app
from bot.slack.chat import SlackChat, make_web_client
from bot.slack.commands.runbooks import post_matching_runbooks
from bot.slack.roster_listeners import render_nudge
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
    _runner: JobRunner | None = None

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        support: Support | None = None,
        verify_token: bool = True,
        require_signing_secret: bool = True,
        migrate: bool = True,
    ) -> Runtime:
        settings.require("slack_bot_token")
        if require_signing_secret:
            settings.require("slack_signing_secret")
        db = Database(settings.database_url)
        if migrate:
            db.upgrade()
        assert settings.slack_bot_token is not None  # required above
        token = settings.slack_bot_token.get_secret_value()
        slack_access = SlackAccess()
        client = make_web_client(token, settings.slack_api_url, slack_access)
        clock = clock or SystemClock()
        ctx = ServiceContext(
            db=db,
            clock=clock,
            chat=SlackChat(client, slack_access),
            policy=policy_from(settings),
            support=support,
            runbooks=load_runbook_library(settings.warroom_runbooks_dir),
            readiness=readiness_builder(clock, support=support),
            render_nudge=render_nudge,
            after_declare=(check_plan_after_declare, post_matching_runbooks),
            slack_access=slack_access,
        )
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
        return cls(settings, db, ctx, background, app, jobs_of(ctx))

    def start_jobs(self) -> None:
        self._runner = JobRunner(self.jobs)
        self._runner.start()

    def close(self) -> None:
        if self._runner:
            self._runner.stop()
        self.background.wait_idle(10)
        self.background.shutdown()
        self.db.dispose()


def policy_from(settings: Settings) -> Policy:
    """The settings services act on, without the secrets."""
    return Policy(
        team_timezones=settings.warroom_team_timezones,
        admins=settings.warroom_admins,
        channel_prefix=settings.warroom_channel_prefix,
        support_cc=settings.warroom_support_cc,
        support_service_code=settings.warroom_support_service_code,
        support_category_code=settings.warroom_support_category_code,
        nudge_minutes=settings.warroom_nudge_minutes,
        support_poll_seconds=settings.warroom_support_poll_seconds,
        runbooks_dir=settings.warroom_runbooks_dir,
    )


def load_runbook_library(runbooks_dir: str | None) -> RunbookLibrary:
    """The shipped runbooks plus the team's folder; any problem stops start-up.

    Raises `SettingsError` (what start-up reports and stops on) whose message lists every
    broken file with its line, so an operator fixes them all in one pass.
    """
    extra = Path(runbooks_dir).expanduser() if runbooks_dir else None
    try:
        return RunbookLibrary.load(extra)
    except RunbookError as error:
        raise SettingsError(error.user_message) from None


def jobs_of(ctx: ServiceContext) -> list[Job]:
    """Every periodic job of a replica, in one list."""
    return [
        Job("outbox", 15, lambda: _deliver_pending(ctx)),
        Job("prune-event-ids", 3600, lambda: event_claims.prune(ctx)),
        support_poll_job(ctx),
        nudge_job(ctx),
    ]


def _deliver_pending(ctx: ServiceContext) -> None:
    """Paused while Slack access is revoked: every try would fail and use up the posts'
    attempts; they go out once warroom runs with a working token."""
    if ctx.slack_access.stopped() is None:
        outbox.deliver_pending(ctx.db, ctx.chat, ctx.clock)


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
