"""Telling the person who asked, after the acknowledgement.

Slack gives each command a `response_url`; when there is none (a shortcut, a button, a
test without one) an ephemeral message in the channel does the same job.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.webhook import WebhookClient

from bot.services.ports import Chat, ChatError

log = logging.getLogger(__name__)


class Responder:
    def __init__(
        self, chat: Chat, *, user: str, channel: str | None, response_url: str | None
    ) -> None:
        self.chat = chat
        self.user = user
        self.channel = channel
        self.response_url = response_url

    def say(self, text: str, blocks: list[Any] | None = None) -> None:
        if self.response_url:
            response = WebhookClient(self.response_url).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
            if response.status_code < 300:
                return
            log.warning(
                "response_url answered %s; falling back to an ephemeral message",
                response.status_code,
            )
        if self.channel:
            try:
                self.chat.post_ephemeral(self.channel, self.user, text, blocks)
                return
            except ChatError as error:
                log.warning("could not post an ephemeral reply: %s", error.code)
        try:
            self.chat.direct_message(self.user, text, blocks)
        except ChatError as error:
            log.error("could not reach %s at all: %s", self.user, error.code)
