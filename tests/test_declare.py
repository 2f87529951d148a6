"""Declaring an incident over signed HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.store.models import Incident, TimelineEntry
from tests.harness import COMMANDER, BotHarness


def test_declare_opens_channel_invites_posts_and_pins_summary(bot: BotHarness) -> None:
    reply = bot.command("declare sev1 Production environment deleted")

    assert reply.status == 200
    assert "INC-1" in reply.json()["text"]
    calls = bot.slack.state
    create = calls.calls_to("conversations.create")
    assert [c.params["name"] for c in create] == ["inc-1-production-environment-deleted"]
    channel = calls.channel_by_name("inc-1-production-environment-deleted")
    assert channel is not None
    invite = calls.calls_to("conversations.invite")
    assert invite and invite[0].params["users"] == COMMANDER
    summary = bot.posted(channel.id)[0]
    assert "INC-1: Production environment deleted" in summary.text
    assert "SEV1" in summary.text and "investigating" in summary.text
    assert f"<@{COMMANDER}>" in summary.text
    assert "AWS support plan" in summary.text
    assert channel.pins == [summary.ts]
    with bot.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.number, incident.severity, incident.status) == (1, "sev1", "investigating")
        assert incident.channel_id == channel.id
        assert incident.declared_at.tzinfo is not None
        entries = session.scalars(select(TimelineEntry)).all()
        assert [e.kind for e in entries] == ["declared"]


def test_default_severity_is_sev2_and_names_follow_slack_rules(bot: BotHarness) -> None:
    bot.command("declare Checkout: 50% errors (EU) — ÄÖ " + "x" * 120)

    name = bot.slack.state.calls_to("conversations.create")[0].params["name"]
    assert name.startswith("inc-1-checkout-50-errors-eu-ao-xxx")
    assert len(name) <= 80
    with bot.db.transaction() as session:
        assert session.scalars(select(Incident.severity)).one() == "sev2"


def test_taken_channel_name_picks_the_next_free_one(bot: BotHarness) -> None:
    bot.slack.state.add_channel("inc-1-db-down")

    bot.command("declare db down")

    names = [c.params["name"] for c in bot.slack.state.calls_to("conversations.create")]
    assert names == ["inc-1-db-down", "inc-1-db-down-2"]
    assert bot.slack.state.channel_by_name("inc-1-db-down-2") is not None


def test_hostile_title_cannot_ping_anyone(bot: BotHarness) -> None:
    bot.command("declare <!channel> wake up <@U999> <https://evil.example|click>")

    channel = bot.slack.state.calls_to("conversations.create")[0].params["name"]
    summary = bot.posted(bot.slack.state.channel_by_name(channel).id)[0].text
    assert "<!channel>" not in summary
    assert "<@U999>" not in summary
    assert "&lt;!channel&gt;" in summary
    assert "&lt;@U999&gt;" in summary


def test_declare_survives_slack_failure_and_says_what_did_not_happen(bot: BotHarness) -> None:
    bot.slack.state.fail_next("conversations.create", "restricted_action")

    reply = bot.command("declare sev1 Database gone")

    assert reply.status == 200
    with bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 1
    told = bot.last_response_text()
    assert "INC-1 is recorded" in told and "restricted_action" in told


def test_rate_limited_slack_is_retried(bot: BotHarness) -> None:
    bot.slack.state.ratelimit_next("chat.postMessage", times=1, retry_after=0)

    bot.command("declare sev2 Slow API")

    posts = bot.slack.state.calls_to("chat.postMessage")
    assert len(posts) == 2  # one ratelimited, one accepted
    channel = bot.slack.state.channel_by_name("inc-1-slow-api")
    assert channel is not None and len(channel.pins) == 1


def test_declare_without_text_opens_the_modal_and_submission_declares(bot: BotHarness) -> None:
    reply = bot.command("declare")

    assert reply.status == 200
    views = bot.slack.state.views
    assert views and views[0]["view"]["callback_id"] == "declare_modal"
    submitted = bot.requests.view_submission(
        user=COMMANDER,
        callback_id="declare_modal",
        values={
            "declare_title": {"title": {"type": "plain_text_input", "value": "Queue backlog"}},
            "declare_severity": {
                "severity": {"type": "static_select", "selected_option": {"value": "sev3"}}
            },
            "declare_drill": {"drill": {"type": "checkboxes", "selected_options": []}},
        },
    )
    bot.settle()
    assert submitted.status == 200
    assert bot.slack.state.channel_by_name("inc-1-queue-backlog") is not None
    with bot.db.transaction() as session:
        assert session.scalars(select(Incident.severity)).one() == "sev3"


def test_help_lists_every_command(bot: BotHarness) -> None:
    reply = bot.command("help")

    text = reply.json()["text"]
    for word in ("declare", "status", "severity", "resolve", "help"):
        assert f"/incident {word}" in text


def test_unknown_command_gets_a_clear_message_and_writes_nothing(bot: BotHarness) -> None:
    reply = bot.command("frobnicate now")

    assert "not a command" in reply.json()["text"]
    with bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_text_slack_escaped_is_stored_as_typed_and_shown_escaped_once(bot: BotHarness) -> None:
    # Slack sends a literal `<` or `&` typed in a command as `&lt;` / `&amp;`.
    bot.command("declare p99 &lt; 200ms &amp; errors &gt; 1%")

    with bot.db.transaction() as session:
        assert session.scalars(select(Incident.title)).one() == "p99 < 200ms & errors > 1%"
    channel = bot.slack.state.calls_to("conversations.create")[0].params["name"]
    summary = bot.posted(bot.slack.state.channel_by_name(channel).id)[0].text
    assert "p99 &lt; 200ms &amp; errors &gt; 1%" in summary


def test_an_unknown_severity_is_refused_not_taken_as_the_title(bot: BotHarness) -> None:
    reply = bot.command("declare sev5 Something odd")

    assert "`sev5` is not a severity" in reply.json()["text"]
    with bot.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
    assert bot.slack.state.calls_to("conversations.create") == []


def test_drill_and_severity_in_either_order(bot: BotHarness) -> None:
    bot.command("declare sev1 --drill Region failover game day")

    names = [c.params["name"] for c in bot.slack.state.calls_to("conversations.create")]
    assert names == ["inc-1-drill-region-failover-game-day"]
    with bot.db.transaction() as session:
        incident = session.scalars(select(Incident)).one()
        assert (incident.severity, incident.is_drill) == ("sev1", True)
