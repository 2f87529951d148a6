"""Test databases: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (override with WARROOM_TEST_POSTGRES_URL). Each
pytest process gets its own database, migrated once; tables are emptied between tests.
When the server is unreachable the PostgreSQL tests fail with a message that says how to
start it: they are never skipped.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from sqlalchemy import text

from bot.store.db import Database
from bot.store.models import Base

ADMIN_URL = os.environ.get(
    "WARROOM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_HINT = (
    "PostgreSQL is not reachable at {url} ({error}). Start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "(that is what .ci/run does), or point WARROOM_TEST_POSTGRES_URL at a server."
)


class PostgresUnavailable(RuntimeError):
    pass


class TestPostgres:
    """One throwaway database for this pytest process."""

    def __init__(self) -> None:
        self.name = f"warroom_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._migrated_url: str | None = None
        self.error: str | None = None

    def _admin(self) -> psycopg.Connection:
        try:
            return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as error:
            raise PostgresUnavailable(
                START_HINT.format(url=ADMIN_URL, error=str(error).strip().splitlines()[0])
            ) from None

    def url(self) -> str:
        if self._migrated_url is None:
            if self.error:
                raise PostgresUnavailable(self.error)
            try:
                with self._admin() as conn:
                    conn.execute(f'CREATE DATABASE "{self.name}"')
            except PostgresUnavailable as error:
                self.error = str(error)
                raise
            base = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            url = f"{base}/{self.name}"
            db = Database(url)
            db.upgrade()
            db.dispose()
            self._migrated_url = url
        return self._migrated_url

    def drop(self) -> None:
        if self._migrated_url is None:
            return
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def empty_tables(db: Database) -> None:
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
