"""Two bot replicas on one PostgreSQL database."""

from __future__ import annotations

import threading

from sqlalchemy import select

from bot.store.models import Incident
from tests.conftest import _postgres
from tests.databases import empty_tables
from tests.harness import BotHarness


def test_two_replicas_declaring_at_the_same_instant_get_distinct_numbers() -> None:
    url = _postgres.url()
    first = BotHarness(url)
    replicas = [first, BotHarness(url, slack=first.slack)]  # one Slack, one database
    try:
        empty_tables(replicas[0].db)
        barrier = threading.Barrier(len(replicas) * 3)
        replies = []

        def declare(replica: BotHarness, n: int) -> None:
            barrier.wait()
            replies.append(
                replica.requests.command(
                    f"declare sev1 Outage {n}", user="U0CMDR", channel=replica.general
                )
            )

        threads = [
            threading.Thread(target=declare, args=(replica, i * 3 + k))
            for i, replica in enumerate(replicas)
            for k in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for replica in replicas:
            replica.settle()

        assert [r.status for r in replies] == [200] * 6
        with replicas[0].db.transaction() as session:
            numbers = sorted(session.scalars(select(Incident.number)))
            channels = set(session.scalars(select(Incident.channel_id)))
        assert numbers == [1, 2, 3, 4, 5, 6]
        assert None not in channels and len(channels) == 6
    finally:
        for replica in reversed(replicas):
            replica.close()
