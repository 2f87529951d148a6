"""What the bot hands Slack to give back later: a button's `value`, a modal's
`private_metadata`. Each is a small pydantic model, serialised and parsed here only, so a
tampered or stale value fails validation instead of being half-read."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel

SLACK_VALUE_LIMIT = 2000  # a button value; private_metadata allows 3000


class SlackPayload(BaseModel):
    def dump(self) -> str:
        raw = self.model_dump_json()
        if len(raw) > SLACK_VALUE_LIMIT:
            raise ValueError(f"{type(self).__name__} is too long for Slack ({len(raw)} chars)")
        return raw

    @classmethod
    def load(cls, raw: str | None) -> Self:
        """Raises pydantic's ValidationError on anything that is not one of these."""
        return cls.model_validate_json(raw or "{}")
