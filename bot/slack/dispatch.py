"""The `/incident` listener: parse, check, act, acknowledge, then do the slow part.

Parsing, the incident lookup, the permission check and the state change run before the
acknowledgement (they touch only the database, so the responder sees the result at once
and nothing is lost if Slack's Web API is down). Slack and AWS calls run after it, through
`bot.slack.followup`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.domain import mrkdwn
from bot.domain.errors import UsageError, WarroomError
from bot.domain.permissions import require_commander
from bot.services import incidents, people
from bot.services.context import ServiceContext
from bot.services.retry import retry_transient
from bot.slack.commands.registry import Invocation, Registry, Reply, Scope
from bot.slack.followup import FollowUps
from bot.slack.responder import Responder

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
        inv.incident = incidents.ref_by_channel(ctx, inv.channel_id, command=command.words)
        if command.commander_only:
            require_commander(
                inv.user_id, inv.incident.commander_id, ctx.policy.admins, command.words
            )
    return command.handler(ctx, inv)


def make_command_listener(
    ctx: ServiceContext, registry: Registry, followups: FollowUps
) -> Callable[..., None]:
    def on_incident(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            # A database that drops a connection is tried again, whole command at a time;
            # when it still does not answer, the person is told nothing was stored.
            reply = retry_transient(lambda: run_command(ctx, registry, body), what="Your command")
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
        user = str(body.get("user_id"))
        followups.background.submit(
            lambda: people.learn_from_command(
                ctx, user, body.get("user_name"), str(body.get("text") or "")
            )
        )
        channel, response_url = body.get("channel_id"), body.get("response_url")
        responder = Responder(ctx.chat, user=user, channel=channel, response_url=response_url)
        followups.submit(responder, deliver=reply.deliver, then=reply.after)

    return on_incident
