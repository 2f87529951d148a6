"""Capturing messages from the conversation: the "Add to timeline" message shortcut and a
`:pushpin:` reaction.

Both log the message at the time it was POSTED, with its author (not the person who
captured it) and a permalink. The entry is written before Slack is acknowledged, so the
decision "new or already captured" is made once, by the database's unique constraint on
(incident, message ts): Slack's retries and a second replica get "already on the timeline"
instead of a second entry. Slack calls (the message text a reaction does not carry, the
permalink, telling the person) happen after the acknowledgement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.domain.errors import NotAnIncidentChannel, WarroomError
from bot.domain.incident import reference
from bot.domain.text_clean import clean_text
from bot.services import timeline
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.slack.followup import FollowUps
from bot.slack.ids import CallbackId
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

PUSHPIN = "pushpin"
VIA_REACTION = "pushpin"
VIA_SHORTCUT = "shortcut"
NOT_AN_INCIDENT = "*Add to timeline* works on messages in an incident channel. Nothing was logged."


def fetch_message(client: Any, channel: str, ts: str) -> dict[str, Any] | None:
    """The message `ts` in `channel` from Slack (top level, or a reply in a thread).

    Needs the `channels:history` (and `groups:history` for private channels) scope.
    Raises ChatError when Slack refuses or cannot be reached.
    """
    try:
        history = client.conversations_history(
            channel=channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
        found = _matching(history.get("messages"), ts)
        if found is not None:
            return found
        # A reply inside a thread is not in the channel's history; its thread has it.
        replies = client.conversations_replies(
            channel=channel, ts=ts, latest=ts, oldest=ts, inclusive=True, limit=200
        )
        return _matching(replies.get("messages"), ts)
    except SlackApiError as error:
        code = str(error.response.get("error") or error.response.status_code)
        raise ChatError(code, "conversations.history") from None
    except (SlackRequestError, OSError) as error:
        log.warning("Slack unreachable fetching a message: %s", type(error).__name__)
        raise ChatError("slack_unreachable", "conversations.history") from None


def _matching(messages: Any, ts: str) -> dict[str, Any] | None:
    for message in messages or []:
        if isinstance(message, dict) and message.get("ts") == ts:
            # Stored on the timeline: without control characters or bidi overrides.
            return {**message, "text": clean_text(str(message.get("text") or ""))}
    return None


def _confirmation(captured: timeline.Captured, author: str | None) -> str:
    who = f"<@{author}>'s message" if author else "The message"
    return (
        f":pushpin: {who} is on the {reference(captured.incident_number)} timeline, at "
        f"{captured.occurred_at:%Y-%m-%d %H:%M:%S} UTC, when it was posted."
    )


def on_pushpin(
    ctx: ServiceContext, followups: FollowUps, event: dict[str, Any], client: Any
) -> None:
    """`reaction_added`: anything but a pushpin on a message in an incident channel is
    ignored (Slack gets its 200 either way)."""
    item = event.get("item") or {}
    if event.get("reaction") != PUSHPIN or item.get("type") != "message":
        return
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    reactor = str(event.get("user") or "")
    if not channel or not ts:
        return
    responder = Responder(ctx.chat, user=reactor, channel=channel, response_url=None)
    try:
        captured = timeline.capture_message(
            ctx,
            channel_id=channel,
            message_ts=ts,
            author_id=event.get("item_user"),
            text=None,
            captured_by=reactor,
            via=VIA_REACTION,
        )
    except timeline.AlreadyOnTimeline as error:
        followups.tell(responder, f":pushpin: {error.user_message}")
        return
    except WarroomError:  # not an incident channel, or not a message ts: not ours to log
        return

    def finish(r: Responder) -> None:
        problem: str | None = None
        try:
            message = fetch_message(client, channel, ts)
        except ChatError as error:
            message, problem = None, error.code
        if message is None:
            why = f"Slack said `{problem}`" if problem else "Slack did not return it"
            timeline.complete_capture(
                ctx,
                captured.entry_id,
                text=f"(the message text could not be fetched: {why}; see the link)",
                permalink=ctx.chat.permalink(channel, ts),
            )
            r.say(
                f":warning: The message is on the timeline at the time it was posted, but "
                f"its text could not be fetched ({why}). The entry links to it."
            )
            return
        author = message.get("user") or captured.author_id
        timeline.complete_capture(
            ctx,
            captured.entry_id,
            text=str(message.get("text") or ""),
            author_id=author,
            permalink=ctx.chat.permalink(channel, ts),
        )
        r.say(_confirmation(captured, author))

    followups.submit(responder, then=finish)


def on_add_to_timeline(
    ctx: ServiceContext, followups: FollowUps, body: dict[str, Any]
) -> None:
    """The message shortcut: the payload carries the message, so the entry is complete
    before the ack except for its permalink."""
    message = body.get("message") or {}
    channel = str((body.get("channel") or {}).get("id") or "")
    user = str((body.get("user") or {}).get("id") or "")
    ts = str(message.get("ts") or body.get("message_ts") or "")
    responder = Responder(
        ctx.chat, user=user, channel=channel or None, response_url=body.get("response_url")
    )
    try:
        captured = timeline.capture_message(
            ctx,
            channel_id=channel,
            message_ts=ts,
            author_id=message.get("user"),
            text=str(message.get("text") or ""),
            captured_by=user,
            via=VIA_SHORTCUT,
        )
    except NotAnIncidentChannel:
        followups.tell(responder, f":warning: {NOT_AN_INCIDENT}")
        return
    except timeline.AlreadyOnTimeline as error:
        followups.tell(responder, f":pushpin: {error.user_message}")
        return

    def finish(r: Responder) -> None:
        timeline.complete_capture(ctx, captured.entry_id, permalink=ctx.chat.permalink(channel, ts))
        r.say(_confirmation(captured, captured.author_id))

    followups.submit(responder, then=finish)


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    def reaction_added(event: dict[str, Any], client: Any) -> None:
        on_pushpin(ctx, followups, event, client)

    def add_to_timeline(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            on_add_to_timeline(ctx, followups, body)
        finally:
            ack()

    app.event("reaction_added")(reaction_added)
    app.message_shortcut(str(CallbackId.ADD_TO_TIMELINE))(add_to_timeline)
