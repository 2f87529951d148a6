"""AWS Health, served by the same local server as the Support emulator.

moto does not implement AWS Health, and the Health API sits behind the same Business-class
plan as the Support API, so the Support emulator (`bot.sandbox.aws_support`) also answers
JSON 1.1 calls with the target prefix `AWSHealth_20160804.`: `DescribeEvents`,
`DescribeEventDetails` and `DescribeAffectedEntities`, with the emulator's plan switch
(plan `none`: `SubscriptionRequiredException`) and its `fail_next`.

What a test or the demo tells it (`emulator.health`):
- `open_event(service, event_type_code, region=..., scope=..., description=..., entities=...)`
  returns the new event's ARN;
- `set_status(arn, "open" | "upcoming" | "closed")` changes it (and its last-updated time).
Over HTTP: `POST /_sandbox/health/open` and `POST /_sandbox/health/status`.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.clock import Clock, ensure_utc

HEALTH_TARGET_PREFIX = "AWSHealth_20160804."
STATUSES = ("open", "upcoming", "closed")
SCOPES = ("ACCOUNT_SPECIFIC", "PUBLIC")
PAGE_SIZE = 10
NO_PLAN_MESSAGE = (
    "The AWS Health API is only available with a Business, Enterprise On-Ramp or "
    "Enterprise support plan."
)


class HealthApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class EmulatedEvent:
    arn: str
    service: str
    event_type_code: str
    region: str
    scope: str
    description: str
    status: str
    start_time: datetime
    last_updated: datetime
    entities: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "service": self.service,
            "eventTypeCode": self.event_type_code,
            "eventTypeCategory": "issue",
            "region": self.region,
            "startTime": self.start_time.timestamp(),
            "lastUpdatedTime": self.last_updated.timestamp(),
            "statusCode": self.status,
            "eventScopeCode": self.scope,
        }


class HealthEmulator:
    """The events of one emulated account. Its lock is the Support emulator's, so a call
    and a change from a test never interleave."""

    def __init__(self, lock: threading.Lock, clock: Clock, account_id: str) -> None:
        self._lock = lock
        self._clock = clock
        self._account_id = account_id
        self._events: dict[str, EmulatedEvent] = {}

    # --- what tests and the demo tell it --------------------------------------------------

    def open_event(
        self,
        service: str,
        event_type_code: str,
        *,
        region: str = "us-east-1",
        scope: str = "PUBLIC",
        description: str = "",
        entities: list[str] | None = None,
        status: str = "open",
        at: datetime | None = None,
    ) -> str:
        if scope not in SCOPES or status not in STATUSES:
            raise ValueError(f"scope is one of {SCOPES}, status one of {STATUSES}")
        with self._lock:
            when = ensure_utc(at) if at is not None else self._clock.now()
            arn = (
                f"arn:aws:health:{region}::event/{service}/{event_type_code}/"
                f"{event_type_code}_{secrets.token_hex(6).upper()}"
            )
            self._events[arn] = EmulatedEvent(
                arn,
                service,
                event_type_code,
                region,
                scope,
                description or f"{service} in {region}: {event_type_code}",
                status,
                when,
                when,
                list(entities or []),
            )
            return arn

    def set_status(self, arn: str, status: str, *, description: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"status is one of {STATUSES}")
        with self._lock:
            event = self._events[arn]
            event.status = status
            event.last_updated = self._clock.now()
            if description:
                event.description = description

    @property
    def events(self) -> list[EmulatedEvent]:
        with self._lock:
            return list(self._events.values())

    # --- the API (called with the lock held, after the plan check) ------------------------

    def dispatch(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if operation == "DescribeEvents":
            return self._describe_events(params)
        if operation == "DescribeEventDetails":
            return self._describe_event_details(params)
        if operation == "DescribeAffectedEntities":
            return self._describe_affected_entities(params)
        raise HealthApiError("UnknownOperationException", f"Unknown operation {operation}")

    def _describe_events(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("filter") or {}
        found = sorted(self._events.values(), key=lambda e: (e.start_time, e.arn))
        for key, attribute in (
            ("regions", "region"),
            ("services", "service"),
            ("eventStatusCodes", "status"),
            ("eventTypeCodes", "event_type_code"),
            ("eventArns", "arn"),
        ):
            if wanted.get(key):
                allowed = set(wanted[key])
                found = [e for e in found if getattr(e, attribute) in allowed]
        page, token = _page(found, params)
        answer: dict[str, Any] = {"events": [e.to_json() for e in page]}
        if token:
            answer["nextToken"] = token
        return answer

    def _describe_event_details(self, params: dict[str, Any]) -> dict[str, Any]:
        arns = params.get("eventArns") or []
        if not arns or len(arns) > 10:
            raise HealthApiError("ValidationException", "eventArns takes 1 to 10 ARNs")
        successful, failed = [], []
        for arn in arns:
            event = self._events.get(str(arn))
            if event is None:
                failed.append(
                    {
                        "eventArn": arn,
                        "errorName": "NotFound",
                        "errorMessage": f"Event {arn} not found",
                    }
                )
                continue
            successful.append(
                {
                    "event": event.to_json(),
                    "eventDescription": {"latestDescription": event.description},
                    "eventMetadata": {},
                }
            )
        return {"successfulSet": successful, "failedSet": failed}

    def _describe_affected_entities(self, params: dict[str, Any]) -> dict[str, Any]:
        arns = (params.get("filter") or {}).get("eventArns") or []
        if not arns or len(arns) > 10:
            raise HealthApiError("ValidationException", "filter.eventArns takes 1 to 10 ARNs")
        entities = [
            {
                "entityArn": f"{event.arn}/entity/{n}",
                "eventArn": event.arn,
                "entityValue": value,
                "awsAccountId": self._account_id,
                "lastUpdatedTime": event.last_updated.timestamp(),
                "statusCode": "IMPAIRED" if event.status != "closed" else "RESOLVED",
            }
            for arn in arns
            if (event := self._events.get(str(arn))) is not None
            for n, value in enumerate(event.entities)
        ]
        page, token = _page(entities, params)
        answer: dict[str, Any] = {"entities": page}
        if token:
            answer["nextToken"] = token
        return answer


def _page(found: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    size = int(params.get("maxResults") or PAGE_SIZE)
    token = str(params.get("nextToken") or "")
    try:
        start = int(token.removeprefix("page")) if token else 0
    except ValueError:
        raise HealthApiError("InvalidPaginationToken", "Invalid nextToken") from None
    page = found[start : start + size]
    # AWS's tokens are at least 4 characters (botocore checks): `page10`, not `10`.
    return page, f"page{start + size}" if start + size < len(found) else None


def control(health: HealthEmulator, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """`POST /_sandbox/health/<action>` from another process (the demo, a tester)."""
    if action == "open":
        arn = health.open_event(
            str(params["service"]),
            str(params["event_type_code"]),
            region=str(params.get("region") or "us-east-1"),
            scope=str(params.get("scope") or "PUBLIC"),
            description=str(params.get("description") or ""),
            entities=[str(e) for e in params.get("entities") or []],
        )
        return {"ok": True, "arn": arn}
    if action == "status":
        health.set_status(str(params["arn"]), str(params["status"]))
        return {"ok": True}
    raise KeyError(action)
