"""The `Chat` port on slack_sdk's WebClient. Slack errors become `ChatError` with Slack's
error code, so services never see slack_sdk."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.services.ports import ChatError, CreatedChannel, SlackAccess

log = logging.getLogger(__name__)
USER_CACHE_SECONDS = 3600
# Slack's answers that mean the token will never work again.
_REVOKED = frozenset({"token_revoked", "account_inactive"})


def make_web_client(
    token: str, base_url: str | None, access: SlackAccess | None = None
) -> WebClient:
    """A client that waits out `ratelimited` (Retry-After) and retries dropped connections,
    and that makes no call once `access` is stopped (bolt's own calls included)."""
    kwargs: dict[str, Any] = {"token": token, "timeout": 15}
    if base_url:
        kwargs["base_url"] = base_url
    client = GuardedWebClient(access or SlackAccess(), **kwargs)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=1))
    return client


class GuardedWebClient(WebClient):
    """Refuses every Web API call, as Slack would, once warroom's access is revoked."""

    def __init__(self, access: SlackAccess, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.access = access

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        if self.access.stopped() is not None:
            refused = {"ok": False, "error": "access_revoked"}
            response = SlackResponse(
                client=self,
                http_verb="POST",
                api_url=api_method,
                req_args={},
                data=refused,
                headers={},
                status_code=200,
            )
            raise SlackApiError(  # type: ignore[no-untyped-call]
                f"not called: {api_method} (access revoked)", response
            )
        return super().api_call(api_method, **kwargs)


class SlackChat:
    def __init__(self, client: WebClient, access: SlackAccess | None = None) -> None:
        self.client = client
        self.access = access or SlackAccess()
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._users_lock = threading.Lock()

    def _call(self, method: str, **kwargs: Any) -> Any:
        if self.access.stopped() is not None:
            raise ChatError("access_revoked", method)
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as error:
            code = str(error.response.get("error") or error.response.status_code)
            if code in _REVOKED and self.access.stop("", f"Slack answered {code}"):
                log.warning("Slack answered %s: warroom makes no more Slack calls", code)
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
