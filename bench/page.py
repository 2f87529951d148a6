"""Incident page cost: a 5,000-entry incident served over HTTP by `warroom serve`'s own
WSGI server, and the poll the open page makes every 5 seconds.

Seeds the incident straight into a fresh SQLite database (as bench/export.py does; with
`--postgres URL`, into PostgreSQL too), starts the bot against the fake Slack Web API, opens
the page by its signed link and times the full HTTP round trip (read the record, build,
render, send). "After a change" views follow a new timeline entry each, so nothing rendered
before can be reused; "unchanged" views and polls reuse the rendering of the current state.
Each figure is the median and the worst of `--repeat` requests.

    python bench/page.py [--entries 5000] [--people 100] [--repeat 10] [--postgres URL]

Target: the page of a 5,000-entry incident in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from export import seed  # noqa: E402

from bot.sandbox.world import LocalBot  # noqa: E402
from bot.store import repo  # noqa: E402
from bot.store.db import Database  # noqa: E402
from bot.web.links import Signer  # noqa: E402

SECRET = "bench-page-secret"
ZONES = "America/Los_Angeles,Africa/Nairobi,Africa/Lusaka,Africa/Accra"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    return time.perf_counter() - started, body


def measure(url: str, entries: int, people: int, repeat: int) -> None:
    db = Database(url)
    db.upgrade()
    number = seed(db, entries, people)
    db.dispose()
    port = free_port()
    bot = LocalBot(
        url,
        port=port,
        settings={
            "warroom_public_url": f"http://127.0.0.1:{port}",
            "warroom_page_secret": SECRET,
            "warroom_team_timezones": ZONES,
        },
    )
    try:
        token = Signer(SECRET).link_token(number)
        page = f"{bot.server.url}/incidents/INC-{number}?token={token}"
        state = f"{bot.server.url}/incidents/INC-{number}/state?token={token}"
        fetch(page)  # warm: templates compiled, connections open
        pages = []
        for i in range(repeat):  # each view follows a change: nothing cached helps
            add_entry(url, number, i)
            pages.append(fetch(page))
        cached = [fetch(page)[0] for _ in range(repeat)]
        version = json.loads(fetch(state)[1])["version"]
        polls = [fetch(f"{state}&since={version}")[0] for _ in range(repeat)]
        changed = [fetch(state)[0] for _ in range(repeat)]
        size = len(pages[-1][1]) / 1024
        label = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        for name, times in (
            ("page after a change", [t for t, _ in pages]),
            ("page, unchanged", cached),
            ("poll, nothing new", polls),
            ("poll, changed", changed),
        ):
            print(
                f"{label:<10} {entries:>6} entries  {name:<20} "
                f"median {statistics.median(times) * 1000:7.1f} ms   "
                f"worst {max(times) * 1000:7.1f} ms"
            )
        print(f"{label:<10} page size {size:.0f} KiB")

    finally:
        bot.close()


def add_entry(url: str, number: int, i: int) -> None:
    db = Database(url)
    now = datetime.now(UTC)
    with db.transaction() as session:
        incident = repo.incident_by_number(session, number)
        repo.add_timeline_entry(
            session,
            incident,
            kind="note",
            text=f"bench entry {i}",
            author_id="U0CMDR",
            occurred_at=now,
            recorded_at=now,
        )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--postgres", default=None, help="also measure on this database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(f"sqlite:///{tmp}/bench.db", args.entries, args.people, args.repeat)
    if args.postgres:
        measure(args.postgres, args.entries, args.people, args.repeat)


if __name__ == "__main__":
    main()
