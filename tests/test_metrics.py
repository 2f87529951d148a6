"""`GET /metrics` parses with Prometheus' own text parser and counts what was sent."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from tests.harness import BotHarness


def _scrape(bot: BotHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{bot.server.url}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_the_commands_slack_calls_and_outbox(bot: BotHarness) -> None:
    before = _scrape(bot)
    acks = ("warroom_ack_seconds_count", (("kind", "command"),))

    bot.command("help")
    bot.command("declare sev2 Checkout errors")
    bot.command("help")
    after = _scrape(bot)

    assert after[acks] - before.get(acks, 0.0) == 3
    assert ("warroom_ack_seconds_bucket", (("kind", "event"), ("le", "+Inf"))) in after
    created = ("warroom_slack_calls_total", (("method", "conversations.create"), ("outcome", "ok")))
    assert after[created] - before.get(created, 0.0) == 1
    assert after[("warroom_outbox_pending", ())] == 0
    assert ("warroom_outbox_oldest_pending_seconds", ()) in after


def test_outbox_pending_counts_posts_slack_refused(bot: BotHarness) -> None:
    channel = bot.declare()
    bot.slack.state.fail_next("chat.postMessage", "internal_error", times=5)

    bot.command("status identified", channel=channel)
    samples = _scrape(bot)

    assert samples[("warroom_outbox_pending", ())] >= 1
    refused = ("warroom_slack_calls_total", (("method", "chat.postMessage"), ("outcome", "error")))
    assert samples[refused] >= 1


def test_job_lag_is_how_far_a_job_is_behind_its_schedule() -> None:
    from bot.app.jobs import Job, JobRunner

    runner = JobRunner([Job("outbox", 15, lambda: None), Job("poll", 60, lambda: None)])
    runner._last_done.update({"outbox": 100.0, "poll": 100.0})

    assert runner.lag(now=130.0) == {"outbox": 15.0, "poll": 0.0}
