"""Requests as Slack sends them: signed slash commands, events and interactivity payloads.

`warroom demo` and the tests drive the bot through these, over real HTTP, so the path
they exercise is the one a real Slack workspace uses.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }


@dataclass
class HttpReply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> HttpReply:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return HttpReply(response.status, response.read())
    except urllib.error.HTTPError as error:
        return HttpReply(error.code, error.read())


class SlackRequests:
    """Builds and sends what Slack would send to the bot's `/slack/events` endpoint."""

    def __init__(
        self,
        events_url: str,
        signing_secret: str,
        team_id: str = "T0WARROOM",
        response_url: Callable[[str], str] | None = None,
    ) -> None:
        self.events_url = events_url
        self.secret = signing_secret
        self.team_id = team_id
        self._response_url = response_url
        self._ids = itertools.count(1)

    def _send(
        self,
        body: bytes,
        content_type: str,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpReply:
        all_headers = signed_headers(self.secret, body, content_type, timestamp)
        all_headers.update(headers or {})
        return post(self.events_url, body, all_headers)

    def command(
        self,
        text: str,
        *,
        user: str,
        channel: str,
        command: str = "/incident",
        user_name: str | None = None,
        timestamp: int | None = None,
    ) -> HttpReply:
        n = next(self._ids)
        form = {
            "token": "unused",
            "team_id": self.team_id,
            "team_domain": "warroom",
            "channel_id": channel,
            "channel_name": channel.lower(),
            "user_id": user,
            "user_name": user_name or user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0WARROOM",
            "trigger_id": f"trigger.{n}",
        }
        if self._response_url is not None:
            form["response_url"] = self._response_url(f"cmd{n}")
        return self._send(urlencode(form).encode(), "application/x-www-form-urlencoded", timestamp)

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> HttpReply:
        payload = {
            "token": "unused",
            "team_id": self.team_id,
            "api_app_id": "A0WARROOM",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self._send(json.dumps(payload).encode(), "application/json", headers=headers)

    def interaction(self, payload: dict[str, Any]) -> HttpReply:
        payload = {"team": {"id": self.team_id}, "api_app_id": "A0WARROOM", **payload}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._send(body, "application/x-www-form-urlencoded")

    def reaction(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str,
        item_user: str,
        reaction: str = "pushpin",
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> HttpReply:
        return self.event(
            {
                "type": "reaction_added",
                "user": user,
                "reaction": reaction,
                "item_user": item_user,
                "item": {"type": "message", "channel": channel, "ts": message_ts},
                "event_ts": f"{time.time():.6f}",
            },
            event_id=event_id,
            retry_num=retry_num,
        )

    def message_shortcut(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str,
        message_user: str,
        text: str,
        callback_id: str = "add_to_timeline",
    ) -> HttpReply:
        return self.interaction(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "trigger_id": f"trigger.{next(self._ids)}",
                "user": {"id": user},
                "channel": {"id": channel},
                "message_ts": message_ts,
                "message": {
                    "type": "message",
                    "user": message_user,
                    "ts": message_ts,
                    "text": text,
                },
                "response_url": self._response_url(f"sc{next(self._ids)}")
                if self._response_url
                else None,
            }
        )

    def block_action(
        self,
        *,
        user: str,
        channel: str,
        message_ts: str,
        action_id: str,
        value: str,
        block_id: str = "b",
    ) -> HttpReply:
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user},
                "channel": {"id": channel},
                "container": {"type": "message", "channel_id": channel, "message_ts": message_ts},
                "message": {"ts": message_ts, "text": ""},
                "trigger_id": f"trigger.{next(self._ids)}",
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value,
                        "type": "button",
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
                "response_url": self._response_url(f"ba{next(self._ids)}")
                if self._response_url
                else None,
            }
        )

    def view_submission(
        self, *, user: str, callback_id: str, values: dict[str, Any], private_metadata: str = ""
    ) -> HttpReply:
        return self.interaction(
            {
                "type": "view_submission",
                "user": {"id": user},
                "trigger_id": f"trigger.{next(self._ids)}",
                "view": {
                    # Each opened form has its own view id (warroom declares once per id).
                    "id": f"V{next(self._ids):08d}",
                    "type": "modal",
                    "callback_id": callback_id,
                    "private_metadata": private_metadata,
                    "state": {"values": values},
                },
            }
        )
