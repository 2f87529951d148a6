"""Acknowledgement latency of `warroom serve`'s commands, beside a bare slack-bolt app.

Slack gives a slash command three seconds; warroom acknowledges before any Slack or AWS
call, and no acknowledgement reads more rows the longer the timeline is. This runs
`warroom serve` on SQLite and on PostgreSQL, with an incident whose timeline holds 10 and
then 5,000 entries, and sends N signed slash commands of each kind (`log`, `need`,
`standby`, `strike`, `followup`, `status`, `roster`, `timeline`), one at a time, printing
p50/p99 of the HTTP round trip beside a bare bolt app measured in the same run. Both
servers run behind waitress in this process's children, and the fake Slack Web API
answers every call after a delay (`--slack-latency`), so a Slack call on the path before
the ack would show.

    python bench/ack_latency.py [-n 100] [--slack-latency 0.5] [--sizes 10,5000]
        [--databases sqlite,postgresql] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.slack_api import FakeSlack  # noqa: E402
from bot.sandbox.slack_requests import SlackRequests  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.store.models import Incident, TimelineEntry  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"

BARE_APP = textwrap.dedent("""
    import sys
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress import serve

    app = App(client=WebClient(token=sys.argv[3], base_url=sys.argv[4]),
              signing_secret=sys.argv[2], process_before_response=True,
              token_verification_enabled=True)

    def ack_fast(ack):
        ack("ok")

    def nothing(body):
        pass

    app.command("/incident")(ack=ack_fast, lazy=[nothing])
    serve(SlackRequestHandler(app), host="127.0.0.1", port=int(sys.argv[1]), threads=16,
          _quiet=True)
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


def measure(
    url: str, texts: list[str], n: int, channel: str = "C0BENCH", warm: bool = True
) -> list[float]:
    requests = SlackRequests(url, SECRET)
    for _ in range(10 if warm else 0):  # warm-up: imports, first auth, connection pools
        requests.command(texts[0], user="U0BENCH", channel=channel)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        reply = requests.command(texts[i % len(texts)], user="U0BENCH", channel=channel)
        samples.append((time.perf_counter() - started) * 1000)
        if reply.status != 200:
            raise SystemExit(f"{url} answered {reply.status}: {reply.text}")
    return samples


def measure_beside(
    bare_url: str, url: str, texts: list[str], n: int, channel: str
) -> tuple[list[float], list[float]]:
    """The command and the bare app in turns, one request each, so both see the same load
    on a shared machine: (bare samples, command samples)."""
    bare, ours = SlackRequests(bare_url, SECRET), SlackRequests(url, SECRET)
    bare_samples, samples = [], []
    for i in range(n):
        for requests, text, out in (
            (bare, "help", bare_samples),
            (ours, texts[i % len(texts)], samples),
        ):
            started = time.perf_counter()
            reply = requests.command(text, user="U0BENCH", channel=channel)
            out.append((time.perf_counter() - started) * 1000)
            if reply.status != 200:
                raise SystemExit(f"answered {reply.status}: {reply.text}")
    return bare_samples, samples


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


COMMANDER = "U0BENCH"


def commands(n: int) -> list[tuple[str, list[str], int]]:
    """(name, texts cycled through, samples). Strikes take entries the fill numbered 2...;
    `need` and `standby` move people B0... in and out; `timeline` renders thousands of
    lines after its ack, so it is sampled less."""
    people = [f"U0B{k:04d}" for k in range(n)]
    return [
        ("log", [f"log 10m ago | bench entry {k}" for k in range(n)], n),
        ("need", [f"need <@{p}>" for p in people], n),
        ("standby", [f"standby <@{p}> bench" for p in people], n),
        ("strike", [f"strike {k + 2} bench" for k in range(n)], n),
        ("followup", [f"followup bench action {k}" for k in range(n)], n),
        ("status", ["status identified", "status investigating"], n),
        ("roster", ["roster"], n),
        ("timeline", ["timeline"], max(5, n // 10)),
    ]


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A scratch database on the server, dropped afterwards; None when it is unreachable."""
    import psycopg

    name = f"warroom_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {str(error).strip().splitlines()[0]}")
        yield None
        return
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(database_url: str, number: int, entries: int) -> None:
    """Bring the incident's timeline to `entries` entries (the declaration is one)."""
    db = Database(database_url)
    now = datetime.now(UTC)
    try:
        with db.transaction() as session:
            session.add_all(
                TimelineEntry(
                    incident_number=number,
                    kind="note",
                    text=f"filler {k}",
                    author_id=COMMANDER,
                    occurred_at=now - timedelta(minutes=entries - k),
                    recorded_at=now,
                    backdated=False,
                )
                for k in range(entries - 1)
            )
        with db.transaction() as session:
            incident = session.get(Incident, number)
            assert incident is not None and incident.last_entry_number == entries
    finally:
        db.dispose()


def start_warroom(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )


Row = tuple[str, list[float], list[float]]  # command, bare samples beside it, its samples


def run_one(
    slack: FakeSlack, env: dict[str, str], database_url: str, size: int, n: int, latency: float
) -> list[Row]:
    """One server on one fresh database, one incident of `size` entries: every command."""
    slack.state.latency_seconds = 0.0
    env = {**env, "DATABASE_URL": database_url}
    port = free_port()
    warroom = start_warroom(env, port)
    try:
        wait_listening(port, warroom)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as r:
            assert r.status == 200
        events = f"http://127.0.0.1:{port}/slack/events"
        general = slack.state.add_channel(f"general-{uuid.uuid4().hex[:6]}", [COMMANDER])
        SlackRequests(events, SECRET).command(
            "declare sev2 Bench incident", user=COMMANDER, channel=general
        )
        deadline = time.monotonic() + 30
        while (channel := slack.state.channel_by_name("inc-1-bench-incident")) is None:
            if time.monotonic() > deadline:
                raise SystemExit("the bench incident's channel was never created")
            time.sleep(0.05)
        fill(database_url, 1, size)
        slack.state.latency_seconds = latency
        measure(BARE_URL[0], ["help"], 10)  # warm both servers once; no command is warmed
        measure(events, ["help"], 10)
        rows: list[Row] = []
        for name, texts, samples in commands(n):
            bare, ours = measure_beside(BARE_URL[0], events, texts, samples, channel.id)
            rows.append((name, bare, ours))
        return rows
    finally:
        warroom.terminate()
        warroom.wait(timeout=20)
        slack.state.latency_seconds = 0.0


BARE_URL = [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--slack-latency", type=float, default=0.5)
    parser.add_argument("--sizes", default="10,5000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results: list[tuple[str, int, list[Row]]] = []

    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WARROOM_"))}
        env.update(SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=slack.api_url)
        bare_port = free_port()
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE_APP, str(bare_port), SECRET, TOKEN, slack.api_url], env=env
        )
        BARE_URL[0] = f"http://127.0.0.1:{bare_port}/slack/events"
        try:
            wait_listening(bare_port, bare)
            for database in args.databases.split(","):
                for size in sizes:
                    if database == "sqlite":
                        url = f"sqlite:///{tmp}/bench-{size}.db"
                        rows = run_one(slack, env, url, size, args.n, args.slack_latency)
                    else:
                        with postgres_database(args.postgres) as pg_url:
                            if pg_url is None:
                                break
                            rows = run_one(slack, env, pg_url, size, args.n, args.slack_latency)
                    results.append((database, size, rows))
        finally:
            bare.terminate()
            bare.wait(timeout=20)
    report(results, args.n, args.slack_latency)


def report(results: list[tuple[str, int, list[Row]]], n: int, latency: float) -> None:
    print(
        f"signed slash commands one at a time ({n} of each, timeline {max(5, n // 10)}), each "
        "in turn with one to the bare bolt app; fake Slack answers every Web API call after "
        f"{latency:.2f} s"
    )
    print(
        "| database | entries | command | p50 ms | p99 ms | bare p50 ms | bare p99 ms "
        "| p99 / bare p99 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    log_p99: dict[tuple[str, int], float] = {}
    for database, size, rows in results:
        for name, bare, samples in rows:
            p99, bare_p99 = pct(samples, 99), pct(bare, 99)
            if name == "log":
                log_p99[(database, size)] = p99
            print(
                f"| {database} | {size:,} | {name} | {pct(samples, 50):.2f} | {p99:.2f} | "
                f"{pct(bare, 50):.2f} | {bare_p99:.2f} | {p99 / bare_p99:.2f}x |"
            )
    for database in dict.fromkeys(db for db, _, _ in results):
        sizes = sorted(size for db, size in log_p99 if db == database)
        if len(sizes) > 1:
            ratio = log_p99[(database, sizes[-1])] / log_p99[(database, sizes[0])]
            print(
                f"{database}: log p99 at {sizes[-1]:,} / at {sizes[0]:,} entries = {ratio:.2f}x "
                "(target <= 1.2x)"
            )
    print("target: every command's p99 within 3x of the bare bolt app's p99 beside it")


if __name__ == "__main__":
    main()
