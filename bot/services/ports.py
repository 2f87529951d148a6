"""What services need from the outside world, as small protocols.

`bot/slack/chat.py` implements `Chat` with slack_sdk; tests may pass anything of this
shape. Services never import slack_sdk or boto3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.health import HealthEvent
from bot.domain.restore_drill import RestoreResult


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


# --- restore drills and AWS Health (bot.aws.restore_drill, bot.aws.health) ----------------


class RestoreDrills(Protocol):
    """Restores tables into scratch copies, compares and deletes them (`warroom drill
    restore`, `/incident drill restore`). `tables=None` means every table of the region."""

    def restore(self, tables: Sequence[str] | None = None) -> list[RestoreResult]: ...


class Health(Protocol):
    """AWS Health: the open events for some regions (account-specific, and public events
    for the services the account uses). Raises `HealthUnavailable` (no Business-class
    plan: `subscription_required`) or `HealthError` (denied, throttled, unreachable)."""

    def open_events(self, regions: Sequence[str]) -> list[HealthEvent]: ...

    def events(self, arns: Sequence[str]) -> list[HealthEvent]: ...
