"""Postmortem export cost: time per format and SQL statements, at two incident sizes.

Seeds an incident straight into a fresh database (SQLite file, and PostgreSQL when one is
reachable), then exports it the way `/incident postmortem` and `warroom postmortem` do
(`bot.services.postmortem.export_incident`: read the record, build, render). Each figure is
the median of `--repeat` runs, measured from the first SQL statement to the rendered bytes.
Statements are counted with an SQLAlchemy `before_cursor_execute` listener; the count must be
the same at both sizes (the export costs a constant number of round trips).

    python bench/export.py [--sizes 1000x20,10000x200] [--repeat 5] [--postgres URL]

Target: the large size (10,000 entries, 200 participants) under 1 s per format.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert  # noqa: E402

from bot.services.postmortem import export_incident, load_postmortem  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.models import (  # noqa: E402
    FollowUp,
    Incident,
    Participant,
    ParticipantTransition,
    SupportCase,
    TimelineEntry,
)

FORMATS = ("json", "md", "html")
ZONES = ("America/Los_Angeles", "Africa/Nairobi", "Africa/Lusaka", "Africa/Accra")
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
T0 = datetime(2026, 9, 16, 11, 0, tzinfo=UTC)
TEXTS = (
    "CloudFormation stack prod-stack stuck in UPDATE_ROLLBACK_FAILED",
    "Checked the DynamoDB tables: no point-in-time recovery on orders or users",
    "AWS support case opened at critical severity; waiting for the first response",
    "Restore from the internal backup started; ETA 40 minutes according to AWS",
    "Error rate back under 1% <https://grafana.example/d/abc|dashboard> & latency normal",
)


def seed(db: Database, entries: int, people: int) -> int:
    """One resolved incident: `entries` timeline entries (every 20th struck), `people`
    responders with three moves each, a support case and ten follow-ups."""
    with db.transaction() as session:
        incident = Incident(
            title="Production environment deleted",
            severity="sev1",
            status="resolved",
            is_drill=False,
            declared_by="U0CMDR",
            commander_id="U0CMDR",
            declared_at=T0,
            resolved_at=T0 + timedelta(hours=4),
            summary="Stack deleted; tables restored.",
            channel_name="inc-1-production-environment-deleted",
            support_plan="business",
        )
        session.add(incident)
        session.flush()
        n = incident.number
        rows = []
        for i in range(entries):
            at = T0 + timedelta(seconds=i)
            struck = i % 20 == 19
            rows.append(
                {
                    "incident_number": n,
                    "occurred_at": at,
                    "recorded_at": at,
                    "author_id": f"U{i % people:07d}",
                    "kind": "message" if i % 3 else "note",
                    "text": TEXTS[i % len(TEXTS)],
                    "backdated": False,
                    "source_ts": f"{1789557600 + i}.000100" if i % 3 else None,
                    "struck_at": at if struck else None,
                    "struck_by": "U0CMDR" if struck else None,
                }
            )
        session.execute(insert(TimelineEntry), rows)
        session.execute(
            insert(Participant),
            [
                {
                    "incident_number": n,
                    "user_id": f"U{i:07d}",
                    "state": "standby",
                    "joined_at": T0,
                    "needed_since": None,
                    "needed_seconds": 3600,
                    "last_active_at": T0,
                }
                for i in range(people)
            ],
        )
        ids = [p.id for p in session.query(Participant.id).filter_by(incident_number=n)]
        moves = [("needed", None), ("standby", "needed"), ("needed", "standby")]
        session.execute(
            insert(ParticipantTransition),
            [
                {
                    "participant_id": pid,
                    "from_state": old,
                    "to_state": new,
                    "at": T0 + timedelta(minutes=k * 30),
                    "by_user": "U0CMDR",
                    "reason": "bench",
                }
                for pid in ids
                for k, (new, old) in enumerate(moves)
            ],
        )
        session.add(
            SupportCase(
                incident_number=n,
                case_id=f"case-{uuid.uuid4().hex}",
                display_id="172839",
                severity="critical",
                plan="business",
                subject="prod down",
                opened_by="U0CMDR",
                opened_at=T0 + timedelta(minutes=20),
                first_response_at=T0 + timedelta(minutes=50),
            )
        )
        session.add_all(
            FollowUp(
                incident_number=n,
                text=f"follow-up {i}",
                author_id="U0CMDR",
                created_at=T0 + timedelta(hours=4, minutes=i),
            )
            for i in range(10)
        )
        return n


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def measure(db: Database, number: int, fmt: str, repeat: int) -> tuple[float, int, int]:
    """(median seconds, statements per export, bytes)."""
    export_incident(db, number, fmt, zones=ZONES, now=T0)  # warm: templates, pool
    times = []
    for _ in range(repeat):
        with counting(db) as statements:
            start = time.perf_counter()
            exported = export_incident(db, number, fmt, zones=ZONES, now=T0)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(statements), len(exported.content)


def measure_reading(db: Database, number: int, repeat: int) -> tuple[float, int]:
    """The store's share: reading the record and building the model, without rendering."""
    times = []
    for _ in range(repeat):
        with counting(db) as statements, db.transaction() as session:
            start = time.perf_counter()
            load_postmortem(session, number, zones=ZONES, now=T0)
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(statements)


def run(label: str, db: Database, sizes: list[tuple[int, int]], repeat: int) -> list[str]:
    db.upgrade()
    lines = []
    for entries, people in sizes:
        number = seed(db, entries, people)
        seconds, statements = measure_reading(db, number, repeat)
        lines.append(
            f"| {label} | {entries:,} | {people} | (read + build only) | "
            f"{seconds * 1000:,.0f} ms | {statements} | |"
        )
        print(lines[-1], flush=True)
        for fmt in FORMATS:
            seconds, statements, size = measure(db, number, fmt, repeat)
            lines.append(
                f"| {label} | {entries:,} | {people} | {fmt} | {seconds * 1000:,.0f} ms "
                f"| {statements} | {size / 1024:,.0f} KiB |"
            )
            print(lines[-1], flush=True)
    return lines


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A throwaway database on the server, or None when it is not reachable."""
    try:
        import psycopg

        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except Exception as error:
        print(f"(PostgreSQL not reachable at {admin_url}: {type(error).__name__}; skipped)")
        yield None
        return
    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        entries, people = part.lower().split("x")
        sizes.append((int(entries), int(people)))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1000x20,10000x200", help="entries x participants, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=DEFAULT_PG, help="admin URL of a server")
    args = parser.parse_args()
    sizes = parse_sizes(args.sizes)

    print("| database | entries | participants | format | median time | SQL statements | size |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            run("SQLite", db, sizes, args.repeat)
        finally:
            db.dispose()
    with postgres_database(args.postgres) as url:
        if url is not None:
            db = Database(url)
            try:
                run("PostgreSQL", db, sizes, args.repeat)
            finally:
                db.dispose()


if __name__ == "__main__":
    main()
