"""`warroom serve` and `warroom socket`: start, wait for what is not up yet, stop cleanly.

Both build the bot through `Runtime.build`, retried while the database (or, for Socket
Mode, Slack) cannot be reached; both stop on SIGTERM/SIGINT within
`lifecycle.GRACE_SECONDS`, finishing requests and work in flight, and say so in one line.
"""

from __future__ import annotations

import argparse
import logging

from bot.app.lifecycle import (
    GRACE_SECONDS,
    Deadline,
    Shutdown,
    database_unreachable,
    retry_until_up,
)
from bot.app.runtime import Runtime
from bot.app.settings import Settings, SettingsError

log = logging.getLogger("warroom")


def build_runtime(settings: Settings, shutdown: Shutdown, **options: object) -> Runtime:
    """The runtime with its AWS adapters (Support, Health, restore drills: boto3's normal
    chain), once the database answers and is migrated."""
    from bot.aws.health import AwsHealth
    from bot.aws.restore_drill import LazyRestoreDrill
    from bot.aws.support import AwsSupport

    def attempt() -> Runtime:
        return Runtime.build(
            settings,
            support=AwsSupport(),
            health=AwsHealth(),
            restore_drills=LazyRestoreDrill(),
            **options,  # type: ignore[arg-type]
        )

    def transient(error: BaseException) -> str | None:
        reason = database_unreachable(error)
        if reason is not None and settings.database_url.startswith("sqlite"):
            # A SQLite file that cannot be opened does not come back by waiting.
            raise SettingsError(f"DATABASE_URL cannot be opened: {reason}") from None
        return reason

    return retry_until_up("the database", attempt, shutdown, is_transient=transient)


def serve(args: argparse.Namespace, settings: Settings, shutdown: Shutdown) -> int:
    from bot.app.server import Gate, HttpServer

    settings.require("slack_bot_token", "slack_signing_secret")
    gate = Gate()
    try:
        server = HttpServer(gate, host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        where = f"{args.host}:{args.port}"
        raise SettingsError(f"cannot listen on {where} ({error.strerror})") from None
    server.start()
    runtime: Runtime | None = None
    try:
        runtime = build_runtime(settings, shutdown)
        gate.open(runtime)
        runtime.start_jobs()
        shutdown.serving()
        log.info(
            "warroom serving on http://%s:%s (POST /slack/events, GET /healthz, GET /metrics)",
            args.host,
            server.port,
        )
        shutdown.requested.wait()
    finally:
        deadline = Deadline(GRACE_SECONDS)
        requests_done = server.drain(deadline.left())
        work_done = runtime.close(deadline.left()) if runtime else True
        _stopped(shutdown, requests_done and work_done)
    return 0


def socket_mode(args: argparse.Namespace, settings: Settings, shutdown: Shutdown) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackRequestError

    settings.require("slack_bot_token", "slack_app_token")
    token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
    runtime: Runtime | None = None
    handler: SocketModeHandler | None = None
    try:
        runtime = build_runtime(settings, shutdown, require_signing_secret=False)
        # The SDK logs a failed connection attempt with its response; we say it in one line.
        sdk_log = logging.getLogger("warroom.socket_mode")
        handler = connecting = SocketModeHandler(runtime.app, token, logger=sdk_log)

        def connect() -> None:
            sdk_log.setLevel(logging.CRITICAL)
            try:
                connecting.connect()  # type: ignore[no-untyped-call]
            except SlackApiError as error:
                code = error.response.get("error") or error.response.status_code
                raise SettingsError(f"SLACK_APP_TOKEN was not accepted by Slack ({code})") from None

        def transient(error: BaseException) -> str | None:
            if isinstance(error, SlackRequestError | OSError):
                return type(error).__name__
            return None

        retry_until_up("Slack's Socket Mode", connect, shutdown, is_transient=transient)
        sdk_log.setLevel(logging.WARNING)
        runtime.start_jobs()
        shutdown.serving()
        log.info("warroom connected to Slack over Socket Mode")
        shutdown.requested.wait()
    finally:
        deadline = Deadline(GRACE_SECONDS)
        if handler is not None:
            # No new events from here; listeners already running finish on bolt's threads.
            handler.client.auto_reconnect_enabled = False
            handler.disconnect()  # type: ignore[no-untyped-call]
        work_done = runtime.close(deadline.left()) if runtime else True
        if handler is not None:
            handler.close()  # type: ignore[no-untyped-call]
        _stopped(shutdown, work_done)
    return 0


def _stopped(shutdown: Shutdown, finished: bool) -> None:
    """The one line at shutdown; none when start-up failed (its error is the one line)."""
    if not shutdown.requested.is_set():
        return
    shutdown.announced = True
    cause = f"on {shutdown.signal_name}"
    if finished:
        log.info("warroom stopped %s; work in flight finished", cause)
    else:
        log.warning(
            "warroom stopped %s; work in flight was cut off after %.0f s (owed Slack posts "
            "stay in the outbox for the next replica)",
            cause,
            GRACE_SECONDS,
        )
