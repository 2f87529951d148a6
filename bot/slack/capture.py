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

from bot.domain.errors import NotAnIncidentChannel, WarroomError
from bot.domain.incident import reference
from bot.services import capture_retry, timeline
from bot.services.context import ServiceContext
from bot.slack.followup import FollowUps
from bot.slack.ids import CallbackId
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

PUSHPIN = "pushpin"
VIA_REACTION = "pushpin"
VIA_SHORTCUT = "shortcut"
NOT_AN_INCIDENT = "*Add to timeline* works on messages in an incident channel. Nothing was logged."


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
    ignored (Slack gets its 200 either way). The text comes from Slack after the
    acknowledgement; if Slack cannot give it, a job asks again, and so does a new pin."""
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
        waiting = capture_retry.pending_entry(ctx, channel, ts)
        if waiting is None:
            followups.tell(responder, f":pushpin: {error.user_message}")
        else:  # pinned again while its text is still missing: ask Slack now
            followups.submit(responder, then=lambda r: _fetch_text(ctx, r, waiting, None))
        return
    except WarroomError:  # not an incident channel, or not a message ts: not ours to log
        return
    followups.submit(responder, then=lambda r: _fetch_text(ctx, r, captured.entry_id, captured))


def _fetch_text(
    ctx: ServiceContext, r: Responder, entry_id: int, captured: timeline.Captured | None
) -> None:
    fetched = capture_retry.fetch_now(ctx, entry_id)
    if fetched is None:
        return  # completed meanwhile, or another replica is fetching it
    if fetched.complete:
        if captured is not None:
            r.say(_confirmation(captured, fetched.author_id or captured.author_id))
        else:
            r.say(":pushpin: The message's text is on the timeline now.")
        return
    r.say(
        ":warning: The message is on the timeline at the time it was posted, with its "
        f"author, but its text could not be fetched yet (Slack said `{fetched.code}`). "
        "warroom asks Slack again and fills it in; pinning it again asks at once."
    )


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
