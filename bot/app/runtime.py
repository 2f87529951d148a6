"""Wires settings into a running bot: database, Slack client, ports, bolt app, jobs.

`serve`, `socket`, `demo` and the tests all build the bot through `Runtime`, so they run
the same code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.app.background import BackgroundWork
from bot.app.jobs import Job, JobRunner
from bot.app.metrics import count_slack_call
from bot.app.settings import Settings, SettingsError
from bot.aws.readiness_report import readiness_builder
from bot.domain.clock import Clock, SystemClock
from bot.domain.runbooks import RunbookError
from bot.runbooks.library import RunbookLibrary
from bot.services import capture_retry, declarations, event_claims, outbox
from bot.services.context import Policy, ServiceContext
from bot.services.health_poller import poll_health, watch_health_after_declare
from bot.services.nudges import find_and_send_nudges
from bot.services.ports import Health, RestoreDrills, SlackAccess, Support
from bot.services.restore_drills import last_successful_drills
from bot.services.support import check_plan_after_declare
from bot.services.support_poller import poll_support_cases
from bot.services.update_reminders import find_and_send_reminders
from bot.slack.app import build_app
from bot.slack.chat import SlackChat, make_web_client
from bot.slack.commands.runbooks import post_matching_runbooks
from bot.slack.declaration_notices import SlackDeclarationNotices
from bot.slack.roster_listeners import render_nudge
from bot.slack.update_render import render_reminder
from bot.store.db import Database
from bot.web.links import page_links_from

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
        support: Support | None = None,
        health: Health | None = None,
        restore_drills: RestoreDrills | None = None,
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
        assert settings.slack_bot_token is not None  # required above
        token = settings.slack_bot_token.get_secret_value()
        timeout = settings.warroom_slack_timeout_seconds
        slack_access = SlackAccess()
        client = make_web_client(
            token,
            settings.slack_api_url,
            timeout=timeout,
            access=slack_access,
            on_call=count_slack_call,
        )
        # Declaration steps and the outbox job reschedule a rate-limited call instead of
        # sleeping out Retry-After in a thread.
        durable_client = make_web_client(
            token,
            settings.slack_api_url,
            timeout=timeout,
            wait_on_ratelimit=False,
            access=slack_access,
            on_call=count_slack_call,
        )
        clock = clock or SystemClock()
        chat = SlackChat(client, slack_access)
        ctx = ServiceContext(
            db=db,
            clock=clock,
            chat=chat,
            durable_chat=SlackChat(durable_client, slack_access),
            declaration_notices=SlackDeclarationNotices(chat),
            policy=policy_from(settings),
            support=support,
            runbooks=load_runbook_library(settings.warroom_runbooks_dir),
            readiness=readiness_builder(
                clock,
                support=support,
                drill_history=lambda tables: last_successful_drills(db, tables),
            ),
            render_nudge=render_nudge,
            after_declare=(
                check_plan_after_declare,
                post_matching_runbooks,
                watch_health_after_declare,
            ),
            page_links=page_links_from(settings),
            health=health,
            restore_drills=restore_drills,
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
        return cls(settings, db, ctx, background, app, jobs_of(ctx), slack_verified=verify_token)

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
        public_url=settings.warroom_public_url,
        stakeholder_channel=settings.warroom_stakeholder_channel,
        update_minutes=dict(settings.warroom_update_minutes),
        aws_regions=settings.warroom_aws_regions,
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
        Job(
            "outbox",
            15,
            lambda: _deliver_pending(ctx),
            next_in=lambda: _seconds_until(ctx, outbox.next_due(ctx.db)),
        ),
        Job(
            "declarations",
            declarations.JOB_PERIOD,
            lambda: declarations.run_due(ctx),
            next_in=lambda: declarations.seconds_until_due(ctx),
            wakeup=ctx.declarations_wakeup,
        ),
        Job(
            "capture-text",
            15,
            lambda: capture_retry.run_due(ctx),
            next_in=lambda: capture_retry.seconds_until_due(ctx),
        ),
        Job("prune-event-ids", 3600, lambda: event_claims.prune(ctx)),
        Job("support-poll", ctx.policy.support_poll_seconds, lambda: poll_support_cases(ctx)),
        Job("health-poll", ctx.policy.support_poll_seconds, lambda: poll_health(ctx)),
        Job("nudges", 60, lambda: find_and_send_nudges(ctx)),
        # A reminder goes out within 20 s of its interval passing (the claim is cheap).
        Job("update-reminders", 20, lambda: find_and_send_reminders(ctx, render_reminder)),
    ]


def _seconds_until(ctx: ServiceContext, due: datetime | None) -> float | None:
    return None if due is None else (due - ctx.clock.now()).total_seconds()


def _deliver_pending(ctx: ServiceContext) -> None:
    """Paused while Slack access is revoked: every try would fail and use up the posts'
    attempts; they go out once warroom runs with a working token."""
    if ctx.slack_access.stopped() is None:
        outbox.deliver_pending(ctx.db, ctx.step_chat, ctx.clock)


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
