"""What services need from the outside world, as small protocols.

`bot/slack/chat.py` implements `Chat` with slack_sdk; tests may pass anything of this
shape. Services never import slack_sdk or boto3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class ChatError(Exception):
    """Slack refused or failed a call. `code` is Slack's error string (`name_taken`...)."""

    def __init__(self, code: str, method: str = "") -> None:
        super().__init__(f"{method}: {code}" if method else code)
        self.code = code
        self.method = method


@dataclass(frozen=True)
class CreatedChannel:
    id: str
    name: str


class Chat(Protocol):
    def create_channel(self, name: str) -> CreatedChannel: ...

    def invite(self, channel_id: str, user_ids: list[str]) -> None: ...

    def post(self, channel: str, text: str, blocks: list[Any] | None = None) -> str: ...

    def update(self, channel: str, ts: str, text: str, blocks: list[Any] | None = None) -> None: ...

    def post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[Any] | None = None
    ) -> None: ...

    def pin(self, channel: str, ts: str) -> None: ...

    def direct_message(self, user: str, text: str, blocks: list[Any] | None = None) -> str: ...

    def permalink(self, channel: str, ts: str) -> str | None: ...

    def user_timezone(self, user: str) -> str | None: ...

    def user_name(self, user: str) -> str | None: ...

    def upload(
        self, channel: str, filename: str, content: bytes, title: str, comment: str | None = None
    ) -> None: ...

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None: ...


class PageLinks(Protocol):
    """Signed links to the live incident page (the web layer signs them)."""

    def signed_link(self, number: int) -> str: ...
