"""A local AWS Support API that behaves like AWS for the calls warroom makes.

moto implements only a third of the Support API (and its `DescribeCases` mutates the case on
every call), so `warroom demo` and the tests share this emulator instead. It listens on
127.0.0.1 and speaks the JSON 1.1 protocol boto3 speaks (`X-Amz-Target:
AWSSupport_20130415.<Operation>`), so the real adapter runs unchanged against it with
`endpoint_url=emulator.endpoint_url`.

What it can be told:
- `set_plan("none" | "business" | "enterprise")`, at any time: with `none` every call gets
  400 `SubscriptionRequiredException`, as on Basic and Developer plans. The demo "buys a
  plan" mid-incident this way.
- `add_aws_reply(case_id, body, at=None)`: AWS answers on a case.
- `queue_aws_reply(body, after_polls=0)`: AWS answers on the next case created, once that
  case has been polled `after_polls` times (so it is seen by poll `after_polls + 1`).
- `fail_next(code, ...)`: the next call(s) answer with an AWS error (throttling, denied).
It also serves AWS Health (`emulator.health`, `bot.sandbox.aws_health`) behind the same
plan switch: one emulator for both APIs that need a Business-class plan.
It records every call in `calls`. It never sleeps; time comes from the clock it is given.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import secrets
import socket
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3

from bot.domain.clock import Clock, SystemClock, ensure_utc
from bot.domain.support import AWS_SUBMITTER, PlanClass
from bot.sandbox import aws_health
from bot.sandbox.aws_health import HEALTH_TARGET_PREFIX, HealthApiError, HealthEmulator

TARGET_PREFIX = "AWSSupport_20130415."
CONTENT_TYPE = "application/x-amz-json-1.1"
ACCOUNT_ID = "123456789012"
CUSTOMER_SUBMITTER = "warroom (Role) <warroom@example.com>"
PAGE_SIZE = 10
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([a-z0-9-]+)/(?:support|health)/")

_LEVEL_NAMES = {
    "low": "Low",
    "normal": "Normal",
    "high": "High",
    "urgent": "Urgent",
    "critical": "Critical",
}
_PLAN_SEVERITIES: dict[PlanClass, tuple[str, ...]] = {
    PlanClass.NONE: (),
    PlanClass.BUSINESS: ("low", "normal", "high", "urgent"),
    PlanClass.ENTERPRISE: ("low", "normal", "high", "urgent", "critical"),
}
SERVICES: tuple[dict[str, Any], ...] = (
    {
        "code": "amazon-cloudformation",
        "name": "CloudFormation",
        "categories": [
            {"code": "stack-operations", "name": "Stack Operations"},
            {"code": "other", "name": "Other"},
        ],
    },
    {
        "code": "amazon-dynamodb",
        "name": "DynamoDB",
        "categories": [
            {"code": "backup-restore", "name": "Backup and Restore"},
            {"code": "other", "name": "Other"},
        ],
    },
    {
        "code": "amazon-elastic-compute-cloud-linux",
        "name": "Elastic Compute Cloud (EC2 - Linux)",
        "categories": [{"code": "instance-issue", "name": "Instance Issue"}],
    },
    {
        "code": "general-info",
        "name": "General Info and Getting Started",
        "categories": [{"code": "using-aws", "name": "Using AWS & Services"}],
    },
)


class ApiError(Exception):
    """An error answered in AWS's JSON shape, which botocore turns into a ClientError."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class RecordedCall:
    operation: str
    params: dict[str, Any]
    error: str | None  # the AWS error code answered, or None for success
    region: str | None = None  # the region the request was signed for


@dataclass
class _Communication:
    body: str
    submitted_by: str
    time_created: datetime

    def __post_init__(self) -> None:
        # AWS answers with millisecond times; keep only what the wire can carry.
        exact = ensure_utc(self.time_created)
        self.time_created = exact.replace(microsecond=exact.microsecond // 1000 * 1000)

    def to_json(self, case_id: str) -> dict[str, Any]:
        return {
            "caseId": case_id,
            "body": self.body,
            "submittedBy": self.submitted_by,
            "timeCreated": _aws_time(self.time_created),
            "attachmentSet": [],
        }


@dataclass
class _ScriptedReply:
    body: str
    after_polls: int


@dataclass
class EmulatedCase:
    case_id: str
    display_id: str
    subject: str
    severity_code: str
    service_code: str
    category_code: str
    language: str
    cc_emails: list[str]
    time_created: datetime
    status: str = "opened"
    communications: list[_Communication] = field(default_factory=list)
    scripted: list[_ScriptedReply] = field(default_factory=list)
    polls: int = 0

    def to_json(self, include_communications: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "caseId": self.case_id,
            "displayId": self.display_id,
            "subject": self.subject,
            "status": self.status,
            "serviceCode": self.service_code,
            "categoryCode": self.category_code,
            "severityCode": self.severity_code,
            "submittedBy": CUSTOMER_SUBMITTER,
            "timeCreated": _aws_time(self.time_created),
            "ccEmailAddresses": list(self.cc_emails),
            "language": self.language,
        }
        if include_communications:
            recent = sorted(self.communications, key=lambda c: c.time_created, reverse=True)
            data["recentCommunications"] = {
                "communications": [c.to_json(self.case_id) for c in recent[:5]]
            }
        return data


def _aws_time(value: datetime) -> str:
    return ensure_utc(value).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_time(value: Any, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ApiError("ValidationException", f"Invalid {name}: {value}") from None
    if parsed.tzinfo is None:
        raise ApiError("ValidationException", f"{name} must carry a time zone: {value}")
    return ensure_utc(parsed)


def _required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value in (None, "", []):
        raise ApiError("ValidationException", f"1 validation error detected: {name} is required")
    return value


class AwsSupportEmulator:
    """The emulator. Use `with AwsSupportEmulator(plan="business") as aws: ...` or
    `start()`/`stop()`; point boto3 at `endpoint_url`."""

    def __init__(
        self,
        *,
        plan: PlanClass | str = PlanClass.NONE,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock or SystemClock()
        self._plan = _plan_class(plan)
        self._cases: dict[str, EmulatedCase] = {}
        self._queued: list[_ScriptedReply] = []
        self._failures: list[tuple[str | None, ApiError]] = []
        self._display_ids = itertools.count(1_720_000_001)
        self.calls: list[RecordedCall] = []
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        # AWS Health, behind the same plan switch (bot.sandbox.aws_health).
        self.health = HealthEmulator(self._lock, self._clock, ACCOUNT_ID)

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> AwsSupportEmulator:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(self._address, _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="aws-support-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
            # Kept-alive connections would otherwise go on being served after stop().
            with self._lock:
                open_connections, self._connections = self._connections, set()
            for connection in open_connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join()

    def __enter__(self) -> AwsSupportEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the AWS Support emulator is not running: call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    # --- what tests and the demo tell it --------------------------------------------------

    @property
    def plan(self) -> PlanClass:
        with self._lock:
            return self._plan

    def set_plan(self, plan: PlanClass | str) -> None:
        """Change the account's plan; the next call sees it (the demo buys a plan)."""
        with self._lock:
            self._plan = _plan_class(plan)

    def add_aws_reply(self, case_id: str, body: str, at: datetime | None = None) -> None:
        """AWS answers on `case_id`, at `at` (default: the clock's now)."""
        with self._lock:
            case = self._cases.get(case_id)
            if case is None:
                raise KeyError(f"no case {case_id} in the emulator")
            when = ensure_utc(at) if at is not None else self._clock.now()
            self._aws_replies(case, body, when)

    def queue_aws_reply(self, body: str, after_polls: int = 0) -> None:
        """AWS will answer on the next case created, once it has been polled `after_polls`
        times by DescribeCommunications (the reply is in the answer to the next poll)."""
        if after_polls < 0:
            raise ValueError("after_polls cannot be negative")
        with self._lock:
            self._queued.append(_ScriptedReply(body, after_polls))

    def fail_next(
        self,
        code: str,
        message: str = "",
        *,
        status: int = 400,
        operation: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls (of `operation`, or any) with this AWS error."""
        error = ApiError(code, message or f"{code} (emulated)", status)
        with self._lock:
            self._failures.extend([(operation, error)] * times)

    def case(self, case_id: str) -> EmulatedCase:
        with self._lock:
            return self._cases[case_id]

    @property
    def cases(self) -> list[EmulatedCase]:
        with self._lock:
            return list(self._cases.values())

    def calls_to(self, operation: str) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self.calls if call.operation == operation]

    # --- the API --------------------------------------------------------------------------

    def handle(
        self,
        operation: str,
        params: dict[str, Any],
        region: str | None = None,
        *,
        api: str = "support",
    ) -> dict[str, Any]:
        """Answer one call, recording it; raise ApiError for AWS's error answers.
        `api` is `support` or `health` (the target prefix the call came with)."""
        with self._lock:
            try:
                result = self._dispatch(operation, params, api)
            except ApiError as error:
                self.calls.append(RecordedCall(operation, params, error.code, region))
                raise
            self.calls.append(RecordedCall(operation, params, None, region))
            return result

    def _dispatch(self, operation: str, params: dict[str, Any], api: str) -> dict[str, Any]:
        for index, (only, error) in enumerate(self._failures):
            if only is None or only == operation:
                del self._failures[index]
                raise error
        if api == "health":
            if self._plan is PlanClass.NONE:
                raise ApiError("SubscriptionRequiredException", aws_health.NO_PLAN_MESSAGE)
            try:
                return self.health.dispatch(operation, params)
            except HealthApiError as error:
                raise ApiError(error.code, error.message) from None
        handler = _OPERATIONS.get(operation)
        if handler is None:
            raise ApiError("UnknownOperationException", f"Unknown operation {operation}")
        if self._plan is PlanClass.NONE:
            raise ApiError(
                "SubscriptionRequiredException",
                "AWS Premium Support Subscription is required to use this service.",
            )
        return handler(self, params)

    def _describe_severity_levels(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "severityLevels": [
                {"code": code, "name": _LEVEL_NAMES[code]} for code in _PLAN_SEVERITIES[self._plan]
            ]
        }

    def _create_case(self, params: dict[str, Any]) -> dict[str, Any]:
        subject = str(_required(params, "subject"))
        body = str(_required(params, "communicationBody"))
        severity = str(params.get("severityCode") or "low")
        if severity not in _PLAN_SEVERITIES[self._plan]:
            raise ApiError(
                "ValidationException",
                f"Invalid severity code {severity} for this account's support plan.",
            )
        now = self._clock.now()
        case = EmulatedCase(
            case_id=f"case-{ACCOUNT_ID}-muen-{now.year}-{secrets.token_hex(8)}",
            display_id=str(next(self._display_ids)),
            subject=subject,
            severity_code=severity,
            service_code=str(params.get("serviceCode") or "general-info"),
            category_code=str(params.get("categoryCode") or "using-aws"),
            language=str(params.get("language") or "en"),
            cc_emails=list(params.get("ccEmailAddresses") or []),
            time_created=now,
        )
        case.communications.append(_Communication(body, CUSTOMER_SUBMITTER, now))
        case.scripted, self._queued = self._queued, []
        self._cases[case.case_id] = case
        return {"caseId": case.case_id}

    def _case_for(self, case_id: Any) -> EmulatedCase:
        case = self._cases.get(str(case_id))
        if case is None:
            raise ApiError("CaseIdNotFound", f"Case {case_id} not found.")
        return case

    def _describe_cases(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = params.get("caseIdList") or []
        if wanted:
            cases = [self._case_for(case_id) for case_id in wanted]
        else:
            cases = list(self._cases.values())
        if params.get("displayId"):
            cases = [c for c in cases if c.display_id == str(params["displayId"])]
        if not params.get("includeResolvedCases", False):
            cases = [c for c in cases if c.status != "resolved"]
        include = params.get("includeCommunications", True)
        return {"cases": [case.to_json(bool(include)) for case in cases]}

    def _describe_communications(self, params: dict[str, Any]) -> dict[str, Any]:
        case = self._case_for(_required(params, "caseId"))
        if "nextToken" not in params:  # a new poll, not the next page of one
            self._deliver_scripted(case)
            case.polls += 1
        found = sorted(case.communications, key=lambda c: c.time_created, reverse=True)
        if params.get("afterTime"):
            after = _parse_time(params["afterTime"], "afterTime")
            found = [c for c in found if c.time_created >= after]
        if params.get("beforeTime"):
            before = _parse_time(params["beforeTime"], "beforeTime")
            found = [c for c in found if c.time_created <= before]
        size = int(params.get("maxResults") or PAGE_SIZE)
        try:
            start = int(params.get("nextToken") or 0)
        except ValueError:
            raise ApiError("ValidationException", "Invalid nextToken") from None
        page = found[start : start + size]
        answer: dict[str, Any] = {"communications": [c.to_json(case.case_id) for c in page]}
        if start + size < len(found):
            answer["nextToken"] = str(start + size)
        return answer

    def _deliver_scripted(self, case: EmulatedCase) -> None:
        due = [reply for reply in case.scripted if reply.after_polls <= case.polls]
        case.scripted = [reply for reply in case.scripted if reply.after_polls > case.polls]
        for reply in due:
            self._aws_replies(case, reply.body, self._clock.now())

    def _aws_replies(self, case: EmulatedCase, body: str, when: datetime) -> None:
        case.communications.append(_Communication(body, AWS_SUBMITTER, when))
        if case.status != "resolved":
            case.status = "pending-customer-action"

    def _add_communication_to_case(self, params: dict[str, Any]) -> dict[str, Any]:
        case = self._case_for(_required(params, "caseId"))
        body = str(_required(params, "communicationBody"))
        case.communications.append(_Communication(body, CUSTOMER_SUBMITTER, self._clock.now()))
        case.status = "customer-action-completed" if case.status != "resolved" else "reopened"
        return {"result": True}

    def _resolve_case(self, params: dict[str, Any]) -> dict[str, Any]:
        case = self._case_for(_required(params, "caseId"))
        initial, case.status = case.status, "resolved"
        return {"initialCaseStatus": initial, "finalCaseStatus": "resolved"}

    def _describe_services(self, params: dict[str, Any]) -> dict[str, Any]:
        wanted = set(params.get("serviceCodeList") or [])
        services = [s for s in SERVICES if not wanted or s["code"] in wanted]
        return {"services": json.loads(json.dumps(services))}


_OPERATIONS = {
    "DescribeSeverityLevels": AwsSupportEmulator._describe_severity_levels,
    "CreateCase": AwsSupportEmulator._create_case,
    "DescribeCases": AwsSupportEmulator._describe_cases,
    "DescribeCommunications": AwsSupportEmulator._describe_communications,
    "AddCommunicationToCase": AwsSupportEmulator._add_communication_to_case,
    "ResolveCase": AwsSupportEmulator._resolve_case,
    "DescribeServices": AwsSupportEmulator._describe_services,
}


def _plan_class(plan: PlanClass | str) -> PlanClass:
    value = PlanClass(plan)
    if value not in _PLAN_SEVERITIES:
        raise ValueError("the emulator's plan is one of: none, business, enterprise")
    return value


CONTROL_PATH = "/_sandbox"


def _handler_for(emulator: AwsSupportEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes

        def setup(self) -> None:
            super().setup()
            emulator._track(self.connection, open_=True)

        def finish(self) -> None:
            emulator._track(self.connection, open_=False)
            super().finish()

        def do_GET(self) -> None:
            if self.path.rstrip("/") == CONTROL_PATH + "/cases":
                self._send(200, {"cases": [c.to_json(True) for c in emulator.cases]})
                return
            self._send(404, {"__type": "NotFound", "message": self.path})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.startswith(CONTROL_PATH + "/"):
                self._control(self.path.removeprefix(CONTROL_PATH + "/").rstrip("/"), raw)
                return
            target = self.headers.get("X-Amz-Target", "")
            api, prefix = (
                ("health", HEALTH_TARGET_PREFIX)
                if target.startswith(HEALTH_TARGET_PREFIX)
                else ("support", TARGET_PREFIX)
            )
            try:
                if not target.startswith(prefix):
                    raise ApiError("UnknownOperationException", f"Unknown target {target!r}")
                try:
                    params = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    raise ApiError("SerializationException", "Body is not JSON") from None
                if not isinstance(params, dict):
                    raise ApiError("SerializationException", "Body is not a JSON object")
                answer = emulator.handle(
                    target.removeprefix(prefix),
                    params,
                    _signed_region(self.headers.get("Authorization", "")),
                    api=api,
                )
            except ApiError as error:
                self._send(error.status, {"__type": error.code, "message": error.message})
                return
            self._send(200, answer)

        def _control(self, action: str, raw: bytes) -> None:
            """What a test or the demo does to the emulator from another process."""
            try:
                params = json.loads(raw or b"{}")
                if action.startswith("health/"):
                    answer = aws_health.control(emulator.health, action.split("/", 1)[1], params)
                    self._send(200, answer)
                    return
                if action == "plan":
                    emulator.set_plan(str(params["plan"]))
                elif action == "reply":
                    emulator.add_aws_reply(str(params["case_id"]), str(params["body"]))
                elif action == "queue-reply":
                    emulator.queue_aws_reply(str(params["body"]), int(params.get("after_polls", 0)))
                else:
                    self._send(404, {"__type": "NotFound", "message": action})
                    return
            except (KeyError, ValueError, TypeError) as error:  # health's KeyError: unknown action
                self._send(400, {"__type": "BadRequest", "message": str(error)})
                return
            self._send(200, {"ok": True, "plan": emulator.plan.value})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", secrets.token_hex(16))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the emulator records calls instead of printing them."""

    return Handler


def _signed_region(authorization: str) -> str | None:
    """The region in a SigV4 `Credential=<key>/<date>/<region>/<service>/aws4_request`."""
    found = _CREDENTIAL_SCOPE.search(authorization)
    return found.group(1) if found else None


def dummy_session() -> boto3.Session:
    """A boto3 session with throwaway credentials, for talking to the emulator (or moto)
    without touching the machine's real AWS configuration."""
    return boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - not a secret: the emulator's dummy
        region_name="us-east-1",
    )


def main(argv: list[str] | None = None) -> None:
    """`python -m bot.sandbox.aws_support --plan business --port 4599`: the emulator (Support
    and Health) on its own, for trying `warroom serve` by hand
    (AWS_ENDPOINT_URL=http://127.0.0.1:4599)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--plan", default="none", choices=["none", "business", "enterprise"])
    parser.add_argument("--port", type=int, default=4599)
    args = parser.parse_args(argv)
    emulator = AwsSupportEmulator(plan=args.plan, port=args.port).start()
    print(
        f"AWS Support API emulator on {emulator.endpoint_url} (plan: {args.plan}); control: "
        f'POST {CONTROL_PATH}/plan {{"plan": ...}}, POST {CONTROL_PATH}/reply '
        f'{{"case_id": ..., "body": ...}}, GET {CONTROL_PATH}/cases; AWS Health: POST '
        f'{CONTROL_PATH}/health/open {{"service": ..., "event_type_code": ...}}, POST '
        f'{CONTROL_PATH}/health/status {{"arn": ..., "status": ...}}',
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
