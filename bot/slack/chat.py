"""The `Chat` port on slack_sdk's WebClient. Slack errors become `ChatError` with Slack's
error code, so services never see slack_sdk."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.services.ports import ChatError, CreatedChannel

log = logging.getLogger(__name__)
USER_CACHE_SECONDS = 3600


CallHook = Callable[[str, str], None]


class CountedWebClient(WebClient):
    """Reports every Web API call (method, outcome) to a hook: the metrics see each call
    once, however many retries the SDK made inside it."""

    on_call: CallHook | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        outcome = "error"
        try:
            response = super().api_call(api_method, **kwargs)
            outcome = "ok"
            return response
        except SlackApiError as error:
            outcome = "ratelimited" if error.response.status_code == 429 else "error"
            raise
        except (SlackRequestError, OSError):
            outcome = "unreachable"
            raise
        finally:
            if self.on_call is not None:
                self.on_call(api_method, outcome)


def make_web_client(token: str, base_url: str | None, on_call: CallHook | None = None) -> WebClient:
    """A client that waits out `ratelimited` (Retry-After) and retries dropped connections."""
    kwargs: dict[str, Any] = {"token": token, "timeout": 15}
    if base_url:
        kwargs["base_url"] = base_url
    client = CountedWebClient(**kwargs)
    client.on_call = on_call
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=1))
    return client


class SlackChat:
    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._users_lock = threading.Lock()

    def _call(self, method: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error") or error.response.status_code)
            raise ChatError(code, method) from None
        except (SlackRequestError, OSError) as error:
            log.warning("Slack unreachable on %s: %s", method, type(error).__name__)
            raise ChatError("slack_unreachable", method) from None

    def create_channel(self, name: str) -> CreatedChannel:
        response = self._call("conversations_create", name=name)
        return CreatedChannel(response["channel"]["id"], response["channel"]["name"])

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        self._call("conversations_invite", channel=channel_id, users=",".join(user_ids))

    def post(self, channel: str, text: str, blocks: list[Any] | None = None) -> str:
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            kwargs["blocks"] = blocks
        return str(self._call("chat_postMessage", **kwargs)["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: list[Any] | None = None) -> None:
        kwargs: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
        if blocks is not None:
            kwargs["blocks"] = blocks
        self._call("chat_update", **kwargs)

    def post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[Any] | None = None
    ) -> None:
        kwargs: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if blocks:
            kwargs["blocks"] = blocks
        self._call("chat_postEphemeral", **kwargs)

    def pin(self, channel: str, ts: str) -> None:
        self._call("pins_add", channel=channel, timestamp=ts)

    def direct_message(self, user: str, text: str, blocks: list[Any] | None = None) -> str:
        channel = self._call("conversations_open", users=user)["channel"]["id"]
        return self.post(channel, text, blocks)

    def permalink(self, channel: str, ts: str) -> str | None:
        try:
            return str(self._call("chat_getPermalink", channel=channel, message_ts=ts)["permalink"])
        except ChatError:
            return None

    def user_timezone(self, user: str) -> str | None:
        """The person's IANA zone from their Slack profile (cached for an hour)."""
        profile = self._profile(user)
        return profile.get("tz") if profile else None

    def user_name(self, user: str) -> str | None:
        """The name Slack shows for the person: display name, else real name, else handle."""
        profile = self._profile(user)
        if not profile:
            return None
        inner = profile.get("profile") or {}
        for name in (
            inner.get("display_name"),
            profile.get("real_name"),
            inner.get("real_name"),
            profile.get("name"),
        ):
            if name:
                return str(name)
        return None

    def _profile(self, user: str) -> dict[str, Any] | None:
        """`users.info`, cached for an hour (Tier 4, but a timeline asks for every reader)."""
        now = time.monotonic()
        with self._users_lock:
            cached = self._users.get(user)
            if cached and now - cached[0] < USER_CACHE_SECONDS:
                return cached[1]
        try:
            profile = dict(self._call("users_info", user=user)["user"])
        except ChatError:
            return None
        with self._users_lock:
            self._users[user] = (now, profile)
        return profile

    def upload(
        self, channel: str, filename: str, content: bytes, title: str, comment: str | None = None
    ) -> None:
        kwargs: dict[str, Any] = {
            "channel": channel,
            "filename": filename,
            "content": content,
            "title": title,
        }
        if comment:
            kwargs["initial_comment"] = comment
        self._call("files_upload_v2", **kwargs)

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        self._call("views_open", trigger_id=trigger_id, view=view)
