"""Everything a use case needs, passed in rather than reached for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.app.settings import Settings
from bot.domain.clock import Clock
from bot.domain.support import Support
from bot.services.ports import Chat, Health, RestoreDrills
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
    # Regions whose AWS Health events are watched; empty: the AWS client's region.
    aws_regions: tuple[str, ...] = ()

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
            aws_regions=settings.warroom_aws_regions,
        )


@dataclass
class ServiceContext:
    db: Database
    clock: Clock
    chat: Chat
    policy: Policy = field(default_factory=Policy)
    # The AWS Support port; None when AWS is not wired in (every support command says so).
    support: Support | None = None
    # AWS Health (bot.aws.health); None when AWS is not wired in.
    health: Health | None = None
    # Restore drills (bot.aws.restore_drill) for `/incident drill restore`.
    restore_drills: RestoreDrills | None = None
    # What start-up adds beside the ports, by name: the runbook library ("runbooks"), the
    # readiness report builder ("readiness"), the hooks run once a declared incident's
    # channel is open ("after_declare").
    extras: dict[str, Any] = field(default_factory=dict)
