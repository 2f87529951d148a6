"""The `/incident` listener: parse, check, act, acknowledge, then do the slow part.

Parsing, the incident lookup, the permission check and the state change run before the
acknowledgement (they touch only the database, so the responder sees the result at once
and nothing is lost if Slack's Web API is down). Slack and AWS calls run after it, on the
background pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.app.background import BackgroundWork
from bot.domain import mrkdwn
from bot.domain.errors import UsageError, WarroomError
from bot.domain.permissions import require_commander
from bot.services import outbox, people
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.slack.commands.registry import Invocation, Registry, Reply, Scope
from bot.slack.responder import Responder
from bot.store import repo

log = logging.getLogger(__name__)


def run_command(ctx: ServiceContext, registry: Registry, body: dict[str, Any]) -> Reply:
    text = mrkdwn.unescape(str(body.get("text") or "")).strip()
    inv = Invocation(
        user_id=str(body.get("user_id")),
        channel_id=str(body.get("channel_id")),
        args="",
        trigger_id=body.get("trigger_id"),
        response_url=body.get("response_url"),
    )
    if not text:
        return Reply(text=registry.help_text())
    found = registry.match(text)
    if found is None:
        word = text.split()[0]
        raise UsageError(
            f"`/incident {word}` is not a command. Type `/incident help` for the list."
        )
    command, inv.args = found
    if command.scope is Scope.INCIDENT:
        with ctx.db.transaction() as session:
            inv.incident = repo.incident_by_channel(session, inv.channel_id, command=command.words)
            session.expunge(inv.incident)
        if command.commander_only:
            require_commander(
                inv.user_id, inv.incident.commander_id, ctx.policy.admins, command.words
            )
    return command.handler(ctx, inv)


def guarded(work: Callable[[Responder], None], responder: Responder) -> Callable[[], None]:
    """After-acknowledgement work: any refusal or Slack failure reaches the person."""

    def run() -> None:
        try:
            work(responder)
        except WarroomError as error:
            responder.say(f":warning: {error.user_message}")
        except ChatError as error:
            log.warning("Slack failed after the acknowledgement: %s", error)
            responder.say(
                f":warning: Slack refused a step (`{error.code}`). What you asked for is "
                "stored; the message about it may be missing."
            )

    return run


def _deliver_then(ctx: ServiceContext, reply: Reply) -> Callable[[Responder], None]:
    """The one place a command's queued posts are delivered, before its `after` work."""

    def work(responder: Responder) -> None:
        if reply.deliver and outbox.deliver(ctx.db, ctx.chat, ctx.clock, reply.deliver):
            responder.say(
                ":warning: Stored, but Slack did not take a post about it yet; warroom will "
                "retry posting it."
            )
        if reply.after is not None:
            reply.after(responder)  # type: ignore[call-arg]

    return work


def make_command_listener(
    ctx: ServiceContext, registry: Registry, background: BackgroundWork
) -> Callable[..., None]:
    def on_incident(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            reply = run_command(ctx, registry, body)
        except WarroomError as error:
            ack(response_type="ephemeral", text=f":warning: {error.user_message}")
            return
        payload: dict[str, Any] = {
            "response_type": "in_channel" if reply.in_channel else "ephemeral"
        }
        if reply.text:
            payload["text"] = reply.text
        if reply.blocks:
            payload["blocks"] = reply.blocks
        ack(**payload) if reply.text or reply.blocks else ack()
        background.submit(
            lambda: people.learn_from_command(
                ctx, str(body.get("user_id")), body.get("user_name"), str(body.get("text") or "")
            )
        )
        if reply.after is not None or reply.deliver:
            responder = Responder(
                ctx.chat,
                user=str(body.get("user_id")),
                channel=body.get("channel_id"),
                response_url=body.get("response_url"),
            )
            background.submit(guarded(_deliver_then(ctx, reply), responder))

    return on_incident
