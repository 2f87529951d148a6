"""The HTTP edge of `POST /slack/events`: check, read and parse what Slack sends, before
bolt sees it.

Why not bolt's own WSGI adapter: its `parse_body` answers `{}` for any form body holding
the word "payload" without a `payload=` field, so `/incident log webhook payload rejected`
reached no listener (404); and a signed but malformed body (invalid JSON, a JSON array,
raw `\\xff`) made it raise (500, with a traceback). Here:

- the signature and timestamp are checked first, on the raw bytes: anything forged,
  stale or unsigned is 401 whatever its body;
- the body is parsed by its content type (a slash command as a form, an interaction as a
  form with a JSON `payload`, an event as JSON) into a JSON object with the fields the
  listeners read, else 400 (415, 413) and one log line;
- bolt gets a request whose body is already parsed (its verification still runs on the
  raw text).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext, BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request.internals import build_context

log = logging.getLogger(__name__)

# Slack's largest payloads (a modal's state, a long message event) are tens of kilobytes.
MAX_BODY_BYTES = 512 * 1024
MAX_CLOCK_SKEW = 300  # seconds: Slack's own rule for a request's timestamp
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_SURROGATE = re.compile("[\ud800-\udfff]")
StartResponse = Callable[..., Any]


class Refused(Exception):
    """A request warroom will not pass on; `status` is its 4xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class SlackHttpEdge:
    """A WSGI app for Slack's requests (the part of `warroom serve` behind its path)."""

    def __init__(
        self,
        app: App,
        signing_secret: str | None,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.secret = signing_secret
        self.max_body_bytes = max_body_bytes
        self.now = now

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            request = self.read(environ)
        except Refused as refused:
            log.warning("refused a Slack request (HTTP %d): %s", refused.status, refused.reason)
            body = json.dumps({"error": refused.reason}).encode()
            start_response(
                f"{refused.status} {_REASONS.get(refused.status, 'Bad Request')}",
                [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
            )
            return [body]
        answer = self.app.dispatch(request)
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def read(self, environ: dict[str, Any]) -> BoltRequest:
        raw = self._body(environ)
        headers = WsgiHttpRequest(environ).get_headers()
        self._verify(raw, environ)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the body is not UTF-8") from None
        content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        body = parse(text, content_type)
        request = BoltRequest(body="", query=environ.get("QUERY_STRING", ""), headers=headers)
        request.raw_body = text  # bolt verifies the signature on this
        request.body = body
        request.context = build_context(BoltContext({}), body)
        return request

    def _body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise Refused(400, "Content-Length is not a number") from None
        if length > self.max_body_bytes:
            raise Refused(413, f"the body is over {self.max_body_bytes} bytes")
        stream = environ.get("wsgi.input")
        return stream.read(length) if stream is not None and length > 0 else b""

    def _verify(self, raw: bytes, environ: dict[str, Any]) -> None:
        if self.secret is None:  # no signing secret configured: bolt does not verify either
            return
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or "")
        given = str(environ.get("HTTP_X_SLACK_SIGNATURE") or "")
        if not timestamp.isdigit() or not given:
            raise Refused(401, "invalid request")
        if abs(self.now() - int(timestamp)) > MAX_CLOCK_SKEW:
            raise Refused(401, "invalid request")
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given):
            raise Refused(401, "invalid request")


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    413: "Content Too Large",
    415: "Unsupported Media Type",
}


def parse(text: str, content_type: str) -> dict[str, Any]:
    """The body as the JSON object bolt's listeners read. Raises `Refused` (4xx)."""
    if content_type == JSON:
        body = _json_object(text, "the body")
    elif content_type == FORM:
        try:
            form = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "the form is not valid UTF-8") from None
        if "payload" in form:
            body = _json_object(form["payload"], "the payload field")
        elif "ssl_check" in form:
            body = form
        else:
            body = form
            _require(body, "a slash command", "command", "user_id", "channel_id")
    else:
        raise Refused(415, f"unsupported content type {content_type or '(none)'}")
    if _has_surrogate(body):
        raise Refused(400, "the body holds an unpaired UTF-16 surrogate")
    _check_shape(body)
    return body


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(400, f"{what} is not valid JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is a JSON {type(value).__name__}, not an object")
    return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _require(body: dict[str, Any], what: str, *fields: str) -> None:
    for name in fields:
        if not isinstance(body.get(name), str) or not body[name]:
            raise Refused(400, f"{what} without `{name}`")


def _require_object(body: dict[str, Any], what: str, name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise Refused(400, f"{what} without `{name}`")
    return value


def _check_shape(body: dict[str, Any]) -> None:
    """The fields every listener of a kind reads, so a listener never meets a body it
    cannot read (that would be a 500 with a traceback)."""
    if "command" in body or "ssl_check" in body:
        if not isinstance(body.get("text", ""), str):
            raise Refused(400, "a slash command whose text is not a string")
        return
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise Refused(400, "a request without a `type`")
    if kind == "event_callback":
        event = _require_object(body, "an event callback", "event")
        _require(event, "an event", "type")
        _require(body, "an event callback", "event_id")
    elif kind == "url_verification":
        _require(body, "a URL verification", "challenge")
    elif kind in ("block_actions", "view_submission", "view_closed", "message_action", "shortcut"):
        user = _require_object(body, f"a {kind} payload", "user")
        _require(user, f"a {kind} payload's user", "id")
        if kind == "block_actions":
            actions = body.get("actions")
            if (
                not isinstance(actions, list)
                or not actions
                or not all(
                    isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
                )
            ):
                raise Refused(400, "a block_actions payload without `actions`")
        elif kind.startswith("view_"):
            view = _require_object(body, f"a {kind} payload", "view")
            _require(view, f"a {kind} payload's view", "id", "callback_id")
            state = view.get("state", {"values": {}})
            values = state.get("values", {}) if isinstance(state, dict) else None
            # Slack's shape: {block_id: {action_id: {"type": ..., "value": ...}}}.
            if not isinstance(values, dict) or not all(
                isinstance(block, dict) and all(isinstance(a, dict) for a in block.values())
                for block in values.values()
            ):
                raise Refused(400, f"a {kind} payload whose view state is not Slack's shape")
        elif kind == "message_action":
            _require_object(body, "a message shortcut", "message")
            _require_object(body, "a message shortcut", "channel")
