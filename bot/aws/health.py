"""The boto3 adapter for AWS Health: the real `Health` port of `bot.services.ports`.

AWS Health has one global endpoint in `us-east-1` whatever regions are watched (the regions
are a filter of `DescribeEvents`); `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_HEALTH` or an
explicit `endpoint_url` redirect it (the project's emulator). `DescribeEvents` answers with
the account-specific events and the public events AWS shows this account; each event's
description and, for account-specific events, the affected resources are fetched too, ten
ARNs a call as the API allows.

Like the Support API it needs a Business-class plan: `SubscriptionRequiredException`
becomes `HealthUnavailable`, everything else AWS or botocore raises a `HealthError` whose
message says what to do. Nothing is cached.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

from bot.aws.support import redact
from bot.domain.errors import HealthError, HealthUnavailable
from bot.domain.health import NO_HEALTH_PLAN, HealthEvent

HEALTH_REGION = "us-east-1"
OPEN_STATUSES = ("open", "upcoming")
BATCH = 10  # DescribeEventDetails and DescribeAffectedEntities take at most 10 ARNs
MAX_ENTITIES = 10  # affected resources kept per event: enough to rule a table in or out
_ACCESS_DENIED = frozenset({"AccessDeniedException", "AccessDenied"})


class AwsHealth:
    """`Health` over boto3. `default_region` is the AWS client's region, watched when no
    regions are configured (`WARROOM_AWS_REGIONS` unset)."""

    def __init__(
        self,
        *,
        session: boto3.Session | None = None,
        endpoint_url: str | None = None,
        max_attempts: int = 3,
    ) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._config = Config(
            region_name=HEALTH_REGION,
            retries={"total_max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=5,
            read_timeout=20,
        )
        self._client: Any = None

    @property
    def default_region(self) -> str:
        session = self._session or boto3.Session()
        return str(session.region_name or HEALTH_REGION)

    # --- the port -------------------------------------------------------------------------

    def open_events(self, regions: Sequence[str]) -> list[HealthEvent]:
        watched = list(regions) or [self.default_region]
        with self._translated("DescribeEvents"):
            pages = (
                self._health()
                .get_paginator("describe_events")
                .paginate(filter={"regions": watched, "eventStatusCodes": list(OPEN_STATUSES)})
            )
            raw = [event for page in pages for event in page.get("events", [])]
        return self._detailed(raw)

    def events(self, arns: Sequence[str]) -> list[HealthEvent]:
        """The current state of known events (to see one close)."""
        raw: list[dict[str, Any]] = []
        for batch in _batches(list(arns)):
            with self._translated("DescribeEventDetails"):
                answer = self._health().describe_event_details(eventArns=batch)
            raw += [item["event"] for item in answer.get("successfulSet", []) if "event" in item]
        return self._detailed(raw)

    # --- plumbing -------------------------------------------------------------------------

    def _detailed(self, raw: list[dict[str, Any]]) -> list[HealthEvent]:
        arns = [str(event["arn"]) for event in raw]
        descriptions: dict[str, str] = {}
        for batch in _batches(arns):
            with self._translated("DescribeEventDetails"):
                answer = self._health().describe_event_details(eventArns=batch)
            for item in answer.get("successfulSet", []):
                arn = str(item.get("event", {}).get("arn", ""))
                text = item.get("eventDescription", {}).get("latestDescription")
                if arn and text:
                    descriptions[arn] = str(text)
        affected = self._affected(
            [str(e["arn"]) for e in raw if e.get("eventScopeCode") == "ACCOUNT_SPECIFIC"]
        )
        return [
            HealthEvent(
                arn=str(event["arn"]),
                service=str(event.get("service", "")),
                region=str(event.get("region", "")),
                event_type=str(event.get("eventTypeCode", "")),
                status=str(event.get("statusCode", "")),
                start_time=_time(event.get("startTime")),
                last_updated=_time(event.get("lastUpdatedTime")),
                scope=event.get("eventScopeCode"),
                description=descriptions.get(str(event["arn"])),
                affected=tuple(affected.get(str(event["arn"]), [])[:MAX_ENTITIES]),
            )
            for event in raw
        ]

    def _affected(self, arns: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for batch in _batches(arns):
            with self._translated("DescribeAffectedEntities"):
                pages = (
                    self._health()
                    .get_paginator("describe_affected_entities")
                    .paginate(filter={"eventArns": batch})
                )
                for page in pages:
                    for entity in page.get("entities", []):
                        value = entity.get("entityValue")
                        if value:
                            found.setdefault(str(entity.get("eventArn")), []).append(str(value))
        return found

    def _health(self) -> Any:
        if self._client is None:
            session = self._session or boto3.Session()
            self._client = session.client(
                "health",
                region_name=HEALTH_REGION,
                endpoint_url=self._endpoint_url,
                config=self._config,
            )
        return self._client

    @contextmanager
    def _translated(self, operation: str) -> Iterator[None]:
        action = f"health:{operation}"
        try:
            yield
        except ClientError as error:
            details = error.response.get("Error", {})
            code = str(details.get("Code", ""))
            if code == "SubscriptionRequiredException":
                raise HealthUnavailable(NO_HEALTH_PLAN) from None
            if code in _ACCESS_DENIED:
                raise HealthError(
                    f"AWS Health refused `{action}`: allow it for warroom's IAM identity."
                ) from None
            message = redact(str(details.get("Message", "")).strip())
            said = f": {message}" if message else ""
            raise HealthError(f"AWS Health refused `{action}` ({code}){said}") from None
        except (NoCredentialsError, NoRegionError):
            raise HealthError("AWS is not configured: AWS Health cannot be asked.") from None
        except BotoCoreError as error:
            raise HealthError(f"AWS Health could not be reached ({type(error).__name__})") from None


def _batches(items: list[str]) -> list[list[str]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def _time(value: Any) -> datetime | None:
    """botocore gives datetimes (aware); raw answers may carry epoch seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromtimestamp(float(value), UTC)
