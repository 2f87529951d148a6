"""Fixtures shared by every test module.

`database_url` runs a test once on SQLite and once on PostgreSQL. `bot` is a running bot
behind real HTTP with a fake Slack Web API (see tests/harness.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from botocore.retries.standard import ExponentialBackoff

from bot.domain.clock import FixedClock
from bot.store.db import Database
from tests.databases import TestPostgres, empty_tables
from tests.harness import BotHarness

_postgres = TestPostgres()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _postgres.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'warroom.db'}"
        Database(url).upgrade()
        yield url
        return
    url = _postgres.url()  # raises with a how-to-start message when PostgreSQL is down
    db = Database(url)
    empty_tables(db)
    db.dispose()
    yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retry backoff is not slept: tests never wait."""
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    harness = BotHarness(database_url)
    yield harness
    harness.close()
