"""A burst of declarations under Slack's Tier 2 rate limit: how soon does every incident
have its channel, beside the physical floor?

`warroom serve` runs as its own process (its jobs included) against the fake Slack Web
API, whose limiter allows `--calls` `conversations.create` (and `pins.add`, also Tier 2)
in any `--window` seconds and answers the rest 429 with Retry-After. N signed
`/incident declare` commands are sent one after another; the bench watches the fake until
every incident has its channel and its pinned summary, and checks that the channels
came in declaration order and none twice.

Slack's Tier 2 is about 20 calls a minute, so 50 declarations take at least
(ceil(50 / 20) - 1) windows = 2 minutes of waiting for the limit (the first 20 go at once,
the last 10 at the start of the third window); the README's "50 / 20 per minute"
estimate is 150 s. The default scales the window to 6 s (20 per 6 s) so a run takes
seconds; the ratio to the floor is what matters.

    python bench/burst.py [-n 50] [--calls 20] [--window 6] [--database URL]
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.slack_api import FakeSlack  # noqa: E402
from bot.sandbox.slack_requests import SlackRequests  # noqa: E402

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
USER = "U0BENCH"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"warroom serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("warroom serve did not start")


def run(n: int, calls: int, window: float, database_url: str | None) -> dict[str, float]:
    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        slack.state.add_user(USER, "bench")
        general = slack.state.add_channel("general", [USER])
        slack.state.faults.limit("conversations.create", calls=calls, per_seconds=window)
        slack.state.faults.limit("pins.add", calls=calls, per_seconds=window)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WARROOM_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=database_url or f"sqlite:///{tmp}/burst.db",
        )
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(port, server)
            requests = SlackRequests(
                f"http://127.0.0.1:{port}/slack/events", SECRET, response_url=slack.response_url
            )
            names = [f"inc-{i}-burst-{i}" for i in range(1, n + 1)]
            seen: dict[int, float] = {}  # channel index -> seconds after the first command
            pinned: dict[int, float] = {}
            started = time.monotonic()
            done = threading.Event()

            def watch() -> None:
                """Watches the fake from the first command on (10 ms resolution)."""
                while not done.is_set() and time.monotonic() < started + 60 * window + 120:
                    now = time.monotonic() - started
                    with slack.state.lock:
                        made = [slack.state.channel_by_name(name) for name in names]
                    for index, channel in enumerate(made):
                        if channel is not None:
                            seen.setdefault(index, now)
                            if channel.pins:
                                pinned.setdefault(index, now)
                    if len(pinned) == n:
                        done.set()
                    time.sleep(0.01)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            for i in range(1, n + 1):
                reply = requests.command(f"declare sev2 Burst {i}", user=USER, channel=general)
                if reply.status != 200:
                    raise SystemExit(f"declare {i} answered {reply.status}: {reply.text}")
            sent = time.monotonic() - started
            watcher.join()
            if len(pinned) < n:
                raise SystemExit(f"after the wait: {len(seen)}/{n} channels, {len(pinned)} pinned")
            channels_at, pinned_at = max(seen.values()), max(pinned.values())
            with slack.state.lock:
                created = [
                    c.params["name"]
                    for c in slack.state.calls_to("conversations.create")
                    if slack.state.channel_by_name(c.params["name"])
                ]
                in_order = [
                    c.name for c in slack.state.channels.values() if c.name.startswith("inc-")
                ]
                limited = dict(slack.state.faults.limited)
            if in_order != names or len(set(created)) != n:
                raise SystemExit(f"channels out of order or doubled: {in_order}")
        finally:
            server.terminate()
            server.wait(10)
    floor = (math.ceil(n / calls) - 1) * window
    return {
        "sent": sent,
        "channels": channels_at,
        "pinned": pinned_at,
        "floor": floor,
        "estimate": n / calls * window,
        "limited_create": limited.get("conversations.create", 0),
        "limited_pin": limited.get("pins.add", 0),
        **{f"seen_{k + 1}": v for k, v in seen.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--window", type=float, default=6.0)
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: SQLite)")
    args = parser.parse_args()
    r = run(args.n, args.calls, args.window, args.database)
    print(
        f"{args.n} declarations, Tier 2 limiter {args.calls} per {args.window:g} s "
        f"(conversations.create and pins.add)"
    )
    print(f"  commands sent (all acknowledged) in {r['sent']:.2f} s")
    print(f"  every incident has its channel after {r['channels']:.2f} s")
    print(f"  every summary pinned after          {r['pinned']:.2f} s")
    print(
        f"  floor {r['floor']:.1f} s (first {args.calls} at once, then one window per "
        f"{args.calls}); the 'N / rate' estimate {r['estimate']:.1f} s"
    )
    print(
        f"  channels / floor = {r['channels'] / r['floor']:.2f}x "
        f"(target <= 1.5x); / estimate = {r['channels'] / r['estimate']:.2f}x"
    )
    marks = sorted({1, args.calls, args.calls + 1, 2 * args.calls, 2 * args.calls + 1, args.n})
    print(
        "  channel k seen at: "
        + ", ".join(f"#{k} {r[f'seen_{k}']:.1f} s" for k in marks if f"seen_{k}" in r)
    )
    print(
        f"  429s answered: {r['limited_create']:.0f} conversations.create, "
        f"{r['limited_pin']:.0f} pins.add; channels in declaration order, none twice"
    )


if __name__ == "__main__":
    main()
