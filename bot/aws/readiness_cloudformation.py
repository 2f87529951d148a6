"""The CloudFormation readiness checks, per stack: termination protection (root stacks),
not stuck in a `*_FAILED` state, and whether deleting it would delete data.

Its own module because these checks all start from one listing of the stacks; what a
template would destroy is decided in `readiness_template`, and the Amplify backends found
by `readiness_amplify` are named in their stacks' results here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_amplify import AmplifyBackend, check_amplify_stacks_exist
from bot.aws.readiness_common import could_not_check, list_all
from bot.aws.readiness_template import parse_template, unprotected_data_resources
from bot.domain.readiness import Check, CheckResult, Outcome


def check_stacks(cloudformation: Any, amplify: Sequence[AmplifyBackend] = ()) -> list[CheckResult]:
    """Every stack: termination protection (root stacks), not stuck in a `*_FAILED` state,
    and whether deleting it would delete data. Each Amplify backend's stack must exist and
    is named in its stack's results."""
    try:
        stacks = list_all(cloudformation, "describe_stacks", "Stacks")
    except (ClientError, BotoCoreError) as exc:
        return [
            could_not_check(check, exc, cloudformation)
            for check in (
                Check.STACK_TERMINATION_PROTECTION,
                Check.STACK_STATE,
                Check.STACK_DATA_ON_DELETE,
            )
        ] + [
            could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, cloudformation, b.stack_name)
            for b in amplify
        ]
    if not stacks:
        nothing = "no CloudFormation stacks in this region"
        return [
            CheckResult(Check.STACK_TERMINATION_PROTECTION, Outcome.PASS, nothing),
            CheckResult(Check.STACK_STATE, Outcome.PASS, nothing),
            *check_amplify_stacks_exist(amplify, set()),
        ]
    names_by_id = {stack["StackId"]: stack["StackName"] for stack in stacks}
    labels = {backend.stack_name: backend.label for backend in amplify}
    results: list[CheckResult] = []
    for stack in stacks:
        name = stack["StackName"]
        root = names_by_id.get(stack.get("RootId", ""), stack.get("RootId"))
        where = f" ({labels[name]})" if name in labels else ""
        if not stack.get("ParentId"):
            results.append(_termination_protection(stack, where))
        results.append(_stack_state(stack, where))
        results.append(_data_on_delete(cloudformation, stack, root, where))
    results += check_amplify_stacks_exist(amplify, {stack["StackName"] for stack in stacks})
    return results


def _termination_protection(stack: dict[str, Any], where: str) -> CheckResult:
    name = stack["StackName"]
    if stack.get("EnableTerminationProtection"):
        return CheckResult(
            Check.STACK_TERMINATION_PROTECTION,
            Outcome.PASS,
            f"termination protection on{where}",
            name,
        )
    return CheckResult(
        Check.STACK_TERMINATION_PROTECTION,
        Outcome.FAIL,
        f"termination protection is off{where}: one delete-stack removes everything in it. "
        "Fix: `aws cloudformation update-termination-protection "
        f"--enable-termination-protection --stack-name {name}`",
        name,
    )


_FAILED_STATE_ADVICE = {
    "UPDATE_ROLLBACK_FAILED": "continue the rollback (`aws cloudformation "
    "continue-update-rollback`); do not delete it to get past this",
    "ROLLBACK_FAILED": "a create failed and its cleanup failed; check it holds no "
    "production data before deleting it",
    "DELETE_FAILED": "a delete did not finish; find out what it was meant to delete "
    "before retrying",
}


def _stack_state(stack: dict[str, Any], where: str) -> CheckResult:
    name, status = stack["StackName"], stack.get("StackStatus", "")
    if not status.endswith("_FAILED"):
        return CheckResult(Check.STACK_STATE, Outcome.PASS, f"{status}{where}", name)
    reason = stack.get("StackStatusReason")
    advice = _FAILED_STATE_ADVICE.get(status, "find the failed resource in the stack events")
    return CheckResult(
        Check.STACK_STATE,
        Outcome.FAIL,
        f"stuck in `{status}`{where}"
        + (f" ({reason})" if reason else "")
        + f": {advice}. Runbook: `/incident runbook cfn-rollback-failed`",
        name,
    )


def _data_on_delete(
    cloudformation: Any, stack: dict[str, Any], root: str | None, where: str
) -> CheckResult:
    name = stack["StackName"]
    try:
        body = cloudformation.get_template(StackName=stack["StackId"], TemplateStage="Processed")[
            "TemplateBody"
        ]
    except (ClientError, BotoCoreError) as exc:
        return could_not_check(Check.STACK_DATA_ON_DELETE, exc, cloudformation, name)
    try:
        template = parse_template(body)
    except (ValueError, yaml.YAMLError) as exc:
        return CheckResult(
            Check.STACK_DATA_ON_DELETE,
            Outcome.UNKNOWN,
            f"could not check: the template could not be read ({exc})",
            name,
        )
    exposed = _with_physical_names(
        cloudformation, stack["StackId"], unprotected_data_resources(template)
    )
    if not exposed:
        return CheckResult(
            Check.STACK_DATA_ON_DELETE,
            Outcome.PASS,
            f"deleting it deletes no data resource{where}",
            name,
        )
    listed = ", ".join(
        f"{physical} ({kind}, logical id {logical})" if physical else f"{logical} ({kind})"
        for logical, kind, physical in exposed
    )
    nested = f"; it is nested in {root}, so deleting {root} deletes them too" if root else ""
    return CheckResult(
        Check.STACK_DATA_ON_DELETE,
        Outcome.FAIL,
        f"deleting this stack deletes data{where}: {listed}{nested}. Fix: set "
        "`DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain` on them",
        name,
    )


def _with_physical_names(
    cloudformation: Any, stack_id: str, exposed: list[tuple[str, str]]
) -> list[tuple[str, str, str | None]]:
    """(logical id, type, physical name) of the resources the stack really has (a
    template's conditions may skip some). If they cannot be listed, keep them all."""
    if not exposed:
        return []
    try:
        physical = {
            summary["LogicalResourceId"]: summary.get("PhysicalResourceId") or ""
            for summary in list_all(
                cloudformation,
                "list_stack_resources",
                "StackResourceSummaries",
                StackName=stack_id,
            )
        }
    except (ClientError, BotoCoreError):
        return [(logical, kind, None) for logical, kind in exposed]
    return [
        (logical, kind, physical[logical] or None)
        for logical, kind in exposed
        if logical in physical
    ]
