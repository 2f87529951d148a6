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

from bot.domain.health import HealthEvent
from bot.domain.restore_drill import RestoreResult
from bot.domain.support import Communication, OpenedCase, PlanCheck

# Codes after which nobody knows whether the call took effect at Slack: the request may
# have been carried out and only its answer lost (timeout, dropped connection, 5xx).
UNKNOWN_OUTCOME = frozenset(
    {
        "timeout",
        "slack_unreachable",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "500",
        "502",
        "503",
        "504",
    }
)


class ChatError(Exception):
    """Slack refused or failed a call. `code` is Slack's error string (`name_taken`...);
    `retry_after` the seconds Slack asked to wait when it rate-limited the call."""

    def __init__(self, code: str, method: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(f"{method}: {code}" if method else code)
        self.code = code
        self.method = method
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.code == "ratelimited"

    @property
    def outcome_unknown(self) -> bool:
        """The call may have taken effect: look before doing it again."""
        return self.code in UNKNOWN_OUTCOME

    @property
    def transient(self) -> bool:
        """Worth retrying later (as opposed to a refusal such as `restricted_action`)."""
        return self.rate_limited or self.outcome_unknown


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


@dataclass(frozen=True)
class ChannelInfo:
    """What Slack says about an existing channel: enough to tell whether it is ours."""

    id: str
    name: str
    creator: str
    purpose: str


@dataclass(frozen=True)
class FetchedMessage:
    user: str | None
    text: str


class Chat(Protocol):
    def create_channel(self, name: str) -> CreatedChannel: ...

    def invite(self, channel_id: str, user_ids: list[str]) -> None: ...

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[Any] | None = None,
        *,
        metadata: dict[str, Any] | None = None,
    ) -> str: ...

    def find_by_metadata(
        self, channel: str, event_type: str, payload: dict[str, Any]
    ) -> str | None:
        """The ts of a recent message in `channel` (the latest page of its history) whose
        metadata has `event_type` and carries every item of `payload`; None if none."""
        ...

    def find_channel(self, name: str) -> ChannelInfo | None: ...

    def set_purpose(self, channel_id: str, purpose: str) -> None: ...

    def bot_user_id(self) -> str: ...

    def fetch_message(self, channel: str, ts: str) -> FetchedMessage | None:
        """The message `ts` (top level or in a thread); None when Slack has no such
        message. Raises ChatError when Slack refuses or cannot be reached."""
        ...

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


@dataclass(frozen=True)
class Asker:
    """Whom to tell about work that finishes later: the person, where they asked, and the
    command's `response_url` while it lasts."""

    user: str
    channel: str | None = None
    response_url: str | None = None


@dataclass(frozen=True)
class WarRoomNews:
    """How a declaration's Slack half is coming along (facts; the Slack layer words them).

    `problems` are the steps Slack refused, each with Slack's code: ("channel",
    "restricted_action"). `waiting_on` is the code that made a step wait, `retry_at` when
    it is tried again."""

    number: int
    asker: Asker
    channel_id: str | None = None
    problems: tuple[tuple[str, str], ...] = ()
    waiting_on: str | None = None
    retry_at: datetime | None = None


class DeclarationNotices(Protocol):
    """Tells the declarer that the channel is coming (a step had to wait) and when it is
    ready; `bot.slack.declaration_notices` implements it."""

    def waiting(self, news: WarRoomNews) -> None: ...

    def finished(self, news: WarRoomNews) -> None: ...

    def teller(self, asker: Asker) -> Teller: ...


class PageLinks(Protocol):
    """Signed links to the live incident page (the web layer signs them)."""

    def signed_link(self, number: int) -> str: ...


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
