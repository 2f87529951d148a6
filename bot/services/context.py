"""Everything a use case needs, passed in rather than reached for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import Settings
from bot.domain.clock import Clock
from bot.services.ports import Chat
from bot.store.db import Database


@dataclass(frozen=True)
class Policy:
    """The settings services act on, without the secrets."""

    team_timezones: tuple[str, ...] = ("UTC",)
    admins: tuple[str, ...] = ()
    channel_prefix: str = "inc"
    support_cc: tuple[str, ...] = ()
    support_service_code: str | None = None
    support_category_code: str | None = None
    nudge_minutes: int = 45
    support_poll_seconds: int = 60
    runbooks_dir: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            team_timezones=settings.warroom_team_timezones,
            admins=settings.warroom_admins,
            channel_prefix=settings.warroom_channel_prefix,
            support_cc=settings.warroom_support_cc,
            support_service_code=settings.warroom_support_service_code,
            support_category_code=settings.warroom_support_category_code,
            nudge_minutes=settings.warroom_nudge_minutes,
            support_poll_seconds=settings.warroom_support_poll_seconds,
            runbooks_dir=settings.warroom_runbooks_dir,
        )


@dataclass
class ServiceContext:
    db: Database
    clock: Clock
    chat: Chat
    policy: Policy = field(default_factory=Policy)
    # The AWS Support port (bot.domain.support.Support); None when AWS is not wired in.
    support: Any = None
    # Extra ports added by later features (runbook library...), by name.
    extras: dict[str, Any] = field(default_factory=dict)
    # Reports an error from after-acknowledgement work to the person who asked.
    on_background_error: Callable[[Exception], None] | None = None
