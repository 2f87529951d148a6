"""The few HTTP pieces the pages need, over plain WSGI: a parsed request, responses with
the pages' security headers, cookies with the right flags."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs

StartResponse = Callable[..., Any]

# No inline script, no outside asset; the page's own script and styles only.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Signed links carry their token in the query: never hand it to another site.
    ("Referrer-Policy", "no-referrer"),
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    cookies: dict[str, str]

    @classmethod
    def of(cls, environ: dict[str, Any]) -> Request:
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        jar: SimpleCookie = SimpleCookie()
        with contextlib.suppress(CookieError):
            jar.load(environ.get("HTTP_COOKIE", ""))
        return cls(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=environ.get("PATH_INFO", ""),
            query=query,
            cookies={k: morsel.value for k, morsel in jar.items()},
        )


@dataclass
class Response:
    status: str
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cache: str = "no-store"

    def __call__(self, start_response: StartResponse) -> Iterable[bytes]:
        headers = [
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            ("Cache-Control", self.cache),
            *SECURITY_HEADERS,
            *self.headers,
        ]
        start_response(self.status, headers)
        return [self.body]


def html(body: str, status: str = "200 OK") -> Response:
    return Response(status, body.encode("utf-8"))


def as_json(payload: dict[str, Any], status: str = "200 OK") -> Response:
    return Response(status, json.dumps(payload).encode(), "application/json")


def text(message: str, status: str) -> Response:
    return Response(status, message.encode(), "text/plain; charset=utf-8")


def redirect(location: str, cookies: Iterable[str] = ()) -> Response:
    headers = [("Location", location), *(("Set-Cookie", c) for c in cookies)]
    return Response("302 Found", b"", "text/plain", headers)


def cookie(name: str, value: str, *, max_age: int, secure: bool, path: str = "/") -> str:
    """HttpOnly and SameSite=Lax always (Lax: the sign-in redirect back from Slack is a
    top-level GET, which still carries it); Secure when the public URL is https."""
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
