"""`warroom demo`: the incident this tool was built for, replayed end to end.

Everything runs on this machine: SQLite in the output folder, the local Slack Web API
emulator, the local AWS Support API emulator, and the bot behind its real HTTP server,
driven by signed requests exactly as Slack would send them. The bot's clock is set to the
morning of the story (16 September 2026) and moved forward as the incident unfolds; the
transcript is what the incident channel (and each asker's private replies) showed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain.clock import FixedClock
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.sandbox.slack_api import FakeSlack
from bot.sandbox.world import LocalBot

STORY_START = datetime(2026, 9, 16, 13, 45, tzinfo=UTC)  # 06:45 in California
TEAM_ZONES = "America/Los_Angeles,Africa/Nairobi,Africa/Lusaka,Africa/Accra"

PEOPLE = {
    # id: (name, zone) - the team was in California, Kenya, Zambia and Ghana
    "U0ADA": ("ada", "America/Los_Angeles"),
    "U0BEN": ("ben", "America/Los_Angeles"),
    "U0WANJIRU": ("wanjiru", "Africa/Nairobi"),
    "U0AMARA": ("amara", "Africa/Nairobi"),
    "U0MUTALE": ("mutale", "Africa/Lusaka"),
    "U0CHIPO": ("chipo", "Africa/Lusaka"),
    "U0KOFI": ("kofi", "Africa/Accra"),
}
COMMANDER = "U0ADA"

_DATE_TOKEN = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")


class Transcript:
    """Prints what people typed and what Slack showed them, in order."""

    def __init__(self, slack: FakeSlack, out: Callable[[str], None] = print) -> None:
        self.slack = slack
        self.out = out
        self._seen_messages = 0
        self._seen_responses = 0

    def plain(self, text: str) -> str:
        state = self.slack.state
        text = _DATE_TOKEN.sub(r"\1", text)
        text = _USER.sub(lambda m: "@" + (state.users[m.group(1)].name
                                         if m.group(1) in state.users else m.group(1)), text)
        text = _CHANNEL.sub(lambda m: "#" + (state.channels[m.group(1)].name
                                            if m.group(1) in state.channels else m.group(1)),
                            text)
        text = _LINK.sub(r"\2 (\1)", text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def narrate(self, clock: FixedClock, text: str) -> None:
        at = clock.now()
        self.out("")
        self.out(f"── {at:%a %d %b %H:%M} UTC ── {text}")

    def typed(self, user: str, text: str) -> None:
        self.out(f"  {PEOPLE[user][0]:>8} ▸ {text}")

    def private(self, user: str, text: str) -> None:
        self._block(f"(only {PEOPLE.get(user, (user,))[0]} sees)", text)

    def flush(self) -> None:
        state = self.slack.state
        with state.lock:
            messages = state.messages[self._seen_messages:]
            responses = state.responses[self._seen_responses:]
            self._seen_messages = len(state.messages)
            self._seen_responses = len(state.responses)
        for response in responses:
            self._block("(reply only the asker sees)", str(response.get("text", "")))
        for message in messages:
            channel = state.channels.get(message.channel)
            where = f"#{channel.name}" if channel and not channel.is_im else "DM"
            if message.ephemeral_to:
                where += f", only {PEOPLE.get(message.ephemeral_to, (message.ephemeral_to,))[0]}"
            elif channel and channel.is_im:
                where = "DM to " + ", ".join(PEOPLE.get(u, (u,))[0] for u in channel.members
                                            if u in PEOPLE)
            author = PEOPLE[message.user][0] if message.user in PEOPLE else "warroom"
            pinned = " 📌" if channel and message.ts in channel.pins else ""
            text = message.text or _blocks_text(message.blocks)
            self._block(f"[{where}] {author}{pinned}", text)

    def _block(self, head: str, text: str) -> None:
        lines = self.plain(text).splitlines() or [""]
        self.out(f"           {head}: {lines[0]}")
        for line in lines[1:]:
            self.out(f"           {' ' * len(head)}  {line}")


def _blocks_text(blocks: list[Any] | None) -> str:
    parts = []
    for block in blocks or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(str(text.get("text", "")))
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and isinstance(element.get("text"), dict | str):
                value = element["text"]
                parts.append(value.get("text", "") if isinstance(value, dict) else value)
    return "\n".join(p for p in parts if p)


class Scene:
    """The demo's stage: the bot, the two emulators, the transcript."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.clock = FixedClock(STORY_START)
        self.aws = AwsSupportEmulator(plan="none", clock=self.clock).start()
        from bot.aws.support import AwsSupport

        support = AwsSupport(session=dummy_session(), endpoint_url=self.aws.endpoint_url)
        database = out_dir / "warroom.db"
        for leftover in out_dir.glob("warroom.db*"):
            leftover.unlink()
        self.bot = LocalBot(f"sqlite:///{database}", clock=self.clock, support=support,
                            settings={"warroom_team_timezones": TEAM_ZONES})
        for user, (name, zone) in PEOPLE.items():
            offset = int(self.clock.now().astimezone(_zone(zone)).utcoffset().total_seconds())
            self.bot.slack.state.add_user(user, name, tz=zone, tz_offset=offset)
        self.general = self.bot.slack.state.add_channel("general", list(PEOPLE))
        self.transcript = Transcript(self.bot.slack)
        self.channel: str | None = None

    def at(self, text: str, **advance: float) -> None:
        if advance:
            self.clock.advance(**advance)
        self.transcript.narrate(self.clock, text)

    def type(self, user: str, text: str, channel: str | None = None) -> dict[str, Any]:
        self.transcript.typed(user, f"/incident {text}")
        reply = self.bot.requests.command(text, user=user, channel=channel or self.channel
                                          or self.general)
        body = reply.json() if reply.status == 200 and reply.body else None
        if reply.status != 200:
            self.transcript.private(user, f"HTTP {reply.status}")
        elif body and body.get("text"):
            self.transcript.private(user, body["text"])
        self.bot.settle()
        self.transcript.flush()
        return body or {}

    def say(self, user: str, text: str) -> str:
        """A person posts in the incident channel; Slack reports it to the bot as an event."""
        assert self.channel
        message = self.bot.slack.state.post_user_message(self.channel, user, text)
        self.bot.requests.event({"type": "message", "channel": self.channel, "user": user,
                                 "text": text, "ts": message.ts, "channel_type": "channel"})
        self.bot.settle()
        self.transcript.flush()
        return message.ts

    def close(self) -> None:
        self.bot.close()
        self.aws.stop()


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def run_demo(out: str) -> int:
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    scene = Scene(out_dir)
    try:
        play(scene)
    finally:
        scene.close()
    return 0


def play(scene: Scene) -> None:
    print("warroom demo: the night a team deleted its own production stack.")
    print("13 people, California, Kenya, Zambia and Ghana. Everything below runs locally.")

    scene.at("Ada, in California, declares the incident")
    scene.type(COMMANDER, "declare sev1 Production environment deleted")
    created = scene.bot.slack.state.calls_to("conversations.create")
    channel = scene.bot.slack.state.channel_by_name(created[-1].params["name"])
    assert channel is not None
    scene.channel = channel.id
    for step in STEPS:
        step(scene)
    scene.at("The channel, as everyone saw it, is above. Files:")
    for path in sorted(scene.out_dir.iterdir()):
        print(f"  {path}")
    sys.stdout.flush()


STEPS: list[Callable[[Scene], None]] = []
