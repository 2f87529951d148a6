"""What every readiness check shares: turning AWS's refusals into UNKNOWN, and listing.

Its own module so the per-service checks (`readiness_dynamodb`, `readiness_cloudformation`,
`readiness_amplify`, `readiness_backup`) all say "could not check" the same way, naming
the IAM action to allow, without importing one another or `bot.aws.readiness`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.domain.readiness import CheckResult, Outcome

ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
)


def list_all(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """Every item under `key` of every page: the accounts that need this audit most have
    hundreds of tables and stacks, so nothing is listed without its paginator."""
    return [
        item
        for page in client.get_paginator(operation).paginate(**params)
        for item in page.get(key, [])
    ]


def could_not_check(
    check: str, exc: ClientError | BotoCoreError, client: Any, resource: str | None = None
) -> CheckResult:
    """UNKNOWN, with the IAM action that was refused when that is what happened."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or "an error"
        message = str(error.get("Message", "")).strip()
        action = iam_action(client, exc.operation_name)
        if code in ACCESS_DENIED_CODES:
            detail = f"could not check: `{action}` was denied; allow it for the auditing identity"
        else:
            detail = f"could not check: `{action}` failed with {code}" + (
                f": {message}" if message else ""
            )
    else:
        detail = f"could not check: {exc}"
    return CheckResult(check, Outcome.UNKNOWN, detail, resource)


def iam_action(client: Any, operation: str) -> str:
    """IAM actions are `<service prefix>:<Operation>`; the prefix is the signing name."""
    if client is None:
        return operation
    return f"{client.meta.service_model.signing_name}:{operation}"
