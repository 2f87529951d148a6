"""Drills (game days) run through the real declare path and are marked as drills everywhere
a reader could mistake them for a real incident: the channel name, the pinned summary,
the timeline, the stored incident and the postmortem. (That a drill never opens a real
AWS case is tested with the support commands, in tests/test_support_commands.py.)"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.incident import Severity
from bot.runbooks.library import RunbookLibrary
from bot.services.postmortem import export_incident, load_postmortem
from bot.slack.commands.runbooks import post_matching_runbooks
from bot.store.models import Incident, TimelineEntry
from tests.harness import COMMANDER, BotHarness


def declared_entry(bot: BotHarness) -> TimelineEntry:
    with bot.db.transaction() as session:
        return session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "declared")).one()


def test_a_drill_is_marked_in_channel_summary_timeline_and_record(bot: BotHarness) -> None:
    reply = bot.command("declare --drill sev1 Production environment deleted")

    assert "Declared drill INC-1 (SEV1)" in reply.json()["text"]
    (created,) = bot.slack.state.calls_to("conversations.create")
    assert created.params["name"] == "inc-1-drill-production-environment-deleted"
    channel = bot.slack.state.channel_by_name(created.params["name"])
    assert channel is not None
    summary = bot.posted(channel.id)[0]
    assert channel.pins == [summary.ts]
    assert summary.text.splitlines()[0].endswith(":test_tube: *DRILL*")
    entry = declared_entry(bot)
    assert entry.text.startswith("Drill declared: INC-1 Production environment deleted")
    assert entry.data == {"severity": "sev1", "drill": True}
    with bot.db.transaction() as session:
        assert session.scalars(select(Incident.is_drill)).one() is True


def test_drill_word_and_flag_in_any_order_with_the_severity(bot: BotHarness) -> None:
    bot.command("declare sev3 drill Queue backlog")

    with bot.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
    assert (incident.is_drill, incident.severity, incident.title) == (True, "sev3", "Queue backlog")
    assert incident.channel_name == "inc-1-drill-queue-backlog"


def test_a_real_incident_is_not_marked(bot: BotHarness) -> None:
    channel = bot.declare("sev1 Production environment deleted")

    assert "DRILL" not in bot.posted(channel)[0].text
    assert declared_entry(bot).text.startswith("Incident declared: ")
    with bot.db.transaction() as session:
        assert session.scalars(select(Incident.is_drill)).one() is False


def test_the_drill_postmortem_says_drill(bot: BotHarness) -> None:
    bot.declare("--drill sev2 Region evacuation")

    with bot.db.transaction() as session:
        postmortem = load_postmortem(session, 1, zones=("UTC",), now=bot.clock.now())
    markdown = export_incident(bot.db, 1, "md", zones=("UTC",), now=bot.clock.now())

    assert postmortem.incident.is_drill is True
    assert postmortem.incident.title == "Region evacuation"
    assert "| Drill | yes |" in markdown.content.decode()


def test_a_drill_gets_the_same_runbooks_as_the_real_thing(bot: BotHarness) -> None:
    library = RunbookLibrary.load()
    assert post_matching_runbooks in bot.ctx.after_declare

    channel = bot.declare("--drill sev1 Production environment deleted", user=COMMANDER)

    titles = [m.text for m in bot.posted(channel) if m.text.startswith("Runbook: ")]
    expected = library.matching("Production environment deleted", Severity.SEV1)
    assert [t.split(" (")[0] for t in titles] == [f"Runbook: {r.title}" for r in expected]
