"""`followup`, `followup done`, `impact` and `analysis`: what the review will act on.

All four only touch the database before the acknowledgement; `impact` then refreshes the
pinned summary, and `analysis` alone opens the form (Slack needs the trigger id within
3 s, so the view is opened right after the ack).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.domain import mrkdwn
from bot.domain.errors import UsageError, WarroomError
from bot.domain.incident import reference
from bot.services import analysis, followups, impact, incidents
from bot.services.context import ServiceContext
from bot.slack.analysis_modal import (
    AnalysisModalMetadata,
    analysis_modal,
    read_analysis_submission,
)
from bot.slack.commands.registry import Command, Invocation, Registry, Reply
from bot.slack.followup import FollowUps
from bot.slack.ids import CallbackId
from bot.slack.payloads import UnreadablePayload
from bot.slack.responder import Responder
from bot.slack.timeline_render import safe_text

log = logging.getLogger(__name__)
HELP_ORDER = 55  # where this family stands in `/incident help`
_ICONS = {"down": ":red_circle:", "degraded": ":large_orange_circle:", "ok": ":large_green_circle:"}


def followup_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    added = followups.add_followup(
        ctx, incident_number=inv.number, user=inv.user_id, text=inv.args
    )
    details = []
    if added.owner:
        details.append(f"owner {mrkdwn.user(added.owner)}")
    if added.due:
        details.append(f"due {added.due.isoformat()}")
    extra = f" ({', '.join(details)})" if details else " (no owner yet: mention one)"
    return Reply(
        text=f":dart: Action item {added.number} recorded for the "
        f"{reference(added.incident_number)} postmortem{extra}: {safe_text(added.text)}\n"
        f"Mark it done with `/incident followup done {added.number}`."
    )


def followup_done_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = followups.parse_done(inv.args)
    done = followups.mark_done(ctx, incident_number=inv.number, user=inv.user_id, number=number)
    if done.already:
        return Reply(text=f"Action item {number} was already done. Nothing changed.")
    return Reply(text=f":white_check_mark: Action item {number} done: {safe_text(done.text)}")


def impact_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = inv.number
    if not inv.args.strip():
        board = impact.board(ctx, number)
        if not board:
            return Reply(
                text=f"Nothing on the {reference(number)} impact board yet. "
                f"`/incident {impact.IMPACT_USAGE}`"
            )
        lines = [f"*What users see ({reference(number)})*"]
        lines += [
            f"{_ICONS[s.status]} {mrkdwn.escape(s.surface)}: *{s.status}*"
            + (f" ({mrkdwn.escape(s.note)})" if s.note else "")
            + f" since <!date^{int(s.since.timestamp())}^{{time}}|{s.since:%H:%M} UTC>"
            for s in board
        ]
        return Reply(text="\n".join(lines))
    changed = impact.set_impact(ctx, incident_number=number, user=inv.user_id, args=inv.args)
    s = changed.surface
    was = f" (was {changed.previous})" if changed.previous and changed.previous != s.status else ""

    def refresh(responder: Responder) -> None:
        incidents.refresh_summary(ctx, number)

    return Reply(
        text=f"{_ICONS[s.status]} Impact: {mrkdwn.escape(s.surface)} is *{s.status}*{was}"
        + (f": {mrkdwn.escape(s.note)}" if s.note else "")
        + ". On the timeline and the pinned summary.",
        after=refresh,
    )


def analysis_command(ctx: ServiceContext, inv: Invocation) -> Reply:
    number = inv.number
    if inv.args.strip():
        section, text = analysis.parse_section(inv.args)
        analysis.set_section(
            ctx, incident_number=number, user=inv.user_id, section=section, text=text
        )
        return Reply(
            text=f":memo: {analysis.TITLES[section]} saved for the {reference(number)} review."
        )
    if not inv.trigger_id:
        raise UsageError(f"Set one section: `/incident {analysis.ANALYSIS_USAGE}`")
    trigger_id, channel = inv.trigger_id, inv.channel_id
    values = analysis.draft(ctx, number)

    def open_form(responder: Responder) -> None:
        metadata = AnalysisModalMetadata(incident=number, channel_id=channel)
        ctx.chat.open_view(trigger_id, analysis_modal(metadata, analysis.TITLES, values))

    return Reply(after=open_form)


def register(registry: Registry) -> None:
    registry.add(
        Command(
            "followup",
            followups.FOLLOWUP_USAGE,
            "record an action item; the first @mention owns it",
            followup_command,
        ),
        Command(
            "followup done",
            followups.DONE_USAGE,
            "mark action item n done (its owner, its author or the commander)",
            followup_done_command,
        ),
        Command(
            "impact",
            impact.IMPACT_USAGE,
            "what users see, per surface; alone, the impact board",
            impact_command,
        ),
        Command(
            "analysis",
            analysis.ANALYSIS_USAGE,
            "the review: alone, a form with the ten sections prefilled",
            analysis_command,
        ),
    )


def register_listeners(app: App, ctx: ServiceContext, followups: FollowUps) -> None:
    @app.view(str(CallbackId.ANALYSIS_MODAL))
    def on_analysis_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str(body["user"]["id"])
        try:
            metadata = AnalysisModalMetadata.load(view.get("private_metadata"))
        except UnreadablePayload as error:
            ack(response_action="errors", errors={"analysis_summary": error.user_message[:150]})
            return
        values = read_analysis_submission(view.get("state", {}).get("values", {}), analysis.TITLES)
        try:
            changed = analysis.save_sections(
                ctx, incident_number=metadata.incident, user=user, values=values
            )
        except WarroomError as error:
            ack(response_action="errors", errors={"analysis_summary": error.user_message[:150]})
            return
        ack()
        responder = Responder(ctx.chat, user=user, channel=metadata.channel_id, response_url=None)
        count = len(changed)

        def confirm(r: Responder) -> None:
            r.say(
                f":memo: The {reference(metadata.incident)} review is saved "
                f"({count} section{'s' if count != 1 else ''} changed)."
            )

        followups.submit(responder, then=confirm)
