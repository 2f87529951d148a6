"""Every request bolt dispatches passes through `Gate`: user text is cleaned, and each
Events API event is applied exactly once in effect.

Events arrive at least once: Slack retries an answer that is late or not a 2xx, and N
replicas may each get a copy. An event id is claimed before the work and counts as seen
only once the work committed (`bot.services.event_claims`): a copy of an applied event is
answered 200 and dropped, a failed one is released so Slack's next delivery applies it.
This wraps bolt's `App.dispatch`, not a bolt middleware: a middleware runs before the
listener, so it cannot know whether the listener's work committed.

Also here: every event type gets its 200 (unused ones are ignored, so Slack does not
retry them), and `tokens_revoked` / `app_uninstalled` stop Slack calls for the workspace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse

from bot.domain.errors import NotStored
from bot.domain.text_clean import clean_text
from bot.services import event_claims
from bot.services.context import ServiceContext
from bot.services.event_claims import Outcome
from bot.services.retry import is_transient
from bot.slack.chat import GuardedWebClient

log = logging.getLogger(__name__)
Dispatch = Callable[[BoltRequest], BoltResponse]


def clean_payload(value: Any) -> Any:
    """Every string in a request without control characters or bidi overrides: user text
    (commands, modal inputs, shortcut and event text) is stored as it is cleaned here, so
    PostgreSQL never sees a NUL."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: clean_payload(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_payload(item) for item in value]
    return value


class Gate:
    """Wraps `App.dispatch` (HTTP and Socket Mode alike)."""

    def __init__(self, ctx: ServiceContext, busy_wait_seconds: float = 2.0) -> None:
        self.ctx = ctx
        # How long a copy waits for another copy of the same event to finish; Slack's
        # answer budget is 3 s.
        self.busy_wait_seconds = busy_wait_seconds

    def __call__(self, request: BoltRequest, dispatch: Dispatch) -> BoltResponse:
        request.body = clean_payload(request.body)
        body = request.body
        if body.get("type") == "app_rate_limited":
            log.warning(
                "Slack is dropping events for workspace %s: warroom went over the Events API "
                "rate limit in minute %s",
                body.get("team_id"),
                body.get("minute_rate_limited"),
            )
            return BoltResponse(status=200, body="")
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return dispatch(request)
        return self._once(str(event_id), request, dispatch)

    def _once(self, event_id: str, request: BoltRequest, dispatch: Dispatch) -> BoltResponse:
        retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]
        try:
            held = event_claims.claim(self.ctx, event_id, wait_seconds=self.busy_wait_seconds)
        except NotStored:
            # Logged by the retry; not a 2xx, so Slack delivers the event again.
            return BoltResponse(status=503, body="")
        if held.outcome is Outcome.DONE:
            log.info("event %s already applied; dropping delivery %s", event_id, retry)
            return BoltResponse(status=200, body="")
        if held.outcome is Outcome.BUSY:
            log.info("event %s is being applied elsewhere; Slack will deliver it again", event_id)
            return BoltResponse(status=503, body="")
        applied = False
        try:
            response = dispatch(request)
            applied = response.status < 300
            return response
        finally:
            try:
                if applied:
                    event_claims.complete(self.ctx, held)
                else:
                    event_claims.release(self.ctx, held)
            except NotStored:
                # The claim's lease runs out; Slack's next delivery finds it and, if the
                # work did not commit, applies the event.
                log.error("could not settle the claim on event %s", event_id)


def on_listener_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
    """One error path for every listener: a database that did not answer is one log line
    and a 503 (Slack retries an event; the work rolled back), anything else a traceback."""
    if isinstance(error, NotStored) or is_transient(error):
        log.warning(
            "database unavailable for a %s request; nothing was stored (%s)",
            body.get("type") or body.get("command") or "Slack",
            type(error).__name__,
        )
        return BoltResponse(status=503, body="")
    log.error("a listener failed", exc_info=error)
    return None


def make_client_guard(ctx: ServiceContext) -> Callable[..., None]:
    """bolt hands each listener a fresh WebClient; once access is revoked, it gets one
    that refuses every call instead."""

    def guard(context: BoltContext, next: Callable[[], None]) -> None:
        if ctx.slack_access.stopped() is not None:
            context["client"] = GuardedWebClient(ctx.slack_access)
        next()

    return guard


def register_listeners(app: App, ctx: ServiceContext) -> None:
    """The workspace's own events. `ignore_the_rest` must be registered after every other
    event listener: bolt runs the first one that matches."""

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], body: dict[str, Any]) -> None:
        tokens = event.get("tokens")
        if isinstance(tokens, dict) and not tokens.get("bot"):
            return  # only user tokens went; the bot's still works
        _stop(ctx, body, "its bot token was revoked (tokens_revoked)")

    @app.event("app_uninstalled")
    def app_uninstalled(body: dict[str, Any]) -> None:
        _stop(ctx, body, "the app was uninstalled (app_uninstalled)")


def ignore_the_rest(app: App) -> None:
    """Every other event type (`app_mention` included) gets its 200 and nothing else."""

    @app.event(re.compile(".*"))
    def ignore(event: dict[str, Any]) -> None:
        log.debug("ignoring a %s event", event.get("type"))


def _stop(ctx: ServiceContext, body: dict[str, Any], why: str) -> None:
    team = str(body.get("team_id") or "")
    if ctx.slack_access.stop(team, why):
        log.warning(
            "Slack workspace %s: %s; warroom makes no more Slack calls for it until it is "
            "reinstalled and warroom restarted with the new token",
            team or "(unknown)",
            why,
        )
