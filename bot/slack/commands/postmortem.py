"""`/incident postmortem [md|json|html]` and the export buttons offered on resolve.

The format is checked before the acknowledgement (a bad one is refused at once, nothing
done); the export itself (reading the record, rendering, files upload v2) runs after it, on
the background pool: a 10,000-entry timeline must not hold Slack's three seconds.
The file goes into the incident's channel, named `INC-7-postmortem.md` (or .json, .html).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.domain.incident import reference
from bot.export.render import FORMATS, Format
from bot.services import incidents, postmortem
from bot.services.context import ServiceContext
from bot.services.ports import ChatError
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import FollowUps
from bot.slack.ids import ActionId
from bot.slack.payloads import SlackPayload, UnreadablePayload
from bot.slack.responder import Responder

HELP_ORDER = 60  # where this family stands in `/incident help`

log = logging.getLogger(__name__)

# Slack wants action ids unique within a block, so each button's id is the named id plus its
# format (`postmortem_export.md`); one listener takes them all and reads the button's value.
_EXPORT_ACTION = re.compile(rf"^{re.escape(ActionId.POSTMORTEM_EXPORT.value)}(\.\w+)?$")


class ExportButton(SlackPayload):
    """What an export button carries (its `value`)."""

    incident: int
    format: Format


def upload_export(
    ctx: ServiceContext,
    number: int,
    fmt: Format,
    *,
    asked_by: str,
    fallback_channel: str | None,
    responder: Responder,
) -> None:
    """Export and upload into the incident's channel; tell the asker where it went."""
    exported = postmortem.export_for(ctx, number, fmt)
    channel = incidents.channel_of(ctx, number) or fallback_channel
    if channel is None:
        responder.say(
            f":warning: {reference(number)} has no channel to upload into. "
            f"Export it with `warroom postmortem {reference(number)}` instead."
        )
        return
    ctx.chat.upload(
        channel,
        exported.filename,
        exported.content,
        exported.title,
        comment=f":page_facing_up: {exported.title}, exported by <@{asked_by}>.",
    )
    responder.say(f":white_check_mark: Uploaded `{exported.filename}` to <#{channel}>.")


def postmortem_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    fmt = postmortem.parse_format(inv.args)
    number, channel, user = inv.number, inv.channel_id, inv.user_id

    def after(responder: Responder) -> None:
        upload_export(
            ctx, number, fmt, asked_by=user, fallback_channel=channel, responder=responder
        )

    return Reply(
        text=f":hourglass_flowing_sand: Exporting the {reference(number)} postmortem as "
        f"{postmortem.FORMAT_LABELS[fmt]}…",
        after=after,
    )


def export_offer_blocks(number: int) -> list[dict[str, Any]]:
    """A line and one button per format; any responder may press them."""
    ref = reference(number)
    return [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":page_facing_up: Export the {ref} postmortem into this channel:",
            },
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{ActionId.POSTMORTEM_EXPORT.value}.{fmt}",
                    "text": {"type": "plain_text", "text": postmortem.FORMAT_LABELS[fmt]},
                    "value": ExportButton(incident=number, format=fmt).dump(),
                }
                for fmt in FORMATS
            ],
        },
    ]


def offer_export(ctx: ServiceContext, number: int) -> None:
    """Post the export buttons in the incident's channel (after resolve). An offer only:
    if Slack refuses, the resolve announcement already names the command."""
    channel = incidents.channel_of(ctx, number)
    if channel is None:
        return
    try:
        ctx.chat.post(
            channel,
            f"Export the {reference(number)} postmortem: `/incident postmortem [md|json|html]`",
            export_offer_blocks(number),
        )
    except ChatError as error:
        log.warning("could not offer the %s export: %s", reference(number), error.code)


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "postmortem",
            postmortem.FORMAT_USAGE,
            "export the postmortem (Markdown by default) and upload it here",
            postmortem_command,
        ),
    )


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    @app.action(_EXPORT_ACTION)
    def on_export_button(
        ack: Callable[..., None], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        ack()
        try:
            button = ExportButton.load(action.get("value"))
        except UnreadablePayload:
            log.warning("an export button carried an unreadable value; ignored")
            return
        user = str(body["user"]["id"])
        channel = (body.get("channel") or {}).get("id")
        responder = Responder(
            ctx.chat, user=user, channel=channel, response_url=body.get("response_url")
        )

        def work(r: Responder) -> None:
            upload_export(
                ctx,
                button.incident,
                button.format,
                asked_by=user,
                fallback_channel=channel,
                responder=r,
            )

        followups.submit(responder, then=work)
