"""`update <text>`: both channels, the timeline, the export; the stakeholder copy edited in
place on resolve; who may post."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot.sandbox.slack_api import FakeSlack
from bot.services.postmortem import export_incident
from tests.harness import COMMANDER, BotHarness

COMMS, ANN = "U0COMMS", "U0ANN"
STAKEHOLDERS = ""


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    global STAKEHOLDERS
    slack = FakeSlack().start()
    STAKEHOLDERS = slack.state.add_channel("stakeholders")
    harness = BotHarness(
        database_url,
        slack=slack,
        settings={
            "warroom_stakeholder_channel": STAKEHOLDERS,
            "warroom_public_url": "https://warroom.example.com",
            "warroom_page_secret": "test-page-secret",
        },
    )
    harness.slack.state.add_user(COMMS, "cora")
    harness.slack.state.add_user(ANN, "ann")
    yield harness
    harness.close()
    slack.stop()


def test_an_update_reaches_both_channels_the_timeline_and_the_export(bot: BotHarness) -> None:
    channel = bot.declare("sev1 Production <environment> deleted")
    reply = bot.command("update Restoring from backup; next update 07:30 UTC", channel=channel)
    assert reply.status == 200
    assert "posted here and in the stakeholder channel" in reply.json()["text"]

    here = [m for m in bot.posted(channel) if m.text.startswith(":loudspeaker:")]
    there = bot.posted(STAKEHOLDERS)
    assert len(here) == 1 and len(there) == 1
    text = there[0].text
    assert here[0].text == text
    assert "*INC-1: Production &lt;environment&gt; deleted*" in text
    assert "*Severity:* SEV1" in text and "investigating" in text
    assert "Restoring from backup; next update 07:30 UTC" in text
    assert f"*Commander:* <@{COMMANDER}>" in text
    assert "<https://warroom.example.com/incidents/INC-1|Incident page>" in text

    timeline = bot.command("timeline UTC", channel=channel)
    assert timeline.status == 200
    exported = json.loads(export_incident(bot.db, 1, "json", zones=(), now=bot.clock.now()).content)
    kinds = [e["kind"] for e in exported["timeline"]]
    assert "update" in kinds
    assert exported["updates"] == [
        {
            "text": "Restoring from backup; next update 07:30 UTC",
            "author": COMMANDER,
            "posted_at": bot.clock.now().isoformat(),
        }
    ]


def test_resolving_edits_the_stakeholder_message_in_place(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.command("update Restoring", channel=channel)
    posted = bot.posted(STAKEHOLDERS)[0]
    assert "investigating" in posted.text

    bot.command("resolve restored", channel=channel)

    edits = [
        c for c in bot.slack.state.calls_to("chat.update") if c.params["channel"] == STAKEHOLDERS
    ]
    assert edits and edits[-1].params["ts"] == posted.ts
    now = bot.slack.state.message(STAKEHOLDERS, posted.ts)
    assert now is not None and ":white_check_mark: resolved" in now.text
    assert "Restoring" in now.text
    assert len(bot.posted(STAKEHOLDERS)) == 1


def test_comms_may_post_others_may_not(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.command(f"role comms <@{COMMS}>", channel=channel)

    refused = bot.command("update all fine", user=ANN, channel=channel)
    assert "Only the incident commander" in refused.json()["text"]
    assert bot.posted(STAKEHOLDERS) == []

    allowed = bot.command("update from comms", user=COMMS, channel=channel)
    assert "posted" in allowed.json()["text"]
    assert len(bot.posted(STAKEHOLDERS)) == 1


def test_an_empty_update_is_refused_and_writes_nothing(bot: BotHarness) -> None:
    channel = bot.declare()
    reply = bot.command("update", channel=channel)
    assert "What is the update?" in reply.json()["text"]
    assert bot.posted(STAKEHOLDERS) == []


def test_without_a_stakeholder_channel_the_update_stays_in_the_incident_channel(
    database_url: str,
) -> None:
    harness = BotHarness(database_url)
    try:
        channel = harness.declare()
        reply = harness.command("update webhook rejected upstream", channel=channel)
        assert "posted here." in reply.json()["text"]
        posts = [m for m in harness.posted(channel) if m.text.startswith(":loudspeaker:")]
        assert len(posts) == 1 and "webhook rejected upstream" in posts[0].text
        assert "Incident page" not in posts[0].text
    finally:
        harness.close()
