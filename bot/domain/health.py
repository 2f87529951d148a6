"""AWS Health events: the answer to "is it us or AWS?".

An event is identified by its ARN; what the channel is told about is a (event, status)
pair, so a new event and each change of its status are announced once, and nothing else.

Pure: the boto3 adapter is `bot.aws.health`; services speak to it through the `Health`
port in `bot.services.ports`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.clock import ensure_utc

HEALTH_DASHBOARD_URL = "https://health.aws.amazon.com/health/home#/account/dashboard/open-issues"
NO_HEALTH_PLAN = (
    "AWS Health events are not watched: the AWS Health API needs a Business-class support "
    "plan or higher, like the Support API."
)

_STATUS_EMOJI = {
    "open": ":red_circle:",
    "upcoming": ":large_yellow_circle:",
    "closed": ":white_check_mark:",
}


@dataclass(frozen=True)
class HealthEvent:
    arn: str
    service: str
    region: str
    event_type: str
    status: str  # open | upcoming | closed
    start_time: datetime | None = None
    last_updated: datetime | None = None
    scope: str | None = None  # ACCOUNT_SPECIFIC | PUBLIC | NONE
    description: str | None = None
    affected: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("start_time", "last_updated"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, ensure_utc(value))

    @property
    def is_account_specific(self) -> bool:
        return self.scope == "ACCOUNT_SPECIFIC"

    def headline(self) -> str:
        """`DYNAMODB_INCREASED_API_ERROR_RATES` -> `DynamoDB increased API error rates`."""
        words = self.event_type
        prefix = f"AWS_{self.service}_"
        if words.startswith(prefix):
            words = words[len(prefix) :]
        return words.replace("_", " ").lower().replace("api", "API")

    def status_emoji(self) -> str:
        return _STATUS_EMOJI.get(self.status, ":grey_question:")
