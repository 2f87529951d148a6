"""Postmortems name people, not Slack ids, where warroom has learned the names."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.services.postmortem import export_incident
from bot.store.models import Person
from tests.harness import COMMANDER, BotHarness


def _names(bot: BotHarness) -> dict[str, str]:
    with bot.db.transaction() as session:
        return {p.user_id: p.name for p in session.scalars(select(Person))}


def test_names_come_from_commands_and_named_mentions(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.requests.command(
        "need <@U0BOB|bob> <@U0EVE>", user=COMMANDER, user_name="ada", channel=channel
    )
    bot.settle()

    assert _names(bot) == {COMMANDER: "ada", "U0BOB": "bob"}


def test_slack_export_asks_slack_for_unknown_names_and_the_cli_reuses_them(
    bot: BotHarness,
) -> None:
    bot.slack.state.add_user("U0EVE", "eve", tz="Africa/Nairobi")
    channel = bot.declare()
    bot.command("need <@U0EVE> <@U0GHOST>", channel=channel)

    bot.command("postmortem json", channel=channel)

    uploaded = json.loads(bot.slack.state.files[-1]["content"])
    assert uploaded["people"]["U0EVE"] == "eve"
    assert "U0GHOST" not in uploaded["people"]  # users.info knows no such user: stays an id
    assert {p["user"] for p in uploaded["participants"]} >= {"U0EVE", "U0GHOST"}
    markdown = export_incident(bot.db, 1, "md", zones=["UTC"], now=bot.clock.now()).content
    text = markdown.decode()
    assert "@eve" in text and "@U0GHOST" in text and "@U0EVE" not in text
