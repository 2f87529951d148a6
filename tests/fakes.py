"""A `Chat` that records what services asked of Slack, for service tests with no HTTP.

The HTTP tests (tests/harness.py) prove the bot end to end against the fake Slack Web API;
these prove a service's rules directly, faster, through the same port the bot uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.services.ports import ChannelInfo, ChatError, CreatedChannel, FetchedMessage


@dataclass
class Post:
    channel: str
    text: str
    ts: str
    metadata: dict[str, Any] | None = None


@dataclass
class RecordingChat:
    posts: list[Post] = field(default_factory=list)
    dms: dict[str, list[str]] = field(default_factory=dict)
    invited: dict[str, list[str]] = field(default_factory=dict)
    fail_posts: bool = False
    _ts: int = 0

    def _next_ts(self) -> str:
        self._ts += 1
        return f"1700000000.{self._ts:06d}"

    def create_channel(self, name: str) -> CreatedChannel:
        return CreatedChannel(id=f"C{len(self.invited) + 1:08d}", name=name)

    def invite(self, channel_id: str, user_ids: list[str]) -> None:
        self.invited.setdefault(channel_id, []).extend(user_ids)

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        if self.fail_posts:
            raise ChatError("ratelimited", "chat.postMessage")
        ts = self._next_ts()
        self.posts.append(Post(channel, text, ts, metadata))
        return ts

    def find_by_metadata(
        self, channel: str, event_type: str, payload: dict[str, Any]
    ) -> str | None:
        for post in reversed(self.posts):
            meta = post.metadata or {}
            carried = meta.get("event_payload") or {}
            same = post.channel == channel and meta.get("event_type") == event_type
            if same and all(carried.get(key) == value for key, value in payload.items()):
                return post.ts
        return None

    def find_channel(self, name: str) -> ChannelInfo | None:
        return None

    def set_purpose(self, channel_id: str, purpose: str) -> None:
        pass

    def bot_user_id(self) -> str:
        return "U0WARROOM"

    def fetch_message(self, channel: str, ts: str) -> FetchedMessage | None:
        return None

    def update(self, channel: str, ts: str, text: str, blocks: list[Any] | None = None) -> None:
        pass

    def post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[Any] | None = None
    ) -> None:
        pass

    def pin(self, channel: str, ts: str) -> None:
        pass

    def direct_message(self, user: str, text: str, blocks: list[Any] | None = None) -> str:
        self.dms.setdefault(user, []).append(text)
        return self._next_ts()

    def permalink(self, channel: str, ts: str) -> str | None:
        return None

    def user_timezone(self, user: str) -> str | None:
        return None

    def user_name(self, user: str) -> str | None:
        return None

    def upload(
        self, channel: str, filename: str, content: bytes, title: str, comment: str | None = None
    ) -> None:
        pass

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        pass
