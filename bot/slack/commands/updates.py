"""`update <text>` (stakeholder updates), its reminder button and form, and `page`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import App

from bot.app.background import BackgroundWork
from bot.domain.errors import WarroomError
from bot.domain.incident import reference
from bot.services import outbox, update_reminders, updates
from bot.services.context import ServiceContext
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.dispatch import guarded
from bot.slack.ids import ActionId, BlockId, CallbackId
from bot.slack.responder import Responder
from bot.slack.update_render import (
    UpdateFormMetadata,
    read_update_submission,
    render_stakeholder_update,
    update_modal,
)

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
    assert inv.incident is not None
    ref = reference(inv.incident.number)
    if ctx.page_links is None:
        return Reply(
            text=f"{ref} has no incident page link: WARROOM_PUBLIC_URL is not set for this "
            "bot, so there is no public address to link to."
        )
    link = ctx.page_links.signed_link(inv.incident.number)
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


def register_listeners(app: App, ctx: ServiceContext, background: BackgroundWork) -> None:
    app.action(str(ActionId.UPDATE_REMINDER_OPEN))(_open_form(ctx, background))
    app.view(str(CallbackId.UPDATE_MODAL))(_submitted(ctx, background))


def _open_form(ctx: ServiceContext, background: BackgroundWork) -> Callable[..., None]:
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
        except (ValidationError, KeyError, IndexError):
            message = ":warning: This button could not be read. Use `/incident update <text>`."
            background.submit(guarded(lambda r: r.say(message), responder))
            return
        trigger_id = str(body.get("trigger_id") or "")

        def open_form(responder: Responder) -> None:
            # views.open needs the trigger within 3 s: the draft is one short read.
            draft = update_reminders.draft_since_last_update(ctx, number)
            ctx.chat.open_view(trigger_id, update_modal(number, draft))

        background.submit(guarded(open_form, responder))

    return on_click


def _submitted(ctx: ServiceContext, background: BackgroundWork) -> Callable[..., None]:
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
        except ValidationError:
            ack(response_action="errors", errors={BlockId.UPDATE_TEXT: "This form is stale."})
            return
        except WarroomError as error:
            ack(response_action="errors", errors={BlockId.UPDATE_TEXT: error.user_message[:150]})
            return
        ack()
        ids = posted.outbox_ids

        def deliver() -> None:
            # A form has no command Reply; its queued posts are delivered here, after the
            # ack, and what Slack refuses stays in the outbox for the retry loop.
            outbox.deliver(ctx.db, ctx.chat, ctx.clock, ids)

        background.submit(deliver)

    return on_submit
