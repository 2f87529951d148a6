"""Stable timeline entry numbers (issue 11), on SQLite and PostgreSQL: fixed when an entry
is recorded, echoed by `log`, shown by `timeline`, used by `strike`, exported, given once
each by concurrent writers on two replicas, and filled in for existing rows by 0003."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from bot.domain.clock import FixedClock
from bot.services import postmortem
from bot.store.db import Database, upgrade
from bot.store.models import Incident, TimelineEntry
from tests.conftest import _postgres
from tests.harness import COMMANDER, BotHarness

NOW = datetime(2026, 9, 16, 14, 0, tzinfo=UTC)


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=FixedClock(NOW))
    yield harness
    harness.close()


def reply(bot: BotHarness, text: str, channel: str) -> str:
    response = bot.command(text, channel=channel, user=COMMANDER)
    assert response.status == 200, response.text
    return str(response.json()["text"])


def logged_number(text: str) -> int:
    match = re.search(r"Logged as entry (\d+)", text)
    assert match, text
    return int(match.group(1))


def test_strike_3_strikes_the_entry_log_called_3_after_backdated_entries(
    bot: BotHarness,
) -> None:
    channel = bot.declare("sev1 Production environment deleted")  # entry 1: declared
    assert logged_number(reply(bot, "log restore started", channel)) == 2
    assert logged_number(reply(bot, "log db replica promoted", channel)) == 3
    # Two entries backdated before everything: they take the next numbers, 4 and 5.
    assert logged_number(reply(bot, "log 2h ago | stack deleted", channel)) == 4
    assert logged_number(reply(bot, "log 3h ago | deploy began", channel)) == 5

    text = reply(bot, "strike 3 it was the primary", channel)

    assert "Struck entry 3" in text and "db replica promoted" in text
    with bot.db.transaction() as session:
        struck = session.scalars(select(TimelineEntry).where(TimelineEntry.struck_at.is_not(None)))
        assert [(e.number, e.text) for e in struck] == [(3, "db replica promoted")]
    before = len(bot.responses())
    bot.command("timeline", channel=channel, user=COMMANDER)
    [shown] = [str(r["text"]) for r in bot.responses()[before:]]
    lines = [line for line in shown.splitlines() if line.startswith("`")]
    # Oldest first by when it happened; each with the number it was recorded with.
    assert [int(line[1:4]) for line in lines] == [5, 4, 1, 2, 3, 6]
    assert "deploy began" in lines[0] and "~" in lines[4]


def test_an_unknown_number_is_refused_and_says_which_exist(bot: BotHarness) -> None:
    channel = bot.declare("sev2 Slow checkout")
    reply(bot, "log one", channel)
    text = reply(bot, "strike 9", channel)
    assert "entries 1 to 2; there is no entry 9" in text


def test_the_export_carries_each_entrys_number(bot: BotHarness) -> None:
    channel = bot.declare("sev2 Slow checkout")
    reply(bot, "log restore started", channel)
    reply(bot, "log 1h ago | deploy began", channel)
    with bot.db.transaction() as session:  # the first and only incident: INC-1
        exported = postmortem.load_postmortem(session, 1, zones=["UTC"], now=NOW)
    assert [(e.number, e.text) for e in exported.timeline][:1] == [(3, "deploy began")]
    assert sorted(e.number for e in exported.timeline if e.number is not None) == [1, 2, 3]


def test_concurrent_logs_on_two_replicas_get_distinct_numbers(database_url: str) -> None:
    first = BotHarness(database_url, clock=FixedClock(NOW))
    replicas = [first, BotHarness(database_url, clock=FixedClock(NOW), slack=first.slack)]
    try:
        channel = first.declare("sev1 Everything is down")
        writers = 8
        barrier = threading.Barrier(writers)
        replies: dict[int, str] = {}

        def log(replica: BotHarness, k: int) -> None:
            barrier.wait()
            response = replica.requests.command(f"log writer {k}", user=COMMANDER, channel=channel)
            replies[k] = str(response.json()["text"])

        threads = [threading.Thread(target=log, args=(replicas[k % 2], k)) for k in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        echoed = {k: logged_number(text) for k, text in replies.items()}
        assert sorted(echoed.values()) == list(range(2, writers + 2))
        with first.db.transaction() as session:
            stored = dict(
                session.execute(
                    select(TimelineEntry.text, TimelineEntry.number).where(
                        TimelineEntry.kind == "note"
                    )
                ).all()
            )
            counter = session.scalars(select(Incident.last_entry_number)).one()
        assert stored == {f"writer {k}": n for k, n in echoed.items()}
        assert counter == writers + 1
    finally:
        for replica in reversed(replicas):
            replica.close()


# --- migration 0003 fills the numbers of existing rows, in the order they were recorded --


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/fresh.db"
        return
    _postgres.url()  # the server is up (or a how-to-start message)
    name = f"warroom_mig_{uuid.uuid4().hex[:8]}"
    with _postgres._admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = _postgres.url().rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with _postgres._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_numbers_existing_entries_in_recorded_order(fresh_url: str) -> None:
    db = Database(fresh_url)
    try:
        upgrade(db.engine, "0002")
        meta = sa.MetaData()
        incidents = sa.Table("incidents", meta, autoload_with=db.engine)
        entries = sa.Table("timeline_entries", meta, autoload_with=db.engine)
        t0 = NOW - timedelta(hours=5)
        with db.engine.begin() as conn:
            for n in (1, 2):
                conn.execute(
                    incidents.insert().values(
                        number=n,
                        title=f"inc {n}",
                        severity="sev2",
                        status="investigating",
                        is_drill=False,
                        declared_by=COMMANDER,
                        commander_id=COMMANDER,
                        declared_at=t0,
                    )
                )
            # (incident, text, occurred minutes, recorded minutes): ids follow this order,
            # recorded order differs from both id order and occurred order.
            rows = [
                (1, "a", 0, 0),
                (1, "c", 30, 20),
                (2, "x", 5, 5),
                (1, "b", 10, 10),
                (1, "backdated", -60, 40),
                (2, "y", 1, 1),
            ]
            for incident, text, occurred, recorded in rows:
                conn.execute(
                    entries.insert().values(
                        incident_number=incident,
                        kind="note",
                        text=text,
                        backdated=False,
                        occurred_at=t0 + timedelta(minutes=occurred),
                        recorded_at=t0 + timedelta(minutes=recorded),
                    )
                )
        upgrade(db.engine)
        with db.transaction() as session:
            numbered = session.execute(
                select(TimelineEntry.incident_number, TimelineEntry.text, TimelineEntry.number)
            ).all()
            counters = dict(
                session.execute(select(Incident.number, Incident.last_entry_number)).all()
            )
        assert sorted(tuple(row) for row in numbered) == [
            (1, "a", 1),
            (1, "b", 2),
            (1, "backdated", 4),
            (1, "c", 3),
            (2, "x", 2),
            (2, "y", 1),
        ]
        assert counters == {1: 4, 2: 2}
        with db.transaction() as session:  # the next entry continues the sequence
            incident = session.get(Incident, 1)
            assert incident is not None
            entry = TimelineEntry(
                incident_number=1,
                kind="note",
                text="d",
                author_id=None,
                backdated=False,
                occurred_at=NOW,
                recorded_at=NOW,
            )
            session.add(entry)
            session.flush()
            assert entry.number == 5
    finally:
        db.dispose()
