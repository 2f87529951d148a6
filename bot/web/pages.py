"""The web routes of `warroom serve`: the live incident page, its poll, its static files and
Sign in with Slack.

Who may see a page: the holder of a signed link for that incident (24 hours), or a member
of the workspace signed in with Slack. Anyone else gets 403, or with sign-in configured, a
redirect to it. A tampered or expired link is refused outright (403), never "upgraded".
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.domain.errors import NotFound
from bot.domain.incident import reference
from bot.services import incident_page
from bot.services.context import ServiceContext
from bot.web import http
from bot.web.links import Signer
from bot.web.render import (
    EXPORT_CSS,
    STATIC,
    Live,
    render_live,
    render_page,
    render_refusal,
)
from bot.web.signin import SESSION_COOKIE, SignIn

_PAGE = re.compile(r"^/incidents/INC-(\d{1,9})(/state)?$")
_STATIC = {
    "/static/postmortem.css": (EXPORT_CSS, "text/css; charset=utf-8"),
    "/static/page.css": (STATIC / "page.css", "text/css; charset=utf-8"),
    "/static/page.js": (STATIC / "page.js", "text/javascript; charset=utf-8"),
}
CACHE_SIZE = 64
WebApp = Callable[[dict[str, Any], http.StartResponse], Iterable[bytes]]


@dataclass(frozen=True)
class Access:
    allowed: bool
    viewer: str = ""
    token: str | None = None


def is_web_path(path: str) -> bool:
    return path.startswith(("/incidents/", "/static/", "/signin"))


class Pages:
    def __init__(self, ctx: ServiceContext, signer: Signer | None, signin: SignIn | None) -> None:
        self.ctx = ctx
        self.signer = signer
        self.signin = signin
        self._cache: dict[tuple[int, str, int], Live] = {}
        self._lock = threading.Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: http.StartResponse
    ) -> Iterable[bytes]:
        return self.handle(http.Request.of(environ))(start_response)

    def handle(self, request: http.Request) -> http.Response:
        if request.method not in ("GET", "HEAD") and not request.path.startswith("/signin"):
            return http.text("method not allowed", "405 Method Not Allowed")
        if request.path in _STATIC:
            path, ctype = _STATIC[request.path]
            return http.Response("200 OK", path.read_bytes(), ctype, cache="public, max-age=300")
        if request.path.startswith("/signin"):
            if self.signin is None:
                return http.text("not found", "404 Not Found")
            return self.signin.handle(request)
        match = _PAGE.match(request.path)
        if match is None:
            return http.text("not found", "404 Not Found")
        number = int(match.group(1))
        access = self.access(request, number)
        if not access.allowed:
            return self.refuse(request, number, state=bool(match.group(2)))
        try:
            if match.group(2):
                return self.state(request, number)
            live = self.live(number, incident_page.page_version(self.ctx, number))
        except NotFound as error:
            return http.text(error.user_message, "404 Not Found")
        state_url = f"/incidents/{reference(number)}/state"
        if access.token:
            state_url += f"?token={quote(access.token)}"
        body = render_page(live, zones=self.zones(), state_url=state_url, viewer=access.viewer)
        return http.html(body)

    def live(self, number: int, version: str) -> Live:
        """Rendered once per change (and at most once a minute, for the growing "time as
        needed"), however many people have the page open."""
        minute = int(self.ctx.clock.now().timestamp()) // 60
        with self._lock:
            cached = self._cache.get((number, version, minute))
        if cached is not None:
            return cached
        live = render_live(incident_page.load_page(self.ctx, number), zones=self.zones())
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[(number, live.version, minute)] = live
        return live

    def zones(self) -> list[str]:
        return [z for z in self.ctx.policy.team_timezones if z not in ("UTC", "Etc/UTC")]

    def access(self, request: http.Request, number: int) -> Access:
        if self.signer is None:
            return Access(False)
        token = request.query.get("token")
        if token is not None:
            if self.signer.link_opens(token, number):
                return Access(True, f"Signed link for {reference(number)}", token)
            return Access(False)
        session = request.cookies.get(SESSION_COOKIE)
        if session and self.signin is not None:
            member = self.signin.member(session)
            if member is not None:
                return Access(True, f"Signed in as {member}")
        return Access(False)

    def refuse(self, request: http.Request, number: int, *, state: bool) -> http.Response:
        has_token = "token" in request.query
        if state:
            return http.as_json({"error": "forbidden"}, "403 Forbidden")
        if self.signin is not None and not has_token:
            return http.redirect(self.signin.start_url(f"/incidents/{reference(number)}"))
        message = (
            "This link is not valid (changed, expired after 24 hours, or for another "
            "incident). Ask for a new one with /incident page in the incident channel."
            if has_token
            else "Open it with a signed link from /incident page in the incident channel."
        )
        signin_url = (
            self.signin.start_url(f"/incidents/{reference(number)}") if self.signin else None
        )
        return http.html(render_refusal(message, signin_url), "403 Forbidden")

    def state(self, request: http.Request, number: int) -> http.Response:
        version = incident_page.page_version(self.ctx, number)
        if request.query.get("since") == version:
            return http.as_json({"version": version, "changed": False})
        live = self.live(number, version)
        return http.as_json({"version": live.version, "changed": True, "html": str(live.html)})
