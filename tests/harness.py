"""Drives a real bot over HTTP, as Slack would, against the fake Slack Web API.

`BotHarness` is the sandbox's `LocalBot` (the bolt app behind the same WSGI server
`warroom serve` uses, requests signed with the signing secret) plus test conveniences;
`settle()` waits for after-acknowledgement work (no sleeps).
"""

from __future__ import annotations

from typing import Any

from bot.domain.clock import FixedClock
from bot.sandbox.slack_api import FakeSlack, Message
from bot.sandbox.slack_requests import HttpReply
from bot.sandbox.world import LOCAL_BOT_TOKEN, LOCAL_SIGNING_SECRET, LocalBot
from bot.slack.ids import ActionId, BlockId

SIGNING_SECRET = LOCAL_SIGNING_SECRET
BOT_TOKEN = LOCAL_BOT_TOKEN
COMMANDER = "U0CMDR"
TEAM_ZONES = "America/Los_Angeles,Africa/Nairobi,Africa/Lusaka,Africa/Accra"


def declare_form(title: str, severity: str = "sev2") -> dict[str, Any]:
    """The state values of a filled-in declare modal, as Slack sends them."""
    return {
        BlockId.DECLARE_TITLE: {
            ActionId.DECLARE_TITLE: {"type": "plain_text_input", "value": title}
        },
        BlockId.DECLARE_SEVERITY: {
            ActionId.DECLARE_SEVERITY: {
                "type": "static_select",
                "selected_option": {"value": severity},
            }
        },
        BlockId.DECLARE_DRILL: {
            ActionId.DECLARE_DRILL: {"type": "checkboxes", "selected_options": []}
        },
    }


class BotHarness(LocalBot):
    def __init__(
        self,
        database_url: str,
        *,
        clock: FixedClock | None = None,
        support: Any = None,
        settings: dict[str, Any] | None = None,
        slack: FakeSlack | None = None,
        port: int = 0,
        health: Any = None,
        restore_drills: Any = None,
    ) -> None:
        settings = {"warroom_team_timezones": TEAM_ZONES, **(settings or {})}
        super().__init__(
            database_url,
            clock=clock,
            support=support,
            settings=settings,
            slack=slack,
            port=port,
            health=health,
            restore_drills=restore_drills,
        )
        if COMMANDER not in self.slack.state.users:
            self.slack.state.add_user(
                COMMANDER,
                "ada",
                tz="America/Los_Angeles",
                tz_offset=-7 * 3600,
                tz_label="Pacific Daylight Time",
            )
        general = self.slack.state.channel_by_name("general")
        self.general = (
            general.id if general else self.slack.state.add_channel("general", [COMMANDER])
        )

    def command(
        self, text: str, *, user: str = COMMANDER, channel: str | None = None, settle: bool = True
    ) -> HttpReply:
        reply = self.requests.command(text, user=user, channel=channel or self.general)
        if settle:
            self.settle()
        return reply

    def declare(
        self, text: str = "sev1 Production environment deleted", user: str = COMMANDER
    ) -> str:
        """Declares and returns the new incident channel's id."""
        reply = self.command(f"declare {text}", user=user)
        assert reply.status == 200, reply.text
        created = self.slack.state.calls_to("conversations.create")
        assert created, "no channel was created"
        channel = self.slack.state.channel_by_name(created[-1].params["name"])
        assert channel is not None
        return channel.id

    def posted(self, channel: str) -> list[Message]:
        return self.slack.state.messages_in(channel)

    def responses(self) -> list[dict[str, Any]]:
        return list(self.slack.state.responses)

    def last_response_text(self) -> str:
        responses = self.responses()
        return str(responses[-1].get("text", "")) if responses else ""
