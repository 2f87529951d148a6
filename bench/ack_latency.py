"""Acknowledgement latency of `warroom serve`, beside a bare slack-bolt app.

Slack gives a slash command three seconds; warroom acknowledges before any Slack or AWS
call. This sends N signed slash commands to each server, one at a time, and prints p50/p99
of the HTTP round trip. Both servers run behind the same WSGI server (waitress) in this
process's children, and the fake Slack Web API answers every call after a delay
(`--slack-latency`), so a Slack call on the path before the ack would show.

    python bench/ack_latency.py [-n 300] [--slack-latency 0.5]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.slack_api import FakeSlack  # noqa: E402
from bot.sandbox.slack_requests import SlackRequests  # noqa: E402

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


def measure(url: str, texts: list[str], n: int, channel: str = "C0BENCH") -> list[float]:
    requests = SlackRequests(url, SECRET)
    for _ in range(10):  # warm-up: imports, first auth, connection pools
        requests.command(texts[0], user="U0BENCH", channel=channel)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        reply = requests.command(texts[i % len(texts)], user="U0BENCH", channel=channel)
        samples.append((time.perf_counter() - started) * 1000)
        if reply.status != 200:
            raise SystemExit(f"{url} answered {reply.status}: {reply.text}")
    return samples


def pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--slack-latency", type=float, default=0.5)
    args = parser.parse_args()

    with FakeSlack() as slack, tempfile.TemporaryDirectory() as tmp:
        general = slack.state.add_channel("general", ["U0BENCH"])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "WARROOM_"))}
        env.update(
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp}/bench.db",
        )
        bare_port, warroom_port = free_port(), free_port()
        bare = subprocess.Popen(
            [sys.executable, "-c", BARE_APP, str(bare_port), SECRET, TOKEN, slack.api_url], env=env
        )
        warroom = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(warroom_port),
            ],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(bare_port, bare)
            wait_listening(warroom_port, warroom)
            with urllib.request.urlopen(f"http://127.0.0.1:{warroom_port}/healthz") as r:
                assert r.status == 200
            events = f"http://127.0.0.1:{warroom_port}/slack/events"
            SlackRequests(events, SECRET).command(
                "declare sev2 Bench incident", user="U0BENCH", channel=general
            )
            deadline = time.monotonic() + 30
            while slack.state.channel_by_name("inc-1-bench-incident") is None:
                if time.monotonic() > deadline:
                    raise SystemExit("the bench incident's channel was never created")
                time.sleep(0.05)
            incident_channel = slack.state.channel_by_name("inc-1-bench-incident").id
            slack.state.latency_seconds = args.slack_latency
            rows = [
                (
                    "bare bolt (lazy, process_before_response)",
                    measure(f"http://127.0.0.1:{bare_port}/slack/events", ["help"], args.n),
                ),
                ("warroom /incident help", measure(events, ["help"], args.n)),
                (
                    "warroom /incident status (DB write, outbox)",
                    measure(
                        events,
                        ["status identified", "status investigating"],
                        args.n,
                        incident_channel,
                    ),
                ),
            ]
        finally:
            for process in (bare, warroom):
                process.terminate()
                process.wait(timeout=20)
    print(
        f"{args.n} signed slash commands each, one at a time; fake Slack answers every Web "
        f"API call after {args.slack_latency:.2f} s"
    )
    print(f"{'server':48} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, samples in rows:
        print(f"{name:48} {pct(samples, 50):8.2f} {pct(samples, 99):8.2f} {max(samples):8.2f}")
    bare_p99 = pct(rows[0][1], 99)
    print(f"warroom help p99 / bare p99 = {pct(rows[1][1], 99) / bare_p99:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
