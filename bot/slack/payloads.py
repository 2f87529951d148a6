"""What the bot hands Slack to give back later: a button's `value`, a modal's
`private_metadata`. Each is a small pydantic model, serialised and parsed here only, so a
tampered or stale value fails validation instead of being half-read."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ValidationError

from bot.domain.errors import WarroomError

SLACK_VALUE_LIMIT = 2000  # a button value; private_metadata allows 3000


class UnreadablePayload(WarroomError):
    """A button value or modal metadata that is not what warroom wrote: tampered, or from an
    older version. Said to the person; nothing is written."""

    def __init__(self) -> None:
        super().__init__(
            "warroom could not read this form or button (changed, or from an older version). "
            "Nothing was saved; open it again and resubmit."
        )


class SlackPayload(BaseModel):
    def dump(self) -> str:
        raw = self.model_dump_json()
        if len(raw) > SLACK_VALUE_LIMIT:
            raise ValueError(f"{type(self).__name__} is too long for Slack ({len(raw)} chars)")
        return raw

    @classmethod
    def load(cls, raw: str | None) -> Self:
        """Raises `UnreadablePayload` on anything that is not one of these."""
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError:
            raise UnreadablePayload() from None
