"""The Amplify (Gen 1) side of the audit: which backend environments exist, and whether
each one's root stack still does.

Its own module because Amplify is asked separately from CloudFormation: the backends
found here are handed to `check_stacks` (`readiness_cloudformation`), which names them in
their stacks' results and calls `check_amplify_stacks_exist` once it knows the stacks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_common import could_not_check, list_all
from bot.domain.readiness import Check, CheckResult, Outcome


@dataclass(frozen=True)
class AmplifyBackend:
    """An Amplify (Gen 1) backend environment and the root stack that holds it."""

    app_name: str
    app_id: str
    environment: str
    stack_name: str

    @property
    def label(self) -> str:
        return f"Amplify app {self.app_name} ({self.app_id}), environment {self.environment}"


def amplify_backends(amplify: Any) -> tuple[list[CheckResult], list[AmplifyBackend]]:
    """Each Amplify Gen 1 backend environment and its stack name (checked with the stacks)."""
    backends: list[AmplifyBackend] = []
    results: list[CheckResult] = []
    try:
        apps = list_all(amplify, "list_apps", "apps")
    except (ClientError, BotoCoreError) as exc:
        return [could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, amplify)], []
    if not apps:
        results.append(
            CheckResult(
                Check.AMPLIFY_BACKEND_STACK,
                Outcome.NOT_APPLICABLE,
                "no Amplify apps in this region",
            )
        )
    for app in apps:
        try:
            environments = list(_backend_environments(amplify, app["appId"]))
        except (ClientError, BotoCoreError) as exc:
            results.append(
                could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, amplify, app.get("name"))
            )
            continue
        for environment in environments:
            stack_name = environment.get("stackName")
            if stack_name:
                backends.append(
                    AmplifyBackend(
                        app.get("name", app["appId"]),
                        app["appId"],
                        environment["environmentName"],
                        stack_name,
                    )
                )
    return results, backends


def _backend_environments(amplify: Any, app_id: str) -> Iterator[dict[str, Any]]:
    """botocore has no paginator for this call, so follow `nextToken` by hand."""
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"appId": app_id}
        if token:
            kwargs["nextToken"] = token
        page = amplify.list_backend_environments(**kwargs)
        yield from page.get("backendEnvironments", [])
        token = page.get("nextToken")
        if not token:
            return


def check_amplify_stacks_exist(
    backends: Sequence[AmplifyBackend], existing_stacks: set[str]
) -> list[CheckResult]:
    """An Amplify environment whose stack is gone has lost its backend, data included."""
    results = []
    for backend in backends:
        if backend.stack_name in existing_stacks:
            results.append(
                CheckResult(
                    Check.AMPLIFY_BACKEND_STACK,
                    Outcome.PASS,
                    f"{backend.label}: stack exists and is checked with the stacks",
                    backend.stack_name,
                )
            )
        else:
            results.append(
                CheckResult(
                    Check.AMPLIFY_BACKEND_STACK,
                    Outcome.FAIL,
                    f"{backend.label}: its stack does not exist: the backend (and the data "
                    "in it) was deleted. Runbook: `/incident runbook production-data-loss`",
                    backend.stack_name,
                )
            )
    return results
