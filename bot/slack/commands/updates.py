"""`update <text>` (stakeholder updates), its reminder button and form, and `page`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.domain.errors import WarroomError
from bot.domain.incident import reference
from bot.services import update_reminders, updates
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import FollowUps
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.payloads import UnreadablePayload
from bot.slack.responder import Responder
from bot.slack.update_render import (
    UpdateFormMetadata,
    read_update_submission,
    render_stakeholder_update,
    update_modal,
)

HELP_ORDER = 35  # where this family stands in `/incident help`

REMIND_FLAGS = {"--remind": True, "--no-remind": False}


def update_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    flag = inv.args.strip().lower()
    if flag in REMIND_FLAGS:
        message = updates.set_reminders(
            ctx, channel_id=inv.channel_id, user=inv.user_id, on=REMIND_FLAGS[flag]
        )
        return Reply(text=message)
    posted = updates.post_update(
        ctx,
        channel_id=inv.channel_id,
        user=inv.user_id,
        text=inv.args,
        render=render_stakeholder_update,
    )
    return Reply(text=posted.message, deliver=tuple(posted.outbox_ids))


def refresh_stakeholder_posts(ctx: ServiceContext, number: int) -> None:
    """The stakeholder channel's copies show the state now (called after status,
    severity and resolve changes)."""
    updates.refresh_stakeholder_posts(ctx, number, render_stakeholder_update)


def page_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    ref = reference(inv.number)
    if ctx.page_links is None:
        return Reply(
            text=f"{ref} has no incident page link: WARROOM_PUBLIC_URL is not set for this "
            "bot, so there is no public address to link to."
        )
    link = ctx.page_links.signed_link(inv.number)
    return Reply(
        text=f":link: <{link}|Live incident page of {ref}> (for you: valid 24 hours, for {ref} "
        "only; people in the workspace can also sign in with Slack)."
    )


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "update",
            "update <text>",
            "post a stakeholder update here and in the stakeholder channel (commander, "
            "comms or admin); `update --remind` turns reminders on for a drill",
            update_command,
        ),
        Command("page", "page", "a signed link to the live incident page, for you", page_command),
    )


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    app.action(str(ActionId.UPDATE_REMINDER_OPEN))(_open_form(ctx, followups))
    app.view(str(CallbackId.UPDATE_MODAL))(_submitted(ctx, followups))


def _open_form(ctx: ServiceContext, followups: FollowUps) -> Callable[..., None]:
    def on_click(ack: Callable[..., None], body: dict[str, Any]) -> None:
        ack()
        user = str(body["user"]["id"])
        responder = Responder(
            ctx.chat,
            user=user,
            channel=(body.get("channel") or {}).get("id"),
            response_url=body.get("response_url"),
        )
        try:
            number = UpdateFormMetadata.load(str(body["actions"][0]["value"])).incident
        except (UnreadablePayload, KeyError, IndexError):
            message = ":warning: This button could not be read. Use `/incident update <text>`."
            followups.tell(responder, message)
            return
        trigger_id = str(body.get("trigger_id") or "")

        def open_form(responder: Responder) -> None:
            # views.open needs the trigger within 3 s: the draft is one short read.
            draft = update_reminders.draft_since_last_update(ctx, number)
            ctx.chat.open_view(trigger_id, update_modal(number, draft))

        followups.submit(responder, then=open_form)

    return on_click


def _submitted(ctx: ServiceContext, followups: FollowUps) -> Callable[..., None]:
    def on_submit(ack: Callable[..., None], body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        try:
            number = UpdateFormMetadata.load(view.get("private_metadata")).incident
            posted = updates.post_update(
                ctx,
                number=number,
                user=user,
                text=read_update_submission(view["state"]["values"]),
                render=render_stakeholder_update,
            )
        except WarroomError as error:  # an unreadable form (UnreadablePayload) included
            ack(response_action="errors", errors={BlockId.UPDATE_TEXT: error.user_message[:150]})
            return
        ack()
        responder = Responder(ctx.chat, user=user, channel=None, response_url=None)
        followups.submit(responder, deliver=posted.outbox_ids)

    return on_submit
