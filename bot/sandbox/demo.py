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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.domain.clock import FixedClock
from bot.sandbox import demo_page
from bot.sandbox.aws_support import AwsSupportEmulator, dummy_session
from bot.sandbox.demo_drills import aws_health_event, drill_epilogue, drill_prologue
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
        text = _USER.sub(
            lambda m: (
                "@" + (state.users[m.group(1)].name if m.group(1) in state.users else m.group(1))
            ),
            text,
        )
        text = _CHANNEL.sub(
            lambda m: (
                "#"
                + (state.channels[m.group(1)].name if m.group(1) in state.channels else m.group(1))
            ),
            text,
        )
        text = _LINK.sub(r"\2 (\1)", text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def narrate(self, clock: FixedClock, text: str) -> None:
        at = clock.now()
        self.out("")
        self.out(f"── {at:%a %d %b %H:%M} UTC ── {text}")

    def typed(self, user: str, text: str) -> None:
        self.out(f"  {PEOPLE[user][0]:>8} ▸ {text}")

    def private(self, user: str, text: str) -> None:
        self.block(f"(only {PEOPLE.get(user, (user,))[0]} sees)", text)

    def flush(self) -> None:
        state = self.slack.state
        with state.lock:
            messages = state.messages[self._seen_messages :]
            responses = state.responses[self._seen_responses :]
            self._seen_messages = len(state.messages)
            self._seen_responses = len(state.responses)
        for response in responses:
            self.block("(reply only the asker sees)", str(response.get("text", "")))
        for message in messages:
            channel = state.channels.get(message.channel)
            where = f"#{channel.name}" if channel and not channel.is_im else "DM"
            if message.ephemeral_to:
                where += f", only {PEOPLE.get(message.ephemeral_to, (message.ephemeral_to,))[0]}"
            elif channel and channel.is_im:
                where = "DM to " + ", ".join(
                    PEOPLE.get(u, (u,))[0] for u in channel.members if u in PEOPLE
                )
            author = PEOPLE[message.user][0] if message.user in PEOPLE else "warroom"
            pinned = " 📌" if channel and message.ts in channel.pins else ""
            text = message.text or _blocks_text(message.blocks)
            self.block(f"[{where}] {author}{pinned}", text)

    def block(self, head: str, text: str) -> None:
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

    def __init__(self, out_dir: Path, *, port: int = 0) -> None:
        self.out_dir = out_dir
        self.clock = FixedClock(STORY_START)
        self.aws = AwsSupportEmulator(plan="none", clock=self.clock).start()
        from bot.aws.health import AwsHealth
        from bot.aws.support import AwsSupport

        support = AwsSupport(session=dummy_session(), endpoint_url=self.aws.endpoint_url)
        health = AwsHealth(session=dummy_session(), endpoint_url=self.aws.endpoint_url)
        self.support = support
        database = out_dir / "warroom.db"
        for leftover in out_dir.glob("warroom.db*"):
            leftover.unlink()
        self.slack = FakeSlack().start()
        self.stakeholders = self.slack.state.add_channel("stakeholders")
        port = port or demo_page.free_port()
        self.bot = LocalBot(
            f"sqlite:///{database}",
            clock=self.clock,
            support=support,
            slack=self.slack,
            port=port,
            settings={"warroom_team_timezones": TEAM_ZONES, **demo_page.settings(port, self)},
            health=health,
        )
        for user, (name, zone) in PEOPLE.items():
            local = self.clock.now().astimezone(_zone(zone))
            offset = int((local.utcoffset() or timedelta()).total_seconds())
            self.bot.slack.state.add_user(user, name, tz=zone, tz_offset=offset)
        self.bot.slack.state.now = lambda: self.clock.now().timestamp()
        self.general = self.bot.slack.state.add_channel("general", list(PEOPLE))
        self.transcript = Transcript(self.bot.slack)
        self.channel: str | None = None

    def at(self, text: str, **advance: float) -> None:
        if advance:
            self.clock.advance(**advance)
        self.transcript.narrate(self.clock, text)

    def type(self, user: str, text: str, channel: str | None = None) -> dict[str, Any]:
        self.transcript.typed(user, f"/incident {text}")
        reply = self.bot.requests.command(
            text,
            user=user,
            user_name=PEOPLE[user][0],
            channel=channel or self.channel or self.general,
        )
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
        self.bot.requests.event(
            {
                "type": "message",
                "channel": self.channel,
                "user": user,
                "text": text,
                "ts": message.ts,
                "channel_type": "channel",
            }
        )
        self.bot.settle()
        self.transcript.flush()
        return message.ts

    def close(self) -> None:
        self.bot.close()
        self.slack.stop()
        self.aws.stop()


def _zone(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def run_demo(out: str, *, serve: bool = False, port: int = 0) -> int:
    out_dir = Path(out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    scene = Scene(out_dir, port=port)
    try:
        play(scene)
        if serve:
            demo_page.keep_serving(scene)
    finally:
        scene.close()
    return 0


def play(scene: Scene) -> None:
    print("warroom demo: the night a team deleted its own production stack.")
    print("13 people, California, Kenya, Zambia and Ghana. Everything below runs locally.")

    scene.at(
        "A week earlier nobody ran `warroom readiness`. This is what it would have said", days=-7
    )
    from bot.sandbox.demo_readiness import story_account_report

    report = story_account_report(scene.support, scene.clock.now())
    print(
        report
        if report is not None
        else "  (install the dev extras to see the readiness audit: pip install -e '.[dev]')"
    )
    drill_prologue(scene)
    scene.clock.advance(days=7)

    scene.at("Ada, in California, declares the incident")
    scene.type(COMMANDER, "declare sev1 Production environment deleted")
    created = scene.bot.slack.state.calls_to("conversations.create")
    channel = scene.bot.slack.state.channel_by_name(created[-1].params["name"])
    assert channel is not None
    scene.channel = channel.id
    for step in _review_steps():
        step(scene)
    drill_epilogue(scene)
    scene.at("The channel, as everyone saw it, is above. Files:")
    for path in sorted(scene.out_dir.iterdir()):
        print(f"  {path}")
    sys.stdout.flush()


def timeline_backfill(scene: Scene) -> None:
    scene.at("People log what already happened, in the zone they speak", minutes=2)
    scene.type(
        "U0ADA",
        "log 3:20 AM PST | Deploy of the API stack started; CloudFormation "
        "update failed and the stack is in UPDATE_ROLLBACK_FAILED",
    )
    scene.type(
        "U0MUTALE",
        "log 15:20 CAT | Stack deleted to get past ROLLBACK_FAILED; the DynamoDB tables were in it",
    )
    scene.type("U0ADA", "log 6:38 AM PST | We have lost everything: production is gone")


def capture_from_conversation(scene: Scene) -> None:
    scene.at("Wanjiru says something worth keeping; Ada pins it with :pushpin:", minutes=3)
    ts = scene.say(
        "U0WANJIRU",
        "No point-in-time recovery on the orders table. Last internal backup is 3 days old.",
    )
    assert scene.channel
    scene.bot.requests.reaction(
        user="U0ADA", channel=scene.channel, message_ts=ts, item_user="U0WANJIRU"
    )
    scene.bot.settle()
    scene.transcript.flush()


def pull_people_in(scene: Scene) -> None:
    scene.at("Ada pulls the team in (13 people were on that call; six here)", minutes=1)
    scene.type(
        "U0ADA", "need <@U0BEN> <@U0WANJIRU|wanjiru> <@U0AMARA> <@U0MUTALE> <@U0CHIPO> <@U0KOFI>"
    )
    scene.type("U0ADA", "role scribe <@U0MUTALE>")


def tick_runbook_steps(scene: Scene) -> None:
    scene.at("Wanjiru works the data-loss runbook that was posted at declaration", minutes=1)
    from bot.slack.commands.runbooks import TickValue
    from bot.slack.ids import ActionId

    assert scene.channel
    checklist = next(
        m
        for m in scene.bot.slack.state.messages_in(scene.channel)
        if m.text.startswith("Runbook: Production data lost")
    )
    for step in (0, 1):
        scene.transcript.typed("U0WANJIRU", f"[presses Done on step {step + 1}]")
        scene.bot.requests.block_action(
            user="U0WANJIRU",
            channel=scene.channel,
            message_ts=checklist.ts,
            action_id=ActionId.RUNBOOK_TICK,
            value=TickValue(runbook="production-data-loss", step=step).dump(),
        )
        scene.bot.settle()
        scene.transcript.flush()
    updated = scene.bot.slack.state.message(scene.channel, checklist.ts)
    if updated is not None:
        scene.transcript.block("(the checklist now reads)", updated.text)


def support_without_a_plan(scene: Scene) -> None:
    scene.at("Can AWS help? The account has no support plan", minutes=4)
    scene.type("U0KOFI", "support")
    scene.at("Ada buys Business support on a credit card, mid-incident", minutes=11)
    scene.aws.set_plan("business")
    scene.type("U0ADA", "support open Production stack and DynamoDB tables deleted")


def narrow_the_call(scene: Scene) -> None:
    scene.at("The work narrows: people go back to their day, reachable", minutes=20)
    scene.type("U0ADA", "standby <@U0AMARA> frontend is not involved")
    scene.type("U0ADA", "standby <@U0CHIPO> nothing to do until the restore is back")
    scene.type("U0ADA", "release <@U0BEN> handed over the IAM notes, thanks")
    scene.at("AWS answers the case; the bot mirrors it into the channel", minutes=25)
    for case in scene.aws.cases:
        scene.aws.add_aws_reply(
            case.case_id,
            "Hello, this is AWS Support. We are looking into the deleted tables. Internal "
            "backups of DynamoDB may be recoverable; please confirm the table ARNs.",
            at=scene.clock.now(),
        )
    for job in scene.bot.runtime.jobs:
        if job.name == "support-poll":
            job.run()
    scene.bot.settle()
    scene.transcript.flush()
    scene.type(
        "U0ADA", "support reply Tables: arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    )
    scene.at("Someone is needed again", minutes=30)
    scene.type("U0ADA", "recall <@U0BEN> need IAM help for the restore role")
    scene.type("U0WANJIRU", "roster")


def recover(scene: Scene) -> None:
    scene.at("The restore works", minutes=40)
    scene.type("U0ADA", "status identified")
    scene.type("U0MUTALE", "log Restore of orders from AWS internal backup complete")
    scene.type("U0ADA", "status monitoring")
    scene.at("Two responders read the same timeline, each in their own zone", minutes=5)
    scene.type("U0ADA", "timeline")
    scene.type("U0MUTALE", "timeline Africa/Lusaka")


def resolve(scene: Scene) -> None:
    scene.at("Resolved", minutes=30)
    scene.type("U0ADA", "resolve Orders restored from AWS internal backup; stack redeployed")


def export(scene: Scene) -> None:
    scene.at("The postmortem is exported", minutes=5)
    scene.type("U0ADA", "postmortem md")
    from bot.services.postmortem import export_incident

    for fmt in ("md", "json", "html"):
        exported = export_incident(
            scene.bot.db, 1, fmt, zones=TEAM_ZONES.split(","), now=scene.clock.now()
        )
        (scene.out_dir / exported.filename).write_bytes(exported.content)
    channel = scene.bot.slack.state.channels[scene.channel or ""]
    pinned = scene.bot.slack.state.message(channel.id, channel.pins[0]) if channel.pins else None
    if pinned is not None:
        scene.at("The pinned summary now reads")
        scene.transcript.block("📌", pinned.text)


def _review_steps() -> list[Callable[[Scene], None]]:
    from bot.sandbox import demo_review

    return [
        timeline_backfill,
        capture_from_conversation,
        pull_people_in,
        demo_review.impact_board,
        tick_runbook_steps,
        support_without_a_plan,
        demo_page.tell_stakeholders,
        aws_health_event,
        narrow_the_call,
        recover,
        demo_review.impact_recovers,
        demo_page.tell_stakeholders_it_is_back,
        demo_review.action_items,
        resolve,
        demo_review.write_the_analysis,
        export,
    ]
