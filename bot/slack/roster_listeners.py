"""What Slack tells the roster: joins, leaves, messages, and the nudge buttons.

- `member_joined_channel` in an incident channel: the person is needed.
- `member_left_channel`: the person is released.
- `message` by a person in an incident channel: they are active (quiet-time clock).
- The nudge's "Release to standby" / "Keep" buttons.

Bolt runs only the FIRST listener that matches an event, so this is the bot's one
`message` listener: anything else that must see channel messages belongs in it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk.webhook import WebhookClient

from bot.domain import mrkdwn
from bot.domain.errors import WarroomError
from bot.domain.incident import reference
from bot.domain.timefmt import humanize_seconds
from bot.services import nudges, roster
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.slack.followup import AfterAck, FollowUps
from bot.slack.ids import ActionId, BlockId
from bot.slack.payloads import SlackPayload, UnreadablePayload
from bot.slack.responder import Responder

log = logging.getLogger(__name__)

# Messages that are a person speaking; joins, edits, deletions and bot posts are not.
_SPEECH_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})


class NudgeValue(SlackPayload):
    """What a nudge button carries back (its `value`)."""

    incident: int
    user: str
    quiet_minutes: int = 0


def render_nudge(nudge: nudges.Nudge) -> tuple[str, list[Any]]:
    """The commander's question, with the two buttons."""
    quiet = humanize_seconds(nudge.quiet_seconds)
    value = NudgeValue(
        incident=nudge.incident_number, user=nudge.user_id, quiet_minutes=nudge.quiet_seconds // 60
    ).dump()
    text = (
        f":zzz: {mrkdwn.user(nudge.user_id)} has posted nothing in "
        f"{mrkdwn.channel(nudge.channel_id)} ({reference(nudge.incident_number)}: "
        f"{mrkdwn.escape(nudge.title)}) for {quiet}. Still needed on the call?"
    )
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {
            "type": "actions",
            "block_id": BlockId.NUDGE_ACTIONS,
            "elements": [
                {
                    "type": "button",
                    "action_id": ActionId.NUDGE_RELEASE,
                    "value": value,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Release to standby"},
                },
                {
                    "type": "button",
                    "action_id": ActionId.NUDGE_KEEP,
                    "value": value,
                    "text": {"type": "plain_text", "text": "Keep"},
                },
            ],
        },
    ]
    return text, blocks


def _replace_nudge(ctx: ServiceContext, body: dict[str, Any], text: str) -> None:
    """Swap the buttons for the outcome, so the question cannot be answered twice."""
    url = body.get("response_url")
    if url:
        sent = WebhookClient(url).send(text=text, replace_original=True, blocks=[])
        if sent.status_code < 300:
            return
    container = body.get("container") or {}
    channel = container.get("channel_id")
    ts = container.get("message_ts")
    if channel and ts and not container.get("is_ephemeral"):
        try:
            ctx.chat.update(channel, ts, text, blocks=[])
        except ChatError as error:
            log.warning("could not update the nudge message: %s", error.code)


def _responder(ctx: ServiceContext, body: dict[str, Any]) -> Responder:
    return Responder(
        ctx.chat,
        user=str(body["user"]["id"]),
        channel=(body.get("channel") or {}).get("id"),
        response_url=body.get("response_url"),
    )


NudgeAct = Callable[[str, NudgeValue, dict[str, Any]], AfterAck]


def _nudge_action(
    ctx: ServiceContext, followups: FollowUps, act: NudgeAct
) -> Callable[..., None]:
    """Database work before the ack; the Slack side after it; a refusal to the clicker."""

    def on_click(ack: Callable[..., None], body: dict[str, Any]) -> None:
        responder = _responder(ctx, body)
        try:
            try:
                value = NudgeValue.load(str(body["actions"][0]["value"]))
            except UnreadablePayload:
                raise WarroomError(
                    "This button could not be read. Use `/incident standby @person` in the "
                    "incident channel instead."
                ) from None
            work = act(str(body["user"]["id"]), value, body)
        except WarroomError as error:
            ack()
            message = f":warning: {error.user_message}"
            followups.tell(responder, message)
            return
        ack()
        followups.submit(responder, deliver=work.deliver, then=work.then)

    return on_click


def _release(ctx: ServiceContext) -> NudgeAct:
    def act(clicker: str, value: NudgeValue, body: dict[str, Any]) -> AfterAck:
        reason = f"quiet in the channel for {value.quiet_minutes}m (inactivity nudge)"
        change = roster.release_to_standby(
            ctx, number=value.incident, by_user=clicker, user_id=value.user, reason=reason
        )

        def after(responder: Responder) -> None:
            _replace_nudge(ctx, body, f":arrow_down_small: {change.message}")
            problem = roster.tell_person(ctx, change)
            if problem:
                responder.say(f":warning: Released to standby, but {problem}")

        return AfterAck(deliver=tuple(change.outbox_ids), then=after)

    return act


def _keep(ctx: ServiceContext) -> NudgeAct:
    def act(clicker: str, value: NudgeValue, body: dict[str, Any]) -> AfterAck:
        message = nudges.keep(ctx, number=value.incident, by_user=clicker, user_id=value.user)
        return AfterAck(then=lambda responder: _replace_nudge(ctx, body, f":+1: {message}"))

    return act


def register(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    def person(event: dict[str, Any], context: Any) -> tuple[str, str] | None:
        user, channel = event.get("user"), event.get("channel")
        if not user or not channel or user == context.get("bot_user_id"):
            return None
        return str(user), str(channel)

    @app.event("member_joined_channel")
    def on_join(event: dict[str, Any], context: Any) -> None:
        if who := person(event, context):
            roster.record_join(ctx, channel_id=who[1], user_id=who[0])

    @app.event("member_left_channel")
    def on_leave(event: dict[str, Any], context: Any) -> None:
        if who := person(event, context):
            roster.record_leave(ctx, channel_id=who[1], user_id=who[0])

    @app.event("message")
    def on_message(event: dict[str, Any], context: Any) -> None:
        if event.get("subtype") not in _SPEECH_SUBTYPES or event.get("bot_id"):
            return
        if who := person(event, context):
            roster.record_activity(ctx, channel_id=who[1], user_id=who[0])

    app.action(str(ActionId.NUDGE_RELEASE))(_nudge_action(ctx, followups, _release(ctx)))
    app.action(str(ActionId.NUDGE_KEEP))(_nudge_action(ctx, followups, _keep(ctx)))
