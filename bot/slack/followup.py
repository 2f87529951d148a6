"""Work after Slack's acknowledgement: one shape for commands, views, shortcuts, buttons and
events.

A listener stores what changed and acknowledges; everything that talks to Slack (or AWS)
afterwards is an `AfterAck`: the outbox rows the change queued, then an optional follow-up
that may tell the asker something. `FollowUps.submit` runs it on the background pool, and
`FollowUps.run` is the one place where
- the outbox rows of a change are delivered (a row Slack would not take stays pending, the
  outbox job retries it, and the asker hears that it is coming), and
- a refusal (`WarroomError`), a Slack failure (`ChatError`) or a bug becomes the asker's
  reply, instead of a silent thread death.

Why not bolt's lazy listeners: they would run the same work on bolt's own executor, but give
no way to wait until it is done (tests and the demo need `BackgroundWork.wait_idle`, with no
sleeps), and views, buttons and events would still each need their own error handling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain.errors import WarroomError
from bot.services import outbox
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

# Outbox rows a follow-up queued, for `FollowUps.run` to deliver after it.
Queued = Sequence[int] | None
# Work after the acknowledgement that may tell the asker something.
FollowUp = Callable[[Responder], Queued]

UNDELIVERED = (
    ":warning: The change is stored, but Slack did not take the announcement; warroom will "
    "retry posting it."
)


class WorkPool(Protocol):
    """Runs work off the request thread (`bot.app.background.BackgroundWork`)."""

    def submit(self, work: Callable[[], None]) -> None: ...


@dataclass(frozen=True)
class AfterAck:
    """What a listener leaves for after the acknowledgement."""

    deliver: tuple[int, ...] = ()
    then: FollowUp | None = None

    @property
    def empty(self) -> bool:
        return not self.deliver and self.then is None


class FollowUps:
    def __init__(self, ctx: ServiceContext, background: WorkPool) -> None:
        self.ctx = ctx
        self.background = background

    def submit(
        self,
        responder: Responder,
        *,
        deliver: Sequence[int] = (),
        then: FollowUp | None = None,
    ) -> None:
        work = AfterAck(tuple(deliver), then)
        if not work.empty:
            self.background.submit(lambda: self.run(responder, work))

    def tell(self, responder: Responder, text: str) -> None:
        """Answer after the acknowledgement (telling someone is a Slack call)."""
        self.submit(responder, then=lambda r: r.say(text))

    def _deliver(self, responder: Responder, ids: Queued) -> None:
        """The one place where outbox rows are sent right after a change (the outbox job
        retries what Slack would not take)."""
        if ids and outbox.deliver(self.ctx.db, self.ctx.chat, self.ctx.clock, ids):
            responder.say(UNDELIVERED)

    def run(self, responder: Responder, work: AfterAck) -> None:
        try:
            self._deliver(responder, work.deliver)
            if work.then is not None:
                self._deliver(responder, work.then(responder))
        except WarroomError as error:
            responder.say(f":warning: {error.user_message}")
        except ChatError as error:
            log.warning("Slack failed after the acknowledgement: %s", error)
            responder.say(
                f":warning: Slack refused a step (`{error.code}`). What you asked for is "
                "stored; the message about it may be missing."
            )
        except Exception:
            log.exception("work after the acknowledgement failed")
            responder.say(
                ":warning: Something went wrong after warroom stored what you asked for; "
                "the rest of it did not happen. Try again, or ask warroom's operator."
            )
