"""Everything a use case needs, passed in rather than reached for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.app.settings import Settings
from bot.domain.clock import Clock
from bot.domain.support import Support
from bot.services.ports import Chat, PageLinks
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
    public_url: str | None = None
    stakeholder_channel: str | None = None
    # Minutes between stakeholder updates by severity value (`sev1`); 0 = never remind.
    update_minutes: Mapping[str, int] = field(default_factory=dict)

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
            public_url=settings.warroom_public_url,
            stakeholder_channel=settings.warroom_stakeholder_channel,
            update_minutes=dict(settings.warroom_update_minutes),
        )


@dataclass
class ServiceContext:
    db: Database
    clock: Clock
    chat: Chat
    policy: Policy = field(default_factory=Policy)
    # The AWS Support port; None when AWS is not wired in (every support command says so).
    support: Support | None = None
    # Signed incident-page links; None when WARROOM_PUBLIC_URL is not set.
    page_links: PageLinks | None = None
    # What start-up adds beside the ports, by name: the runbook library ("runbooks"), the
    # readiness report builder ("readiness"), the hooks run once a declared incident's
    # channel is open ("after_declare").
    extras: dict[str, Any] = field(default_factory=dict)
