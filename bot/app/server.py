"""HTTP mode: one WSGI app with `POST /slack/events`, `GET /healthz` and the incident
pages (`/incidents/INC-N`, bot/web/), served by
waitress (multi-threaded, pure Python) rather than bolt's single-threaded dev server."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from waitress.server import create_server

from bot.app.runtime import Runtime
from bot.slack.inbound import SlackHttpEdge
from bot.web.app import build_pages
from bot.web.pages import is_web_path

EVENTS_PATH = "/slack/events"
StartResponse = Callable[..., Any]


def _reply(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def make_wsgi_app(runtime: Runtime) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    secret = runtime.settings.slack_signing_secret
    slack = SlackHttpEdge(runtime.app, secret.get_secret_value() if secret else None)
    pages = build_pages(runtime.ctx, runtime.settings, runtime.app.client)

    def wsgi(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/healthz" and method in ("GET", "HEAD"):
            if runtime.db.ping():
                return _reply(start_response, "200 OK", {"status": "ok"})
            return _reply(
                start_response,
                "503 Service Unavailable",
                {"status": "unavailable", "reason": "database unreachable"},
            )
        if path == EVENTS_PATH and method == "POST":
            # The edge checks the signature (401) and the body (4xx) before bolt sees it.
            return slack(environ, start_response)
        if is_web_path(path):
            return pages(environ, start_response)
        return _reply(start_response, "404 Not Found", {"error": "not found"})

    return wsgi


class HttpServer:
    """A waitress server that can run in a thread (tests, demo) or in the foreground."""

    def __init__(
        self, runtime: Runtime, host: str = "127.0.0.1", port: int = 3000, threads: int = 16
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

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            # Close the sockets from inside waitress's own loop, so its select() never sees
            # a descriptor closed under it; the loop ends when nothing is left to watch.
            channels = self.server._map  # type: ignore[union-attr]
            # OSError: the loop already closed its trigger, so it is on its way out.
            with contextlib.suppress(OSError):
                self.server.trigger.pull_trigger(  # type: ignore[union-attr]
                    lambda: [channel.close() for channel in list(channels.values())]
                )
            self._thread.join(timeout=10)
            self.server.task_dispatcher.shutdown()
        else:
            self.server.close()
