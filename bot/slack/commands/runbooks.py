"""`/incident runbook [<id>]`, runbooks posted on declare, and their "Done" buttons.

A runbook is posted as a checklist: one section per step with a "Done" button. Ticking
stores the step before Slack is acknowledged (the database decides whether it is the
first tick); the checklist message is then redrawn from the stored ticks after the
acknowledgement, so it shows who did each step and when, for everyone in the channel.

Slack allows 50 blocks in a message, so a long runbook is posted in parts of
`STEPS_PER_MESSAGE` steps; a button's step index tells which part to redraw.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.domain import mrkdwn
from bot.domain.errors import UsageError, WarroomError
from bot.domain.incident import reference
from bot.domain.runbooks import Runbook
from bot.domain.timefmt import slack_date
from bot.services import runbooks as runbook_service
from bot.services.context import ServiceContext
from bot.services.ports import ChatError, Teller
from bot.services.runbooks import StepDone
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import FollowUps
from bot.slack.ids import ActionId
from bot.slack.payloads import SlackPayload, UnreadablePayload
from bot.slack.responder import Responder

HELP_ORDER = 50  # where this family stands in `/incident help`

log = logging.getLogger(__name__)

STEPS_PER_MESSAGE = 45
SECTION_CHARS = 2900  # Slack's limit on a section's text is 3,000
INTRO_CHARS = 1500
_STEP_LINE = re.compile(r"^\s{0,3}[-*+]\s+\[[ xX]\]")


class TickValue(SlackPayload):
    """What a "Done" button carries: which runbook, which step (0-based)."""

    runbook: str
    step: int


# --- rendering ------------------------------------------------------------------------


def _parts(runbook: Runbook) -> range:
    return range(0, max(len(runbook.steps), 1), STEPS_PER_MESSAGE)


def _intro(runbook: Runbook) -> str:
    """The runbook's prose before its first step: why the steps are in this order."""
    lines: list[str] = []
    for line in runbook.body.splitlines():
        if _STEP_LINE.match(line):
            break
        lines.append(line)
    text = mrkdwn.escape("\n".join(lines).strip())
    return text if len(text) <= INTRO_CHARS else text[: INTRO_CHARS - 1] + "…"


def _when(done: StepDone) -> str:
    return slack_date(done.at)


def _step_block(runbook: Runbook, index: int, done: StepDone | None) -> dict[str, Any]:
    step = mrkdwn.escape(runbook.steps[index])
    room = SECTION_CHARS - 200
    step = step if len(step) <= room else step[: room - 1] + "…"
    if done is not None:
        return {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":white_check_mark: *{index + 1}.* {step}\n"
                f"_Done by <@{done.by}> at {_when(done)}_",
            },
        }
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": f":white_large_square: *{index + 1}.* {step}"},
        "accessory": {
            "type": "button",
            "action_id": ActionId.RUNBOOK_TICK,
            "text": {"type": "plain_text", "text": "Done"},
            "value": TickValue(runbook=runbook.id, step=index).dump(),
        },
    }


def checklist_text(runbook: Runbook, done: dict[int, StepDone], first: int = 0) -> str:
    """The message's plain text: notifications and clients without blocks show this."""
    part = ""
    if len(runbook.steps) > STEPS_PER_MESSAGE:
        last = min(first + STEPS_PER_MESSAGE, len(runbook.steps))
        part = f", steps {first + 1}-{last}"
    title = mrkdwn.escape(runbook.title)
    return f"Runbook: {title} ({len(done)}/{len(runbook.steps)} steps done{part})"


def checklist_blocks(
    runbook: Runbook, done: dict[int, StepDone], first: int = 0
) -> list[dict[str, Any]]:
    """One message of the checklist: the steps from `first` on, ticked ones marked."""
    last = min(first + STEPS_PER_MESSAGE, len(runbook.steps))
    blocks: list[dict[str, Any]] = []
    if first == 0:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":clipboard: *Runbook: {mrkdwn.escape(runbook.title)}* "
                    f"(`{runbook.id}`, {len(runbook.steps)} steps)",
                },
            }
        )
        intro = _intro(runbook)
        if intro:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": intro}})
    blocks += [_step_block(runbook, i, done.get(i)) for i in range(first, last)]
    blocks.append(
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"{len(done)}/{len(runbook.steps)} done. Press *Done* when a step "
                    "is done: it goes on the timeline with who and when.",
                }
            ],
        }
    )
    return blocks


# --- posting ----------------------------------------------------------------------------


def post_checklist(ctx: ServiceContext, number: int, channel: str, runbook: Runbook) -> None:
    """Post a runbook into an incident channel, already-ticked steps shown as done."""
    done = runbook_service.done_steps(ctx, number, runbook.id)
    for first in _parts(runbook):
        ctx.chat.post(
            channel, checklist_text(runbook, done, first), checklist_blocks(runbook, done, first)
        )


def post_matching_runbooks(ctx: ServiceContext, number: int, responder: Teller) -> None:
    """After `declare` (an `after_declare` hook): post the runbooks that fit the incident,
    best fit first. A failed post is reported and the others are still posted."""
    found = runbook_service.for_incident(ctx, number)
    if found.channel_id is None:
        return
    failed: list[str] = []
    for runbook in found.matching:
        try:
            post_checklist(ctx, number, found.channel_id, runbook)
        except ChatError as error:
            log.warning("could not post runbook %s: %s", runbook.id, error.code)
            failed.append(f"`{runbook.id}` (Slack said `{error.code}`)")
    if failed:
        responder.say(
            f":warning: {reference(number)}: these runbooks could not be posted: "
            + ", ".join(failed)
            + ". Post them with `/incident runbook <id>`."
        )


# --- the command ---------------------------------------------------------------------------


def runbook_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = inv.number
    words = inv.args.split()
    if not words:
        return Reply(text=runbook_service.describe(ctx, number))
    if len(words) > 1:
        raise UsageError("Give one runbook id: `/incident runbook <id>` (no id lists them).")
    runbook = runbook_service.library(ctx).get(words[0])
    channel = (inv.incident.channel_id if inv.incident else None) or inv.channel_id

    def post(responder: Responder) -> None:
        post_checklist(ctx, number, channel, runbook)

    return Reply(text=f":clipboard: Posting runbook `{runbook.id}` here…", after=post)


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "runbook",
            "runbook [<id>]",
            "post a runbook here as a checklist; no id lists them",
            runbook_command,
        )
    )


# --- the "Done" button ---------------------------------------------------------------------


def redraw(
    ctx: ServiceContext,
    channel: str,
    message_ts: str,
    runbook: Runbook,
    step_index: int,
    number: int,
) -> None:
    """Redraw the checklist message holding `step_index` from the stored ticks."""
    done = runbook_service.done_steps(ctx, number, runbook.id)
    first = step_index - step_index % STEPS_PER_MESSAGE
    ctx.chat.update(
        channel,
        message_ts,
        checklist_text(runbook, done, first),
        checklist_blocks(runbook, done, first),
    )


def on_tick(ctx: ServiceContext, followups: FollowUps, body: dict[str, Any]) -> None:
    """Store the tick (before the ack); redraw the message and answer refusals after it."""
    user = str((body.get("user") or {}).get("id") or "")
    channel = str((body.get("channel") or {}).get("id") or "")
    container = body.get("container") or {}
    message_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
    actions = body.get("actions") or [{}]
    responder = Responder(
        ctx.chat, user=user, channel=channel or None, response_url=body.get("response_url")
    )
    try:
        value = TickValue.load(actions[0].get("value"))
    except UnreadablePayload:
        log.warning("a runbook button carried an unreadable value; ignored")
        return
    try:
        ticked = runbook_service.tick(
            ctx, channel_id=channel, user=user, runbook_id=value.runbook, step_index=value.step
        )
    except runbook_service.AlreadyDone as error:
        message = error.user_message
        refused = error

        def answer(r: Responder) -> None:
            # The message may be stale (an earlier redraw failed): redraw it as well.
            if message_ts:
                redraw(
                    ctx, channel, message_ts, refused.runbook, value.step, refused.incident_number
                )
            r.say(f":ballot_box_with_check: {message}")

        followups.submit(responder, then=answer)
        return
    except WarroomError as error:
        text = f":warning: {error.user_message}"
        followups.tell(responder, text)
        return

    def finish(r: Responder) -> None:
        if message_ts:
            redraw(
                ctx, channel, message_ts, ticked.runbook, ticked.step_index, ticked.incident_number
            )

    followups.submit(responder, then=finish)


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    def runbook_tick(ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            on_tick(ctx, followups, body)
        finally:
            ack()

    app.action(str(ActionId.RUNBOOK_TICK))(runbook_tick)
