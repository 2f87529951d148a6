"""The demo's review scenes: what users saw (the impact board), the action items with
owners and due dates, and the analysis written in the form `/incident analysis` opens.

The story's own war room learned the impact only by asking around: the store apps were
fine (they serve from cache), the internal build was broken (no stack to deploy to), and
the internal admin tooling and the vendor web app got no data (the tables were gone).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.slack.ids import ActionId, CallbackId

if TYPE_CHECKING:
    from bot.sandbox.demo import Scene


def impact_board(scene: Scene) -> None:
    scene.at("Ada asks what users actually see, surface by surface", minutes=1)
    scene.type("U0ADA", "impact ok store apps | iOS and Android serve from their cache")
    scene.type("U0KOFI", "impact down internal build | CI cannot deploy: the stack is gone")
    scene.type("U0AMARA", "impact down internal admin tooling | no data: the tables are gone")
    scene.type("U0AMARA", "impact down vendor web app | no data since 06:20")
    state = scene.bot.slack.state
    channel = state.channels[scene.channel or ""]
    pinned = state.message(channel.id, channel.pins[0]) if channel.pins else None
    if pinned is not None:
        impact = [line for line in pinned.text.splitlines() if line.startswith("*Impact:*")]
        scene.transcript.block("(the pinned summary now says)", "\n".join(impact))


def impact_recovers(scene: Scene) -> None:
    scene.at("The restored tables feed the apps again", minutes=2)
    scene.type(
        "U0AMARA", "impact degraded vendor web app | data back, three days of orders missing"
    )
    scene.type("U0AMARA", "impact ok internal admin tooling")
    scene.type("U0KOFI", "impact ok internal build | stack redeployed")
    scene.type("U0WANJIRU", "impact")


def action_items(scene: Scene) -> None:
    scene.at("Action items, each with an owner", minutes=2)
    scene.type(
        "U0KOFI",
        "followup Turn on point-in-time recovery for every DynamoDB table <@U0WANJIRU> "
        "due 2026-09-30",
    )
    scene.type(
        "U0ADA",
        "followup Buy a support plan before we need it; run warroom readiness weekly "
        "<@U0ADA> due 2026-09-23",
    )
    scene.type(
        "U0MUTALE", "followup Turn on termination protection for production stacks <@U0KOFI>"
    )
    scene.type("U0KOFI", "followup done 3")


def write_the_analysis(scene: Scene) -> None:
    scene.at("Ada opens the review form: warroom has prefilled what it knows", minutes=10)
    scene.type("U0ADA", "impact ok vendor web app | missing orders re-entered from e-mails")
    scene.type("U0ADA", "analysis")
    views = scene.bot.slack.state.views
    if not views:
        return
    view = views[-1]["view"]
    prefilled = {
        block["block_id"]: block["element"].get("initial_value", "") for block in view["blocks"]
    }
    shown = sum(1 for value in prefilled.values() if value)
    scene.transcript.block("(the form)", f"{len(prefilled)} sections, {shown} prefilled")
    written = {
        "analysis_summary": (
            "A failed CloudFormation rollback was cleared by deleting the production stack, "
            "which deleted the DynamoDB tables in it; AWS Support restored the orders table "
            "from an internal backup three days old."
        ),
        "analysis_impact": (
            "For 2 h 18 min the vendor web app and the internal admin tooling got no data "
            "and the internal build could not deploy; the store apps kept working from "
            "their cache. Three days of orders were missing until re-entered from e-mails."
        ),
        "analysis_root_cause": (
            "Deleting a stack deletes the resources it owns: the production DynamoDB tables "
            "lived in the API stack, with no termination protection, no deletion policy and "
            "no point-in-time recovery."
        ),
        "analysis_contributing_factors": (
            "No AWS support plan with API access; nobody had run a restore; the runbook for "
            "UPDATE_ROLLBACK_FAILED did not warn that deleting the stack takes its data."
        ),
        "analysis_went_well": (
            "The war room opened at once; people in four zones read one timeline; six people "
            "were released to their day as soon as they had given what they knew."
        ),
        "analysis_went_wrong": (
            "It took 3 h 25 min to declare; the impact per surface was learned by asking "
            "around; Business support was bought on a credit card mid-incident."
        ),
    }
    values: dict[str, Any] = {
        block_id: {ActionId.ANALYSIS_TEXT: {"type": "plain_text_input", "value": text or None}}
        for block_id, text in {**prefilled, **written}.items()
    }
    scene.transcript.typed("U0ADA", "[writes the root cause and three more sections; Save]")
    scene.bot.requests.view_submission(
        user="U0ADA",
        callback_id=CallbackId.ANALYSIS_MODAL,
        values=values,
        private_metadata=str(view["private_metadata"]),
    )
    scene.bot.settle()
    scene.transcript.flush()
    scene.type(
        "U0ADA",
        "analysis lucky AWS still had internal backups of the orders table three days old",
    )
