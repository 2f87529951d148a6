"""Database faults on demand: an injected OperationalError on matching statements (SQLite
and PostgreSQL), and PostgreSQL backends terminated from another connection while the bot
works."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import psycopg
from sqlalchemy import Engine, event

TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


class FailStatements:
    """The driver raises OperationalError (as a dropped connection would) on statements
    containing `match`, the first `times` times (None: every time)."""

    def __init__(self, engine: Engine, match: str, times: int | None = 1) -> None:
        self.engine = engine
        self.match = match
        self.remaining = times
        self.hits = 0
        self._lock = threading.Lock()

    def _hook(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.match not in statement:
            return
        with self._lock:
            if self.remaining is not None:
                if self.remaining <= 0:
                    return
                self.remaining -= 1
            self.hits += 1
        raise self.engine.dialect.loaded_dbapi.OperationalError(
            "injected: server closed the connection unexpectedly"
        )

    def __enter__(self) -> FailStatements:
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._hook)


class FlakyDatabase:
    """While active, the bot's database keeps failing under it: on PostgreSQL the other
    backends of the database are terminated again and again (`pg_terminate_backend`, about
    every `interval` seconds); on SQLite one statement in `one_in` (at random, seeded) fails with
    OperationalError."""

    def __init__(self, engine: Engine, one_in: int = 25, interval: float = 0.02) -> None:
        self.engine = engine
        self.random = random.Random(7)
        self.one_in = one_in
        self.interval = interval
        self.hits = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _sqlite_hook(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        with self._lock:
            if self.random.randrange(self.one_in):
                return
            self.hits += 1
        raise self.engine.dialect.loaded_dbapi.OperationalError("injected: disk I/O error")

    def _terminate(self) -> None:
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            while not self._stop.is_set():
                row = admin.execute(TERMINATE).fetchone()
                self.hits += int(row[0]) if row else 0
                # Load generation at uneven gaps (not a timing assumption): some requests
                # meet a terminated connection, some do not.
                time.sleep(self.random.uniform(0, 2 * self.interval))

    def __enter__(self) -> FlakyDatabase:
        if self.engine.dialect.name == "postgresql":
            self._thread = threading.Thread(target=self._terminate, daemon=True)
            self._thread.start()
        else:
            event.listen(self.engine, "before_cursor_execute", self._sqlite_hook)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=10)
        else:
            event.remove(self.engine, "before_cursor_execute", self._sqlite_hook)


class DropConnectionOnce:
    """The connection running the first statement containing `match` goes away under it:
    on PostgreSQL its backend is terminated from another connection
    (`pg_terminate_backend`), on SQLite the driver raises OperationalError."""

    def __init__(self, engine: Engine, match: str) -> None:
        self.engine = engine
        self.match = match
        self.hits = 0
        self._lock = threading.Lock()

    def _hook(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.match not in statement:
            return
        with self._lock:
            if self.hits:
                return
            self.hits += 1
        if self.engine.dialect.name != "postgresql":
            raise self.engine.dialect.loaded_dbapi.OperationalError("injected: disk I/O error")
        pid = conn.connection.dbapi_connection.info.backend_pid
        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))

    def __enter__(self) -> DropConnectionOnce:
        event.listen(self.engine, "before_cursor_execute", self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._hook)
