"""The boto3 adapter for the AWS Support API: the real `bot.domain.support.Support` port.

Its job is translation. Calls go out through boto3's normal credential chain (or a session
or client factory given by the caller), always to `us-east-1` where the Support API lives;
`AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_SUPPORT` or an explicit `endpoint_url` redirect it
(the local emulator, moto_server). Everything AWS can say back becomes either a domain value
or a `SupportError` whose message tells the responder what to do, never a botocore
exception, and never a secret.

Nothing is cached between calls: a plan bought mid-incident shows at the next `check_plan`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from bot.domain.clock import ensure_utc
from bot.domain.errors import AwsNotConfigured, NoSupportSubscription, SupportError
from bot.domain.support import (
    Communication,
    OpenedCase,
    PlanCheck,
    SupportAccessDenied,
    SupportCaseNotFound,
    SupportRequestRejected,
    SupportThrottled,
    SupportUnavailable,
    check_communication_body,
    no_api_access_check,
    no_subscription_message,
    not_configured_check,
    plan_check_from_severities,
    unknown_check,
)

SUPPORT_REGION = "us-east-1"

_THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}
)
_ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
_BAD_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
    }
)
_NOT_CONFIGURED_ERRORS = (
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    NoRegionError,
)
_UNREACHABLE_ERRORS = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)

# Access key ids, and anything shaped like a secret key, are cut out of AWS's messages.
_KEY_ID = re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")
_SECRET_LIKE = re.compile(r"(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")


def redact(text: str) -> str:
    """Remove anything that looks like an AWS key from text bound for a user."""
    return _SECRET_LIKE.sub("[redacted]", _KEY_ID.sub("[redacted]", text))


ClientFactory = Callable[[], BaseClient]


class AwsSupport:
    """`Support` over boto3. Give it at most one of `session` or `client_factory`.

    - `session`: a boto3 Session (default: boto3's normal credential chain).
    - `endpoint_url`: overrides where calls go; otherwise boto3 honours
      `AWS_ENDPOINT_URL_SUPPORT` / `AWS_ENDPOINT_URL`.
    - `client_factory`: builds the `support` client (tests pass a stubbed client). When
      given, `session`, `endpoint_url` and the retry settings are the factory's business.
    - `max_attempts` / `retry_mode`: botocore's retry config (standard or adaptive), which
      backs off on throttling and transient errors before we give up with a clear error.
    """

    def __init__(
        self,
        *,
        session: boto3.Session | None = None,
        endpoint_url: str | None = None,
        client_factory: ClientFactory | None = None,
        max_attempts: int = 5,
        retry_mode: str = "standard",
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
    ) -> None:
        if client_factory is not None and (session is not None or endpoint_url is not None):
            raise ValueError("give either client_factory or session/endpoint_url, not both")
        if retry_mode not in ("standard", "adaptive"):
            raise ValueError("retry_mode must be 'standard' or 'adaptive'")
        self._session = session
        self._endpoint_url = endpoint_url
        self._factory = client_factory
        self._config = Config(
            region_name=SUPPORT_REGION,
            retries={"total_max_attempts": max_attempts, "mode": retry_mode},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self._client: BaseClient | None = None

    # --- the port -------------------------------------------------------------------------

    def check_plan(self) -> PlanCheck:
        """Ask `DescribeSeverityLevels` what this account may open; never raises on AWS
        trouble, because declaring an incident must not fail for want of a plan check."""
        try:
            with self._translated("DescribeSeverityLevels"):
                answer = self._support().describe_severity_levels(language="en")
        except NoSupportSubscription:
            return no_api_access_check()
        except AwsNotConfigured as error:
            return not_configured_check(error.user_message.removeprefix("AWS is not configured: "))
        except SupportError as error:
            return unknown_check(error.user_message)
        codes = [level.get("code", "") for level in answer.get("severityLevels", [])]
        return plan_check_from_severities(code for code in codes if code)

    def open_case(
        self,
        *,
        subject: str,
        body: str,
        severity: str,
        cc_emails: Sequence[str],
        service_code: str | None,
        category_code: str | None,
        language: str = "en",
    ) -> OpenedCase:
        """Open a technical case. The display id is looked up afterwards; if that lookup
        fails the case is still open, so the case id is returned with `display_id=None`."""
        params: dict[str, Any] = {
            "subject": subject.strip()[:255] or "Incident",
            "communicationBody": check_communication_body(body),
            "severityCode": severity,
            "issueType": "technical",
            "language": language,
        }
        if cc_emails:
            params["ccEmailAddresses"] = list(cc_emails)
        if service_code:
            params["serviceCode"] = service_code
        if category_code:
            params["categoryCode"] = category_code
        with self._translated("CreateCase"):
            case_id = self._support().create_case(**params)["caseId"]
        display_id, created = self._described(case_id)
        return OpenedCase(case_id=case_id, display_id=display_id, time_created=created)

    def communications(self, case_id: str, after: datetime | None) -> list[Communication]:
        """Every communication on the case created strictly after `after`, oldest first."""
        params: dict[str, Any] = {"caseId": case_id}
        since = ensure_utc(after) if after is not None else None
        if since is not None:
            params["afterTime"] = since.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        found: list[Communication] = []
        with self._translated("DescribeCommunications", case_id):
            pages = self._support().get_paginator("describe_communications").paginate(**params)
            for page in pages:
                for item in page.get("communications", []):
                    found.append(
                        Communication(
                            body=item.get("body", ""),
                            submitted_by=item.get("submittedBy", ""),
                            time_created=parse_aws_time(item["timeCreated"]),
                        )
                    )
        if since is not None:
            found = [c for c in found if c.time_created > since]
        found.sort(key=lambda c: c.time_created)
        return found

    def add_communication(self, case_id: str, body: str) -> None:
        text = check_communication_body(body)
        with self._translated("AddCommunicationToCase", case_id):
            answer = self._support().add_communication_to_case(
                caseId=case_id, communicationBody=text
            )
        if not answer.get("result", False):
            raise SupportError(
                f"AWS Support did not accept the message on case `{case_id}`. Try again, or "
                "reply in the AWS console."
            )

    def resolve_case(self, case_id: str) -> None:
        with self._translated("ResolveCase", case_id):
            self._support().resolve_case(caseId=case_id)

    # --- plumbing -------------------------------------------------------------------------

    def _support(self) -> BaseClient:
        """The client, built on first use (no AWS work at construction or import)."""
        if self._client is None:
            if self._factory is not None:
                self._client = self._factory()
            else:
                session = self._session or boto3.Session()
                self._client = session.client(
                    "support",
                    region_name=SUPPORT_REGION,
                    endpoint_url=self._endpoint_url,
                    config=self._config,
                )
        return self._client

    def _described(self, case_id: str) -> tuple[str | None, datetime | None]:
        """The case's display id and AWS's `timeCreated`, each None when AWS did not say."""
        try:
            with self._translated("DescribeCases", case_id):
                answer = self._support().describe_cases(
                    caseIdList=[case_id], includeResolvedCases=True, includeCommunications=False
                )
        except SupportError:
            return None, None
        for case in answer.get("cases", []):
            if case.get("caseId") == case_id:
                display = str(case["displayId"]) if case.get("displayId") else None
                raw = case.get("timeCreated")
                try:
                    created = parse_aws_time(raw) if raw else None
                except (TypeError, ValueError):
                    created = None
                return display, created
        return None, None

    def _where(self) -> str:
        client = self._client
        return client.meta.endpoint_url if client is not None else "the AWS Support endpoint"

    @contextmanager
    def _translated(self, operation: str, case_id: str | None = None) -> Iterator[None]:
        """Turn whatever boto3 raises during `operation` into a SupportError subclass."""
        action = f"support:{operation}"
        try:
            yield
        except ClientError as error:
            raise self._client_error(error, action, case_id) from None
        except _NOT_CONFIGURED_ERRORS as error:
            raise AwsNotConfigured(
                f"AWS is not configured: {_not_configured_reason(error)} Set AWS_PROFILE or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run warroom with an IAM role."
            ) from None
        except _UNREACHABLE_ERRORS:
            raise SupportUnavailable(f"could not reach {self._where()}") from None
        except BotoCoreError as error:
            raise SupportUnavailable(redact(type(error).__name__)) from None

    def _client_error(self, error: ClientError, action: str, case_id: str | None) -> SupportError:
        details = error.response.get("Error", {})
        code = str(details.get("Code", ""))
        message = redact(str(details.get("Message", "")).strip())
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code == "SubscriptionRequiredException":
            return NoSupportSubscription(no_subscription_message())
        if code in _ACCESS_DENIED_CODES:
            return SupportAccessDenied(action)
        if code in _THROTTLING_CODES:
            return SupportThrottled(action)
        if code in _BAD_CREDENTIAL_CODES:
            return AwsNotConfigured(
                f"AWS is not configured: AWS rejected warroom's credentials ({code}). Check "
                "that the access key is active and, for temporary credentials, not expired."
            )
        if code == "CaseIdNotFound":
            return SupportCaseNotFound(case_id or "?")
        if code == "InternalServerError" or (isinstance(status, int) and status >= 500):
            return SupportUnavailable(f"{code or 'HTTP ' + str(status)} from AWS")
        if code == "CaseCreationLimitExceeded":
            return SupportRequestRejected(
                "AWS refused to open another case: this account has reached its limit of "
                "case creations. Open it in the AWS console, or reuse the open case."
            )
        said = f": {message}" if message else ""
        return SupportRequestRejected(f"AWS Support refused `{action}` ({code}){said}")


def _not_configured_reason(error: BotoCoreError) -> str:
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials were found."
    if isinstance(error, PartialCredentialsError):
        return "the AWS credentials are incomplete (a key id without its secret, or the reverse)."
    if isinstance(error, ProfileNotFound):
        return "the AWS profile named in AWS_PROFILE does not exist."
    return "no AWS region could be determined."


def parse_aws_time(value: str) -> datetime:
    """Support API times are ISO 8601 strings in UTC; some answers omit the `Z`."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
