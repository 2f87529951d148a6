"""HTTP mode: one WSGI app with `POST /slack/events`, `GET /healthz`, `GET /metrics` and
the incident pages (`/incidents/INC-N`, bot/web/), served by waitress (multi-threaded, pure
Python) rather than bolt's single-threaded dev server.

The server listens from the first second, before the database or Slack answer: until the
bot is ready (`Gate.open`) every Slack request gets a 503 and one log line, which Slack
retries, instead of a refused connection or a 500 with a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_sdk.errors import SlackApiError, SlackRequestError
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from bot.app import metrics
from bot.app.logs import request_context
from bot.app.runtime import Runtime
from bot.app.slack_request import describe, read_body
from bot.domain.incident import reference
from bot.slack.inbound import SlackHttpEdge
from bot.store.repo import find_incident_by_channel
from bot.web.app import build_pages
from bot.web.pages import is_web_path

EVENTS_PATH = "/slack/events"
StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
SLACK_RECHECK_SECONDS = 2.0
log = logging.getLogger("warroom")


class Gate:
    """Holds the runtime once start-up has built it; before that the bot is not ready."""

    def __init__(self, runtime: Runtime | None = None) -> None:
        self.runtime: Runtime | None = None
        self.slack: SlackHttpEdge | None = None
        self.pages: WsgiApp | None = None
        self.collector: metrics.RuntimeCollector | None = None
        self._slack_checked_at = float("-inf")
        self._lock = threading.Lock()
        if runtime is not None:
            self.open(runtime)

    def open(self, runtime: Runtime) -> None:
        self.collector = metrics.RuntimeCollector(
            runtime.db, lambda: runtime.job_runner, runtime.ctx.clock.now
        )
        secret = runtime.settings.slack_signing_secret
        # The edge checks the signature (401) and the body (4xx) before bolt sees it.
        self.slack = SlackHttpEdge(runtime.app, secret.get_secret_value() if secret else None)
        self.pages = build_pages(runtime.ctx, runtime.settings, runtime.app.client)
        self.runtime = runtime

    def incident_of_channel(self, channel: str) -> str | None:
        """For log lines: the incident whose channel a request came from."""
        if self.runtime is None:
            return None
        with self.runtime.db.transaction() as session:
            incident = find_incident_by_channel(session, channel)
            return reference(incident.number) if incident else None

    def slack_ready(self, runtime: Runtime) -> bool:
        """Slack was unreachable at start-up: check the token (at most every 2 s) before a
        request reaches bolt, which would otherwise fail it with a traceback."""
        if runtime.slack_verified:
            return True
        with self._lock:
            if runtime.slack_verified:
                return True
            if time.monotonic() - self._slack_checked_at < SLACK_RECHECK_SECONDS:
                return False
            self._slack_checked_at = time.monotonic()
            try:
                runtime.app.client.auth_test()
            except SlackApiError as error:
                log.error(
                    "SLACK_BOT_TOKEN was not accepted by Slack (%s)",
                    error.response.get("error") or error.response.status_code,
                )
                return False
            except (SlackRequestError, OSError) as error:
                log.warning("Slack's Web API is still unreachable (%s)", type(error).__name__)
                return False
            runtime.slack_verified = True
            log.info("Slack's Web API answers; the token is accepted")
            return True


def _reply(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _timed_slack(
    gate: Gate,
    runtime: Runtime,
    slack: SlackHttpEdge,
    environ: dict[str, Any],
    start_response: StartResponse,
) -> Iterable[bytes]:
    """bolt answers only once the listener has acknowledged: the time to that answer is the
    ack time Slack sees (less the network). Log lines meanwhile carry the request's ids."""
    started = time.perf_counter()
    kind, context = describe(environ, read_body(environ))
    context.resolve_incident = gate.incident_of_channel
    with request_context(context):
        answer = slack(environ, start_response)
    metrics.observe_ack(kind, time.perf_counter() - started)
    return answer


def _unavailable(start_response: StartResponse, reason: str) -> list[bytes]:
    return _reply(
        start_response, "503 Service Unavailable", {"status": "unavailable", "reason": reason}
    )


def make_wsgi_app(target: Runtime | Gate) -> WsgiApp:
    gate = target if isinstance(target, Gate) else Gate(target)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        runtime, slack = gate.runtime, gate.slack
        if runtime is None or slack is None:
            if path == "/metrics" and method in ("GET", "HEAD"):
                body = metrics.render(None)
                start_response("200 OK", [("Content-Type", metrics.CONTENT_TYPE)])
                return [body]
            if path in ("/healthz", EVENTS_PATH):
                if path == EVENTS_PATH:
                    log.warning("answered 503 to a Slack request: still starting")
                return _unavailable(start_response, "starting")
            return _reply(start_response, "404 Not Found", {"error": "not found"})
        if path == "/healthz" and method in ("GET", "HEAD"):
            if runtime.db.ping():
                return _reply(start_response, "200 OK", {"status": "ok"})
            return _reply(
                start_response,
                "503 Service Unavailable",
                {"status": "unavailable", "reason": "database unreachable"},
            )
        if path == EVENTS_PATH and method == "POST":
            # An unsigned request is a 401 even while Slack is unreachable.
            timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
            if not timestamp.isdigit() or not environ.get("HTTP_X_SLACK_SIGNATURE"):
                return _reply(start_response, "401 Unauthorized", {"error": "invalid request"})
            if not gate.slack_ready(runtime):
                log.warning("answered 503 to a Slack request: Slack's Web API is unreachable")
                return _unavailable(start_response, "slack unreachable")
            return _timed_slack(gate, runtime, slack, environ, start_response)
        if path == "/metrics" and method in ("GET", "HEAD"):
            body = metrics.render(gate.collector)
            start_response(
                "200 OK",
                [("Content-Type", metrics.CONTENT_TYPE), ("Content-Length", str(len(body)))],
            )
            return [body]
        if is_web_path(path) and gate.pages is not None:
            return gate.pages(environ, start_response)
        return _reply(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


class HttpServer:
    """A waitress server that can run in a thread (tests, demo) or in the foreground."""

    def __init__(
        self,
        runtime: Runtime | Gate,
        host: str = "127.0.0.1",
        port: int = 3000,
        threads: int = 16,
    ) -> None:
        self.server = create_server(
            make_wsgi_app(runtime), host=host, port=port, threads=threads, ident="warroom"
        )
        self.host = host
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def run(self) -> None:
        self.server.run()

    def start(self) -> HttpServer:
        """Serve from a background thread (the demo and the tests)."""
        self._thread = threading.Thread(target=self.run, daemon=True, name="warroom-http")
        self._thread.start()
        return self

    def drain(self, grace: float) -> bool:
        """Stop accepting, let requests in flight finish within `grace` seconds, then close.
        True when none was cut off. The loop keeps running meanwhile: it sends the answers."""
        if self._thread is None or not self._thread.is_alive():
            self.close()
            return True
        # Close only the listening socket: waitress's own `close` also closes the trigger
        # that worker threads pull when an answer is ready, and a request finishing then
        # would die on a closed descriptor. `close()` below closes the trigger last.
        listener = self.server
        stop_accepting: Callable[[], object] = (
            (lambda: wasyncore.dispatcher.close(listener))
            if isinstance(listener, BaseWSGIServer)
            else listener.close
        )
        with contextlib.suppress(OSError):
            self.server.trigger.pull_trigger(stop_accepting)  # type: ignore[union-attr]
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self._busy():
            time.sleep(0.02)
        finished = not self._busy()
        self.close()
        return finished

    def _busy(self) -> bool:
        """A request is queued or running, or an answer is not yet sent."""
        dispatcher = self.server.task_dispatcher
        if dispatcher.queue or dispatcher.active_count:
            return True
        channels = list(self.server._map.values())  # type: ignore[union-attr]
        return any(getattr(channel, "total_outbufs_len", 0) for channel in channels)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            # Stop the worker threads first (a running request finishes, queued ones are
            # cancelled), so no task is left serving a channel closed under it.
            self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
            # Close the sockets from inside waitress's own loop, so its select() never sees
            # a descriptor closed under it; the loop ends when nothing is left to watch.
            channels = self.server._map  # type: ignore[union-attr]
            # OSError: the loop already closed its trigger, so it is on its way out.
            with contextlib.suppress(OSError):
                self.server.trigger.pull_trigger(  # type: ignore[union-attr]
                    lambda: [channel.close() for channel in list(channels.values())]
                )
            self._thread.join(timeout=10)
        else:
            self.server.close()
