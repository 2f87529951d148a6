"""The `Chat` port on slack_sdk's WebClient. Slack errors become `ChatError` with Slack's
error code, so services never see slack_sdk.

Two clients come out of `make_web_client`: one that waits out a short `ratelimited`
(Retry-After) in the calling thread, for replies to a person, and one that never waits
(`wait_on_ratelimit=False`), for the work stored in the database (declaration steps, the
outbox): there a rate limit is a `ChatError` with `retry_after`, and the step is
rescheduled instead of holding a thread.
"""

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
from slack_sdk.web import SlackResponse

from bot.domain.text_clean import clean_text
from bot.services.ports import ChannelInfo, ChatError, CreatedChannel, FetchedMessage, SlackAccess

log = logging.getLogger(__name__)
USER_CACHE_SECONDS = 3600
# Slack's answers that mean the token will never work again.
_REVOKED = frozenset({"token_revoked", "account_inactive"})


CallHook = Callable[[str, str], None]


class CountedWebClient(WebClient):
    """Reports every Web API call (method, outcome) to a hook: the metrics see each call
    once, however many retries the SDK made inside it."""

    on_call: CallHook | None = None

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
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


def make_web_client(
    token: str,
    base_url: str | None,
    *,
    timeout: float = 15,
    wait_on_ratelimit: bool = True,
    access: SlackAccess | None = None,
    on_call: CallHook | None = None,
) -> WebClient:
    """A client that retries dropped connections (a request that never reached Slack),
    unless told not to waits out `ratelimited` (Retry-After), and makes no call once
    `access` is stopped (bolt's own calls included). A read timeout is not retried: the
    call may have taken effect."""
    kwargs: dict[str, Any] = {"token": token, "timeout": timeout}
    if base_url:
        kwargs["base_url"] = base_url
    client = GuardedWebClient(access or SlackAccess(), **kwargs)
    client.on_call = on_call
    if wait_on_ratelimit:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=1))
    return client


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for key, value in headers.items():
        if key.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
    return None


class GuardedWebClient(CountedWebClient):
    """Refuses every Web API call, as Slack would, once warroom's access is revoked."""

    def __init__(self, access: SlackAccess, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.access = access

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
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
        self._bot_user: str | None = None

    def _call(self, method: str, **kwargs: Any) -> Any:
        if self.access.stopped() is not None:
            raise ChatError("access_revoked", method)
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as error:
            response = error.response
            code = str(response.get("error") or response.status_code)
            if code in _REVOKED and self.access.stop("", f"Slack answered {code}"):
                log.warning("Slack answered %s: warroom makes no more Slack calls", code)
            if response.status_code == 429:
                raise ChatError("ratelimited", method, retry_after=_retry_after(response)) from None
            raise ChatError(code, method) from None
        except TimeoutError:
            log.warning("Slack did not answer %s in time", method)
            raise ChatError("timeout", method) from None
        except (SlackRequestError, OSError) as error:
            log.warning("Slack unreachable on %s: %s", method, type(error).__name__)
            raise ChatError("slack_unreachable", method) from None

    def create_channel(self, name: str) -> CreatedChannel:
        response = self._call("conversations_create", name=name)
        return CreatedChannel(response["channel"]["id"], response["channel"]["name"])

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        self._call("conversations_invite", channel=channel_id, users=",".join(user_ids))

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        kwargs: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            kwargs["blocks"] = blocks
        if metadata:
            kwargs["metadata"] = metadata
        return str(self._call("chat_postMessage", **kwargs)["ts"])

    def find_by_metadata(
        self, channel: str, event_type: str, payload: dict[str, Any]
    ) -> str | None:
        """The latest page of the channel's history, with metadata (Tier 3). No `oldest`:
        the bot's clock and Slack's need not agree."""
        history = self._call(
            "conversations_history", channel=channel, include_all_metadata=True, limit=200
        )
        for message in history.get("messages") or []:
            meta = message.get("metadata") or {}
            carried = meta.get("event_payload") or {}
            if meta.get("event_type") == event_type and all(
                carried.get(key) == value for key, value in payload.items()
            ):
                return str(message["ts"])
        return None

    def find_channel(self, name: str) -> ChannelInfo | None:
        """`conversations.list` (paged) for the name, then `conversations.info` for who
        created it and its purpose."""
        cursor = ""
        for _ in range(100):
            page = self._call(
                "conversations_list",
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=1000,
                cursor=cursor or None,
            )
            for channel in page.get("channels") or []:
                if channel.get("name") == name:
                    info = self._call("conversations_info", channel=channel["id"])["channel"]
                    return ChannelInfo(
                        str(info["id"]),
                        str(info["name"]),
                        str(info.get("creator") or ""),
                        str((info.get("purpose") or {}).get("value") or ""),
                    )
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return None
        return None

    def set_purpose(self, channel_id: str, purpose: str) -> None:
        self._call("conversations_setPurpose", channel=channel_id, purpose=purpose)

    def bot_user_id(self) -> str:
        if self._bot_user is None:
            self._bot_user = str(self._call("auth_test")["user_id"])
        return self._bot_user

    def fetch_message(self, channel: str, ts: str) -> FetchedMessage | None:
        """Needs `channels:history` (and `groups:history` for private channels)."""
        history = self._call(
            "conversations_history", channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
        found = _matching(history.get("messages"), ts)
        if found is None:
            # A reply inside a thread is not in the channel's history; its thread has it.
            replies = self._call(
                "conversations_replies",
                channel=channel,
                ts=ts,
                latest=ts,
                oldest=ts,
                inclusive=True,
                limit=200,
            )
            found = _matching(replies.get("messages"), ts)
        if found is None:
            return None
        user = found.get("user")
        # Stored on the timeline: without control characters or bidi overrides.
        text = clean_text(str(found.get("text") or ""))
        return FetchedMessage(str(user) if user else None, text)

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


def _matching(messages: Any, ts: str) -> dict[str, Any] | None:
    for message in messages or []:
        if isinstance(message, dict) and message.get("ts") == ts:
            return message
    return None
