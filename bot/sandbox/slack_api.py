"""A local Slack Web API that records every call.

It serves `warroom demo` (whose transcript is read from what it recorded) and the tests
(which assert on what it recorded). It speaks what slack_sdk sends: JSON bodies for
`chat.postMessage`/`views.open`, form bodies for most other methods, the raw upload POST
of `files_upload_v2`, and `response_url` posts. How it falters (429 with Retry-After,
500, an answer lost after the call took effect, `ok: false`, a Tier 2 limiter) is planned
in `bot/sandbox/slack_faults.py` (`state.faults`); `fail_next` and `ratelimit_next` are the
two shortest plans.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from bot.sandbox import slack_faults, slack_oidc

_CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    auth: str | None = None


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Any] | None = None
    user: str | None = None
    ephemeral_to: str | None = None
    thread_ts: str | None = None
    edits: int = 0
    metadata: dict[str, Any] | None = None


@dataclass
class User:
    id: str
    name: str
    tz: str = "UTC"
    tz_label: str = "Coordinated Universal Time"
    tz_offset: int = 0
    real_name: str | None = None


@dataclass
class Channel:
    id: str
    name: str
    members: list[str] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    is_im: bool = False
    creator: str = "U0SOMEONE"
    created: int = 0
    purpose: str = ""
    topic: str = ""


class FakeSlackState:
    """Everything the fake Slack knows, behind one lock (the HTTP server is threaded)."""

    BOT_USER = "UWARROOMBOT"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calls: list[Call] = []
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self.users: dict[str, User] = {}
        self.responses: list[dict[str, Any]] = []
        self.files: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.views: list[dict[str, Any]] = []
        self.faults = slack_faults.FaultPlan()
        # Channels `conversations.list` does not show yet (Slack's listing lags creation).
        self.unlisted: set[str] = set()
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self.base_epoch = 1_790_000_000  # message ts values count up from here
        self.latency_seconds = 0.0  # a slow Slack, for benchmarks: every call waits this long
        # Where message timestamps come from: a counter by default; the demo points it at the
        # bot's clock so a captured message keeps the story's time.
        self.now: Callable[[], float] | None = None
        self._last_ts = 0.0
        self.oidc = slack_oidc.OidcState()  # Sign in with Slack (bot/sandbox/slack_oidc.py)

    # -- set-up and inspection helpers used by tests and the demo ------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        tz: str = "UTC",
        tz_offset: int = 0,
        tz_label: str | None = None,
    ) -> None:
        with self.lock:
            self.users[user_id] = User(user_id, name, tz, tz_label or tz, tz_offset)

    def add_channel(self, name: str, members: list[str] | None = None) -> str:
        with self.lock:
            channel = Channel(self._new_id("C"), name, list(members or []))
            self.channels[channel.id] = channel
            return channel.id

    def fail_next(self, method: str, error: str, times: int = 1) -> None:
        self.faults.error(method, error, times)

    def ratelimit_next(self, method: str, times: int = 1, retry_after: int = 0) -> None:
        self.faults.ratelimit(method, times, retry_after)

    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def channel_by_name(self, name: str) -> Channel | None:
        with self.lock:
            return next((c for c in self.channels.values() if c.name == name), None)

    def messages_in(self, channel_id: str, include_ephemeral: bool = False) -> list[Message]:
        with self.lock:
            return [
                m
                for m in self.messages
                if m.channel == channel_id and (include_ephemeral or m.ephemeral_to is None)
            ]

    def post_user_message(self, channel_id: str, user: str, text: str) -> Message:
        """A human message in a channel, as the Events API would later report it."""
        with self.lock:
            message = Message(channel_id, self._next_ts(), text, user=user)
            self.messages.append(message)
            return message

    def message(self, channel_id: str, ts: str) -> Message | None:
        with self.lock:
            return next((m for m in self.messages if m.channel == channel_id and m.ts == ts), None)

    # -- internals ------------------------------------------------------------------------
    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _next_ts(self) -> str:
        if self.now is None:
            return f"{self.base_epoch + next(self._ts)}.000100"
        value = max(self.now(), self._last_ts + 0.000001)  # unique and increasing, like Slack
        self._last_ts = value
        return f"{value:.6f}"

    def _created(self) -> int:
        return int(self.now() if self.now is not None else time.time())


def _ok(**payload: Any) -> dict[str, Any]:
    return {"ok": True, **payload}


def _err(error: str) -> dict[str, Any]:
    return {"ok": False, "error": error}


def _split_users(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [u for u in str(value or "").split(",") if u]


class _Methods:
    """One function per Web API method, named like the method with '.' -> '_'."""

    def __init__(self, state: FakeSlackState, base_url: Callable[[], str]) -> None:
        self.s = state
        self.base_url = base_url

    def auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return _ok(
            user_id=FakeSlackState.BOT_USER,
            bot_id="BWARROOM",
            team_id="T0WARROOM",
            team="warroom",
            url="https://warroom.slack.com/",
        )

    def conversations_create(self, p: dict[str, Any]) -> dict[str, Any]:
        name = str(p.get("name", ""))
        if not name:
            return _err("invalid_name_required")
        if len(name) > 80:
            return _err("invalid_name_maxlength")
        if not _CHANNEL_NAME.match(name):
            return _err("invalid_name_specials")
        if self.s.channel_by_name(name):
            return _err("name_taken")
        channel = Channel(
            self.s._new_id("C"),
            name,
            [FakeSlackState.BOT_USER],
            creator=FakeSlackState.BOT_USER,
            created=self.s._created(),
        )
        self.s.channels[channel.id] = channel
        return _ok(channel=_channel_json(channel))

    def _channel(self, p: dict[str, Any]) -> Channel | None:
        return self.s.channels.get(str(p.get("channel", "")))

    def conversations_invite(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        users = _split_users(p.get("users"))
        new = [u for u in users if u not in channel.members]
        if not new:
            return _err("already_in_channel")
        channel.members.extend(new)
        return _ok(channel={"id": channel.id, "name": channel.name})

    def conversations_info(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        return _ok(channel=_channel_json(channel))

    def conversations_list(self, p: dict[str, Any]) -> dict[str, Any]:
        """Channels in creation order, `limit` a page, `next_cursor` the next offset."""
        types = str(p.get("types") or "public_channel").split(",")
        found = [
            c
            for c in self.s.channels.values()
            if ("im" in types) == c.is_im and c.id not in self.s.unlisted
        ]
        start = int(p.get("cursor") or 0)
        limit = int(p.get("limit") or 100)
        page = found[start : start + limit]
        more = start + limit < len(found)
        return _ok(
            channels=[_channel_json(c) for c in page],
            response_metadata={"next_cursor": str(start + limit) if more else ""},
        )

    def conversations_setPurpose(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        channel.purpose = str(p.get("purpose") or "")
        return _ok(channel=_channel_json(channel))

    def conversations_setTopic(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        channel.topic = str(p.get("topic") or "")
        return _ok(channel=_channel_json(channel))

    def conversations_members(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        return _ok(members=list(channel.members), response_metadata={"next_cursor": ""})

    def conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = _split_users(p.get("users"))
        if not users:
            return _err("users_list_not_supplied")
        name = "dm-" + "-".join(sorted(users))
        channel = self.s.channel_by_name(name)
        if channel is None:
            channel = Channel(self.s._new_id("D"), name, users, is_im=True)
            self.s.channels[channel.id] = channel
        return _ok(channel={"id": channel.id})

    def chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        target = str(p.get("channel", ""))
        channel = self.s.channels.get(target)
        if channel is None and target in self.s.users:
            channel = self.s.channels[self.conversations_open({"users": target})["channel"]["id"]]
        if channel is None:
            return _err("channel_not_found")
        text = str(p.get("text") or "")
        blocks = p.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not text and not blocks:
            return _err("no_text")
        metadata = p.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message = Message(
            channel.id,
            self.s._next_ts(),
            text,
            blocks,
            user=FakeSlackState.BOT_USER,
            thread_ts=p.get("thread_ts"),
            metadata=metadata or None,
        )
        self.s.messages.append(message)
        return _ok(
            channel=channel.id,
            ts=message.ts,
            message={"text": text, "ts": message.ts, "user": message.user},
        )

    def chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        blocks = p.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        message = Message(
            channel.id,
            self.s._next_ts(),
            str(p.get("text") or ""),
            blocks,
            user=FakeSlackState.BOT_USER,
            ephemeral_to=str(p.get("user")),
        )
        self.s.messages.append(message)
        return _ok(message_ts=message.ts)

    def chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        message = self.s.message(str(p.get("channel")), str(p.get("ts")))
        if message is None:
            return _err("message_not_found")
        message.text = str(p.get("text") or message.text)
        blocks = p.get("blocks")
        message.blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
        message.edits += 1
        return _ok(channel=message.channel, ts=message.ts)

    def chat_getPermalink(self, p: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(p.get("channel")), str(p.get("message_ts"))
        return _ok(permalink=f"https://warroom.slack.com/archives/{channel}/p{ts.replace('.', '')}")

    def pins_add(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        ts = str(p.get("timestamp", ""))
        if self.s.message(channel.id, ts) is None:
            return _err("message_not_found")
        if ts in channel.pins:
            return _err("already_pinned")
        channel.pins.append(ts)
        return _ok()

    def users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.s.users.get(str(p.get("user")))
        if user is None:
            return _err("user_not_found")
        return _ok(
            user={
                "id": user.id,
                "name": user.name,
                "real_name": user.real_name or user.name,
                "tz": user.tz,
                "tz_label": user.tz_label,
                "tz_offset": user.tz_offset,
            }
        )

    def views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        view = p.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not p.get("trigger_id"):
            return _err("invalid_trigger_id")
        self.s.views.append({"trigger_id": p.get("trigger_id"), "view": view})
        return _ok(view={"id": self.s._new_id("V"), **(view or {})})

    def files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        file_id = self.s._new_id("F")
        self.s.files.append(
            {
                "id": file_id,
                "filename": p.get("filename"),
                "length": p.get("length"),
                "complete": False,
            }
        )
        root = self.base_url().removesuffix("api/")
        return _ok(upload_url=f"{root}upload/{file_id}", file_id=file_id)

    def files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if isinstance(files, str):
            files = json.loads(files)
        done = []
        for item in files or []:
            record = next((f for f in self.s.files if f["id"] == item.get("id")), None)
            if record is None:
                return _err("file_not_found")
            record.update(
                complete=True,
                title=item.get("title"),
                channel=p.get("channel_id"),
                comment=p.get("initial_comment"),
                content=self.s.uploads.get(record["id"], b""),
            )
            done.append(
                {"id": record["id"], "title": item.get("title"), "name": record["filename"]}
            )
        return _ok(files=done)

    def reactions_add(self, p: dict[str, Any]) -> dict[str, Any]:
        return _ok()

    def _history(self, p: dict[str, Any], thread: str | None) -> dict[str, Any]:
        channel = self._channel(p)
        if channel is None:
            return _err("channel_not_found")
        oldest = float(p.get("oldest") or 0)
        latest = float(p.get("latest") or 9e12)
        inclusive = str(p.get("inclusive", "")).lower() in ("1", "true")
        limit = int(p.get("limit") or 100)
        with_metadata = str(p.get("include_all_metadata", "")).lower() in ("1", "true")

        def within(ts: str) -> bool:
            value = float(ts)
            if inclusive:
                return oldest <= value <= latest
            return oldest < value < latest

        found: list[dict[str, Any]] = [
            {
                "type": "message",
                "ts": m.ts,
                "user": m.user,
                "text": m.text,
                **({"metadata": m.metadata} if with_metadata and m.metadata else {}),
            }
            for m in self.s.messages_in(channel.id)
            if within(m.ts) and (thread is None or m.ts == thread or m.thread_ts == thread)
        ]
        found.sort(key=lambda m: float(str(m["ts"])), reverse=thread is None)
        return _ok(messages=found[:limit], has_more=len(found) > limit)

    def conversations_history(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._history(p, None)

    def conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._history(p, str(p.get("ts", "")))


def _channel_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "name": channel.name,
        "is_channel": not channel.is_im,
        "is_im": channel.is_im,
        "is_archived": False,
        "creator": channel.creator,
        "created": channel.created,
        "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "num_members": len(channel.members),
    }


class FakeSlack:
    """Runs `_Methods` behind a threaded HTTP server on 127.0.0.1."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = FakeSlackState()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._methods = _Methods(self.state, lambda: self.api_url)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}response/{name}"

    def start(self) -> FakeSlack:
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="fake-slack"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                """What was recorded, for a person or a test in another process."""
                path = urlparse(self.path).path.rstrip("/")
                if path == slack_oidc.AUTHORIZE_PATH:
                    query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                    with fake.state.lock:
                        users = [(u.id, u.name) for u in fake.state.users.values()]
                    page = slack_oidc.authorize_page(query, users)
                    self._send(200, page, "text/html; charset=utf-8")
                    return
                planned = slack_faults.control(fake.state.faults, "GET", path, {})
                if planned is not None:
                    self._send(200, json.dumps(planned).encode(), "application/json")
                    return
                with fake.state.lock:
                    if path == "/_sandbox/calls":
                        payload: Any = [
                            {"method": c.method, "params": c.params} for c in fake.state.calls
                        ]
                    elif path == "/_sandbox/messages":
                        payload = [
                            {
                                "channel": m.channel,
                                "ts": m.ts,
                                "text": m.text,
                                "user": m.user,
                                "ephemeral_to": m.ephemeral_to,
                            }
                            for m in fake.state.messages
                        ]
                    elif path == "/_sandbox/channels":
                        payload = [
                            {"id": c.id, "name": c.name, "members": c.members, "pins": c.pins}
                            for c in fake.state.channels.values()
                        ]
                    else:
                        self._send(404, b"not found", "text/plain")
                        return
                self._send(200, json.dumps(payload).encode(), "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = urlparse(self.path).path
                if path == slack_oidc.AUTHORIZE_PATH:
                    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                    location = slack_oidc.approve(fake.state.oidc, form)
                    if location is None:
                        self._send(400, b"invalid authorize request", "text/plain")
                        return
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path.startswith("/_sandbox/"):
                    planned = slack_faults.control(
                        fake.state.faults, "POST", path.rstrip("/"), json.loads(raw or b"{}")
                    )
                    status = 200 if planned is not None else 404
                    self._send(status, json.dumps(planned).encode(), "application/json")
                    return
                if path.startswith("/upload/"):
                    with fake.state.lock:
                        fake.state.uploads[path.rsplit("/", 1)[1]] = raw
                    self._send(200, b"OK", "text/plain")
                    return
                if path.startswith("/response/"):
                    with fake.state.lock:
                        fake.state.responses.append(
                            {"token": path.rsplit("/", 1)[1], **json.loads(raw or b"{}")}
                        )
                    self._send(200, b"ok", "text/plain")
                    return
                if not path.startswith("/api/"):
                    self._send(404, b"not found", "text/plain")
                    return
                method = path[len("/api/") :]
                params = self._params(raw)
                answer = fake.dispatch(method, params, self.headers.get("Authorization"))
                # The client may have given up waiting (a planned `delay_after_effect`).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send_json(*answer)

            def _params(self, raw: bytes) -> dict[str, Any]:
                ctype = self.headers.get("Content-Type", "")
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                if "json" in ctype:
                    return {**query, **json.loads(raw or b"{}")}
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
                return {**query, **form}

            def _send_json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str]
            ) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def dispatch(
        self, method: str, params: dict[str, Any], auth: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if self.state.latency_seconds:
            time.sleep(self.state.latency_seconds)
        with self.state.lock:
            self.state.calls.append(Call(method, params, auth))
            names = {u.id: u.real_name or u.name for u in self.state.users.values()}
            if method == "openid.connect.token":
                return 200, slack_oidc.token(self.state.oidc, params, auth, names), {}
            if method == "openid.connect.userInfo":
                return 200, slack_oidc.user_info(self.state.oidc, auth, names), {}
            if not auth or not auth.startswith("Bearer xox"):
                return 200, _err("not_authed"), {}
            early, hold = self.state.faults.before(method)
            if early is not None:
                return early.status, early.payload, early.headers
            handler = getattr(self._methods, method.replace(".", "_"), None)
            if handler is None:
                return 200, _err("unknown_method"), {}
            answer = handler(params)
        if hold:
            time.sleep(hold)  # the call took effect; its answer arrives too late
        return 200, answer, {}


def main(argv: list[str] | None = None) -> None:
    """`python -m bot.sandbox.slack_api --port 9999`: the fake Slack Web API on its own, for
    trying `warroom serve` by hand (SLACK_API_URL=http://127.0.0.1:9999/api/). What it
    recorded: GET /_sandbox/calls, /_sandbox/messages, /_sandbox/channels. How it falters:
    POST /_sandbox/faults, /_sandbox/limits, /_sandbox/faults/clear (see slack_faults.py)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=9999)
    args = parser.parse_args(argv)
    fake = FakeSlack(port=args.port).start()
    print(f"fake Slack Web API on {fake.api_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
