"""`GET /metrics`: Prometheus text format, as CONTRACT.md names the series.

Each replica serves its own numbers (Prometheus scrapes every pod and sums): counters and
histograms live in this process; what is shared (the outbox backlog) is read from the
database at scrape time, so every replica reports the same backlog and none can drift.
Job lag comes from the jobs this replica runs.

- `warroom_ack_seconds{kind}`: time to answer Slack (command, event, interaction)
- `warroom_slack_calls_total{method,outcome}`: Web API calls; outcome ok, error,
  ratelimited or unreachable (a bounded set: Slack's error codes go to the log)
- `warroom_outbox_pending`, `warroom_outbox_oldest_pending_seconds`
- `warroom_job_lag_seconds{job}`: how far a job is behind its schedule (0 when on time)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.app.jobs import JobRunner
from bot.store.db import Database
from bot.store.outbox_stats import outbox_backlog

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
KINDS = ("command", "event", "interaction")

ACK_SECONDS = Histogram(
    "warroom_ack_seconds",
    "Time from receiving a Slack request to answering it (Slack allows 3 s).",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
SLACK_CALLS = Counter(
    "warroom_slack_calls_total",
    "Slack Web API calls made by this replica, by method and outcome.",
    ["method", "outcome"],
)
for _kind in KINDS:
    ACK_SECONDS.labels(kind=_kind)  # every kind shows from the first scrape, at 0


def count_slack_call(method: str, outcome: str) -> None:
    SLACK_CALLS.labels(method=method, outcome=outcome).inc()


def observe_ack(kind: str, seconds: float) -> None:
    ACK_SECONDS.labels(kind=kind).observe(seconds)


class RuntimeCollector(Collector):
    """Numbers read when Prometheus scrapes: the outbox from the database, job lag."""

    def __init__(
        self,
        db: Database,
        runner: Callable[[], JobRunner | None],
        now: Callable[[], datetime],
    ) -> None:
        self.db = db
        self.runner = runner
        self.now = now

    def collect(self) -> Iterable[Metric]:
        pending = GaugeMetricFamily(
            "warroom_outbox_pending", "Slack posts stored but not yet delivered."
        )
        oldest = GaugeMetricFamily(
            "warroom_outbox_oldest_pending_seconds",
            "Age of the oldest Slack post not yet delivered (0 when none).",
        )
        try:
            with self.db.transaction() as session:
                backlog = outbox_backlog(session)
        except Exception:  # noqa: S110 - the database is down: /healthz says so; omit
            pass
        else:
            pending.add_metric([], backlog.pending)
            age = 0.0
            if backlog.oldest_created_at is not None:
                age = (self.now() - backlog.oldest_created_at).total_seconds()
            oldest.add_metric([], max(0.0, age))
            yield pending
            yield oldest
        lag = GaugeMetricFamily(
            "warroom_job_lag_seconds",
            "How far each background job is behind its schedule on this replica.",
            labels=["job"],
        )
        runner = self.runner()
        if runner is not None:
            now = time.monotonic()
            for name, seconds in runner.lag(now).items():
                lag.add_metric([name], seconds)
        yield lag


def render(collector: RuntimeCollector | None) -> bytes:
    """The process's metrics (and the standard process_* ones), then the runtime's."""
    body = generate_latest(REGISTRY)
    if collector is not None:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(collector)
        body += generate_latest(registry)
    return body
