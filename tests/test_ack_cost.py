"""No command's acknowledgement reads more the longer the timeline is (issue 11).

Counted, not timed: every SQL statement and every ORM row loaded on the threads that
answer Slack (work after the acknowledgement runs on `warroom-after-*` threads and may
read what it must, such as the whole timeline for `timeline`). The same commands run in
an incident with 10 entries and in one with 1,000; what the acknowledgement costs must
be the same, statement for statement.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.domain.clock import FixedClock
from bot.store.models import Incident, TimelineEntry
from tests.harness import COMMANDER, BotHarness

NOW = datetime(2026, 9, 16, 14, 0, tzinfo=UTC)
ANN = "U0ANN"
COMMANDS = [
    "log restore started",
    "log 1h ago | stack deleted",
    "log 7.21 pm eat | db replica promoted",
    "strike 3 wrong zone",
    "followup add termination protection",
    f"need <@{ANN}>",
    f"standby <@{ANN}> not needed now",
    "status identified",
    "severity sev1",
    "roster",
    "timeline",
]


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=FixedClock(NOW))
    harness.slack.state.add_user(ANN, "ann", tz="Africa/Lusaka")
    yield harness
    harness.close()


class AckCost:
    """Statements and ORM rows on the threads that answer Slack."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.rows = 0
        self.on = False
        self.lock = threading.Lock()

    @staticmethod
    def counted() -> bool:
        return not threading.current_thread().name.startswith("warroom-after")

    def statement(self, _conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if self.on and self.counted():
            with self.lock:
                self.statements.append(" ".join(sql.split()))

    def loaded(self, _session: Session, _instance: object) -> None:
        if self.on and self.counted():
            with self.lock:
                self.rows += 1

    @contextmanager
    def measuring(self) -> Iterator[None]:
        self.statements, self.rows, self.on = [], 0, True
        try:
            yield
        finally:
            self.on = False


def _fill(bot: BotHarness, number: int, entries: int) -> None:
    with bot.db.transaction() as session:
        incident = session.get(Incident, number)
        assert incident is not None
        session.add_all(
            TimelineEntry(
                incident_number=number,
                kind="note",
                text=f"entry {k}",
                author_id=COMMANDER,
                occurred_at=NOW - timedelta(minutes=entries - k),
                recorded_at=NOW,
                backdated=False,
            )
            for k in range(entries)
        )


def _profile(bot: BotHarness, cost: AckCost, channel: str) -> list[tuple[str, int, Counter[str]]]:
    profile = []
    for text in COMMANDS:
        with cost.measuring():
            response = bot.command(text, channel=channel, user=COMMANDER)
        assert response.status == 200, response.text
        profile.append((text, cost.rows, Counter(cost.statements)))
    return profile


def test_acknowledgements_cost_the_same_at_10_and_1000_entries(bot: BotHarness) -> None:
    small = bot.declare("sev2 Short timeline")
    large = bot.declare("sev2 Long timeline")
    with bot.db.transaction() as session:
        numbers = {i.channel_id: i.number for i in session.scalars(select(Incident))}
    _fill(bot, numbers[small], 10)
    _fill(bot, numbers[large], 1000)
    cost = AckCost()
    event.listen(bot.db.engine, "before_cursor_execute", cost.statement)
    event.listen(Session, "loaded_as_persistent", cost.loaded)
    try:
        at_10 = _profile(bot, cost, small)
        at_1000 = _profile(bot, cost, large)
    finally:
        event.remove(bot.db.engine, "before_cursor_execute", cost.statement)
        event.remove(Session, "loaded_as_persistent", cost.loaded)
    for (text, rows_10, sql_10), (_, rows_1000, sql_1000) in zip(at_10, at_1000, strict=True):
        assert rows_1000 == rows_10, text
        assert sql_1000 == sql_10, text
        assert rows_10 <= 20, text  # bounded, not merely equal
    # `timeline` did read all 1,000 entries, after its acknowledgement.
    assert bot.responses()
