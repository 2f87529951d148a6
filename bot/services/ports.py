"""Every port: what services need from the outside world, as small protocols, in one place.

`bot/slack/chat.py` implements `Chat` with slack_sdk, `bot/aws/support.py` implements
`Support` with boto3, `bot/slack/responder.py` implements `Teller`; tests may pass anything of
these shapes (tests/fakes.py has a recording `Chat`). Services never import slack_sdk or boto3.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.support import Communication, OpenedCase, PlanCheck


class ChatError(Exception):
    """Slack refused or failed a call. `code` is Slack's error string (`name_taken`...)."""

    def __init__(self, code: str, method: str = "") -> None:
        super().__init__(f"{method}: {code}" if method else code)
        self.code = code
        self.method = method


@dataclass
class SlackAccess:
    """Whether warroom may still call Slack's Web API for a workspace.

    Slack says so with `tokens_revoked` / `app_uninstalled` (or answers `token_revoked`):
    after that every call would fail, so the `Chat` adapter consults this switch and
    refuses at once (`ChatError("access_revoked")`) instead of calling. It lives in the
    process: a restart with a new token starts afresh.
    """

    _stopped: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stop(self, team_id: str, why: str) -> bool:
        """True the first time a workspace is stopped."""
        with self._lock:
            if team_id in self._stopped:
                return False
            self._stopped[team_id] = why
            return True

    def stopped(self, team_id: str | None = None) -> str | None:
        """Why calls for `team_id` (None: the bot's one workspace, any team) are stopped."""
        with self._lock:
            if team_id is None:
                return next(iter(self._stopped.values()), None)
            return self._stopped.get(team_id)


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


class Teller(Protocol):
    """Whoever tells the person who asked: `bot.slack.responder.Responder` in the app."""

    def say(self, text: str, blocks: list[Any] | None = None) -> None: ...


class Support(Protocol):
    """The port services use for AWS Support. `bot.aws.support.AwsSupport` implements it.

    Every method raises a `SupportError` subclass, with a message for the responder, when
    AWS says no; `check_plan` instead reports what it could not learn in its `PlanCheck`.
    """

    def check_plan(self) -> PlanCheck: ...

    def open_case(
        self,
        *,
        subject: str,
        body: str,
        severity: str,
        cc_emails: Sequence[str],
        service_code: str | None,
        category_code: str | None,
        language: str = "en",
    ) -> OpenedCase: ...

    def communications(self, case_id: str, after: datetime | None) -> list[Communication]: ...

    def add_communication(self, case_id: str, body: str) -> None: ...

    def resolve_case(self, case_id: str) -> None: ...
