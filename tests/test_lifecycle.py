"""`status`, `severity`, `resolve`, and who may run them."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Incident, TimelineEntry
from tests.harness import BotHarness

RESPONDER = "U0RESP"


def _incident(bot: BotHarness) -> Incident:
    with bot.db.transaction() as session:
        return session.scalars(select(Incident)).one()


def _kinds(bot: BotHarness) -> list[str]:
    with bot.db.transaction() as session:
        return [e.kind for e in session.scalars(select(TimelineEntry).order_by(TimelineEntry.id))]


def test_status_change_is_stored_announced_and_on_the_timeline(bot: BotHarness) -> None:
    channel = bot.declare()

    reply = bot.command("status identified", channel=channel, user=RESPONDER)

    assert "identified" in reply.json()["text"]
    assert _incident(bot).status == "identified"
    assert any("investigating → identified" in m.text for m in bot.posted(channel))
    assert _kinds(bot) == ["declared", "status"]
    summary = bot.posted(channel)[0]
    assert summary.edits >= 1 and "identified" in summary.text


def test_bad_status_is_refused_and_nothing_changes(bot: BotHarness) -> None:
    channel = bot.declare()

    reply = bot.command("status fixed-ish", channel=channel)

    assert "not a status" in reply.json()["text"]
    assert _incident(bot).status == "investigating"
    assert _kinds(bot) == ["declared"]


def test_severity_belongs_to_the_commander(bot: BotHarness) -> None:
    channel = bot.declare("sev2 Latency")

    refused = bot.command("severity sev1", channel=channel, user=RESPONDER)
    allowed = bot.command("severity sev1", channel=channel)

    assert "Only the incident commander" in refused.json()["text"]
    assert "SEV1" in allowed.json()["text"]
    assert _incident(bot).severity == "sev1"
    assert _kinds(bot) == ["declared", "severity"]


def test_admin_may_act_as_commander(database_url: str) -> None:
    harness = BotHarness(database_url, settings={"warroom_admins": "U0ADMIN"})
    try:
        channel = harness.declare()
        reply = harness.command("resolve Restored from backup", channel=channel, user="U0ADMIN")
        assert "resolved" in reply.json()["text"]
        assert _incident(harness).status == "resolved"
    finally:
        harness.close()


def test_resolve_records_time_summary_and_offers_the_export(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.clock.advance(hours=3)

    refused = bot.command("resolve", channel=channel, user=RESPONDER)
    reply = bot.command("resolve Restored from PITR", channel=channel)

    assert "Only the incident commander" in refused.json()["text"]
    assert "resolved" in reply.json()["text"]
    incident = _incident(bot)
    assert incident.status == "resolved" and incident.summary == "Restored from PITR"
    assert (incident.resolved_at - incident.declared_at).total_seconds() == 3 * 3600
    assert any("/incident postmortem" in m.text for m in bot.posted(channel))
    again = bot.command("resolve", channel=channel)
    assert "already resolved" in again.json()["text"]


def test_incident_commands_outside_an_incident_channel_are_refused(bot: BotHarness) -> None:
    reply = bot.command("status identified")

    assert "works inside an incident channel" in reply.json()["text"]


def test_announcement_that_slack_refuses_is_kept_and_retried(bot: BotHarness) -> None:
    from bot.services import outbox

    channel = bot.declare()
    bot.slack.state.fail_next("chat.postMessage", "fatal_error")

    bot.command("status monitoring", channel=channel)

    assert _incident(bot).status == "monitoring"
    assert "will retry" in bot.last_response_text()
    assert outbox.pending_count(bot.db) == 1
    assert outbox.deliver_pending(bot.db, bot.ctx.chat, bot.clock) == 0  # backing off
    bot.clock.advance(seconds=2)
    assert outbox.deliver_pending(bot.db, bot.ctx.chat, bot.clock) == 1
    assert any("→ monitoring" in m.text for m in bot.posted(channel))
    assert outbox.pending_count(bot.db) == 0
