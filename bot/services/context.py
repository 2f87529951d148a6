"""Everything a use case needs, passed in rather than reached for.

`bot.app.runtime.Runtime.build` makes the one `ServiceContext` of a process at start-up;
every field is named and typed, so a reader (and mypy) can see what a service may use, and
nothing is added to it later as a side effect of building the Slack app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.domain.clock import Clock
from bot.domain.readiness import ReadinessReport
from bot.runbooks.library import RunbookLibrary
from bot.services.ports import (
    Chat,
    DeclarationNotices,
    Health,
    PageLinks,
    RestoreDrills,
    SlackAccess,
    Support,
    Teller,
)
from bot.store.db import Database

if TYPE_CHECKING:
    from bot.services.nudges import Nudge

# A fresh BC/DR audit of the AWS account, at the clock's now (`bot.aws.readiness_report`).
ReadinessAudit = Callable[[], ReadinessReport]
# What the commander's nudge message says and which buttons it has (the Slack layer's).
NudgeRenderer = Callable[["Nudge"], tuple[str, list[Any]]]
# Run once a declared incident's channel is open: check the AWS plan, post runbooks, ...
# Returns the outbox rows it queued (or None), which the caller delivers.
AfterDeclare = Callable[["ServiceContext", int, Teller], Sequence[int] | None]


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
    # Regions whose AWS Health events are watched; empty: the AWS client's region.
    aws_regions: tuple[str, ...] = ()


@dataclass
class ServiceContext:
    """Built once by `Runtime.build`; tests may swap one typed field for a fake."""

    db: Database
    clock: Clock
    chat: Chat
    policy: Policy = field(default_factory=Policy)
    # The AWS Support port; None when AWS is not wired in (every support command says so).
    support: Support | None = None
    # The runbook library loaded at start-up; None: runbook commands say it is not set up.
    runbooks: RunbookLibrary | None = None
    # The readiness audit; None: `/incident readiness` says where to run it instead.
    readiness: ReadinessAudit | None = None
    # How the Slack layer draws a nudge; None: the nudge job has nothing to send with.
    render_nudge: NudgeRenderer | None = None
    # In order, after a declared incident's channel is open.
    after_declare: tuple[AfterDeclare, ...] = ()
    # The Chat for work stored in the database and retried (declaration steps, the outbox
    # job): it reports a rate limit (`ChatError.retry_after`) instead of waiting it out.
    # None: `chat` serves.
    durable_chat: Chat | None = None
    # Tells a declarer how the channel is coming along; None: nobody is told.
    declaration_notices: DeclarationNotices | None = None
    # Set when a declaration step is (re)scheduled, so the job wakes for it at once.
    declarations_wakeup: threading.Event = field(default_factory=threading.Event)
    # Signed incident-page links; None when WARROOM_PUBLIC_URL is not set.
    page_links: PageLinks | None = None
    # AWS Health (bot.aws.health); None when AWS is not wired in.
    health: Health | None = None
    # Restore drills (bot.aws.restore_drill) for `/incident drill restore`.
    restore_drills: RestoreDrills | None = None
    # Off once Slack revoked the token or the app was uninstalled; the Chat adapter checks.
    slack_access: SlackAccess = field(default_factory=SlackAccess)

    @property
    def step_chat(self) -> Chat:
        return self.durable_chat or self.chat
