"""The readiness audit against a real AWS account (or moto), through boto3.

Each check turns what AWS says into PASS or FAIL per resource, with the command that
fixes a failure. When AWS refuses to answer (an IAM action denied, a service missing in
the region), the result is UNKNOWN and names the IAM action to allow: an audit that could
not look has not shown anything is safe.

Everything lists through paginators: the accounts that need this most have hundreds of
tables and stacks. Only the session's region is audited (run it once per region).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
import yaml
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.domain.clock import ensure_utc
from bot.domain.errors import WarroomError
from bot.domain.readiness import Check, CheckResult, Outcome, ReadinessReport

# Resource types whose deletion loses data.
DATA_RESOURCE_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::RDS::DBInstance",
        "AWS::RDS::DBCluster",
        "AWS::S3::Bucket",
        "AWS::EFS::FileSystem",
        "AWS::Cognito::UserPool",
        "AWS::DocDB::DBCluster",
        "AWS::Neptune::DBCluster",
        "AWS::Redshift::Cluster",
        "AWS::OpenSearchService::Domain",
        "AWS::Elasticsearch::Domain",
        "AWS::EC2::Volume",
        "AWS::Timestream::Table",
    }
)
# Types for which `DeletionPolicy: Snapshot` keeps the data (CloudFormation's own list).
SNAPSHOT_TYPES = frozenset(
    {
        "AWS::EC2::Volume",
        "AWS::ElastiCache::CacheCluster",
        "AWS::ElastiCache::ReplicationGroup",
        "AWS::Neptune::DBCluster",
        "AWS::RDS::DBCluster",
        "AWS::RDS::DBInstance",
        "AWS::Redshift::Cluster",
        "AWS::DocDB::DBCluster",
    }
)
RETAINING_POLICIES = frozenset({"Retain", "RetainExceptOnCreate"})
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException"}
)
_RETRIES = Config(retries={"mode": "standard", "max_attempts": 6})


def run_readiness(
    session: boto3.Session,
    *,
    plan_check: Callable[[], CheckResult] | None,
    clock_now: datetime,
    endpoint_url: str | None = None,
) -> ReadinessReport:
    """Audit the session's account and region; never raises for what AWS refuses."""
    checked_at = ensure_utc(clock_now)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url, config=_RETRIES)

    results: list[CheckResult] = [_support_plan(plan_check)]
    try:
        dynamodb, amplify = client("dynamodb"), client("amplify")
        cloudformation, backup = client("cloudformation"), client("backup")
    except BotoCoreError as exc:  # no region configured, unknown endpoint, ...
        results += [
            CheckResult(check, Outcome.UNKNOWN, f"could not check: {exc}")
            for check in Check
            if check is not Check.SUPPORT_PLAN
        ]
        return ReadinessReport(tuple(results), checked_at, region=session.region_name)
    results += check_dynamodb(dynamodb)
    amplify_results, amplify_backends = _amplify_backends(amplify)
    results += check_stacks(cloudformation, amplify_backends)
    results += amplify_results
    results += check_backup_plans(backup)
    return ReadinessReport(tuple(results), checked_at, region=session.region_name)


# --- support plan ---------------------------------------------------------------------


def _support_plan(plan_check: Callable[[], CheckResult] | None) -> CheckResult:
    if plan_check is None:
        return CheckResult(Check.SUPPORT_PLAN, Outcome.UNKNOWN, "support plan not checked")
    try:
        return plan_check()
    except WarroomError as exc:
        return CheckResult(Check.SUPPORT_PLAN, Outcome.UNKNOWN, exc.user_message)
    except (ClientError, BotoCoreError) as exc:
        return _could_not_check(Check.SUPPORT_PLAN, exc, None)


# --- DynamoDB -------------------------------------------------------------------------


def check_dynamodb(dynamodb: Any) -> list[CheckResult]:
    """Every table: point-in-time recovery on, deletion protection on."""
    try:
        names = [
            name
            for page in dynamodb.get_paginator("list_tables").paginate()
            for name in page.get("TableNames", [])
        ]
    except (ClientError, BotoCoreError) as exc:
        return [
            _could_not_check(Check.DYNAMODB_PITR, exc, dynamodb),
            _could_not_check(Check.DYNAMODB_DELETION_PROTECTION, exc, dynamodb),
        ]
    if not names:
        nothing = "no DynamoDB tables in this region"
        return [
            CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, nothing),
            CheckResult(Check.DYNAMODB_DELETION_PROTECTION, Outcome.PASS, nothing),
        ]
    results: list[CheckResult] = []
    for name in names:
        results.append(_table_pitr(dynamodb, name))
        results.append(_table_deletion_protection(dynamodb, name))
    return results


def _table_pitr(dynamodb: Any, name: str) -> CheckResult:
    try:
        described = dynamodb.describe_continuous_backups(TableName=name)
    except (ClientError, BotoCoreError) as exc:
        return _could_not_check(Check.DYNAMODB_PITR, exc, dynamodb, name)
    status = (
        described.get("ContinuousBackupsDescription", {})
        .get("PointInTimeRecoveryDescription", {})
        .get("PointInTimeRecoveryStatus", "DISABLED")
    )
    if status == "ENABLED":
        return CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, "point-in-time recovery on", name)
    return CheckResult(
        Check.DYNAMODB_PITR,
        Outcome.FAIL,
        f"point-in-time recovery is {status.lower()}: deleted or overwritten data cannot be "
        "restored to a minute before. Fix: `aws dynamodb update-continuous-backups "
        f"--table-name {name} --point-in-time-recovery-specification "
        "PointInTimeRecoveryEnabled=true`",
        name,
    )


def _table_deletion_protection(dynamodb: Any, name: str) -> CheckResult:
    try:
        table = dynamodb.describe_table(TableName=name)["Table"]
    except (ClientError, BotoCoreError) as exc:
        return _could_not_check(Check.DYNAMODB_DELETION_PROTECTION, exc, dynamodb, name)
    if table.get("DeletionProtectionEnabled"):
        return CheckResult(
            Check.DYNAMODB_DELETION_PROTECTION, Outcome.PASS, "deletion protection on", name
        )
    return CheckResult(
        Check.DYNAMODB_DELETION_PROTECTION,
        Outcome.FAIL,
        "deletion protection is off: a stack delete or one API call deletes the table. "
        f"Fix: `aws dynamodb update-table --table-name {name} --deletion-protection-enabled`",
        name,
    )


# --- CloudFormation -------------------------------------------------------------------


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


def check_stacks(cloudformation: Any, amplify: Sequence[AmplifyBackend] = ()) -> list[CheckResult]:
    """Every stack: termination protection (root stacks), not stuck in a `*_FAILED` state,
    and whether deleting it would delete data. Each Amplify backend's stack must exist and
    is named in its stack's results."""
    try:
        stacks = [
            stack
            for page in cloudformation.get_paginator("describe_stacks").paginate()
            for stack in page.get("Stacks", [])
        ]
    except (ClientError, BotoCoreError) as exc:
        return [
            _could_not_check(check, exc, cloudformation)
            for check in (
                Check.STACK_TERMINATION_PROTECTION,
                Check.STACK_STATE,
                Check.STACK_DATA_ON_DELETE,
            )
        ] + [
            _could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, cloudformation, b.stack_name)
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
        return _could_not_check(Check.STACK_DATA_ON_DELETE, exc, cloudformation, name)
    try:
        template = _parse_template(body)
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


def unprotected_data_resources(template: dict[str, Any]) -> list[tuple[str, str]]:
    """(logical id, type) of data resources that a stack delete would destroy."""
    resources = template.get("Resources") or {}
    exposed: list[tuple[str, str]] = []
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        properties = resource.get("Properties") or {}
        if kind not in DATA_RESOURCE_TYPES or not isinstance(properties, dict):
            continue
        if kind == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in properties:
            continue  # its data lives in the cluster, which is checked on its own
        if not _survives_delete(kind, resource.get("DeletionPolicy"), properties):
            exposed.append((str(logical_id), kind))
    return exposed


def _survives_delete(kind: str, policy: object, properties: dict[str, Any]) -> bool:
    if policy in RETAINING_POLICIES:
        return True
    if policy == "Snapshot" and kind in SNAPSHOT_TYPES:
        return True
    if policy is None and kind in ("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"):
        return True  # CloudFormation's default for these is Snapshot
    # With deletion protection on, the stack delete fails instead of deleting the data.
    return properties.get("DeletionProtectionEnabled") is True or properties.get(
        "DeletionProtection"
    ) in (True, "ACTIVE")


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
            for page in cloudformation.get_paginator("list_stack_resources").paginate(
                StackName=stack_id
            )
            for summary in page.get("StackResourceSummaries", [])
        }
    except (ClientError, BotoCoreError):
        return [(logical, kind, None) for logical, kind in exposed]
    return [
        (logical, kind, physical[logical] or None)
        for logical, kind in exposed
        if logical in physical
    ]


class _TemplateLoader(yaml.SafeLoader):
    """A safe YAML loader that reads CloudFormation short forms (`!Ref`, `!Sub`, ...) as
    plain values: only resource types and deletion policies are needed here."""


def _construct_tagged(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_TemplateLoader.add_multi_constructor("!", _construct_tagged)


def _parse_template(body: object) -> dict[str, Any]:
    """botocore hands JSON templates over already decoded; YAML ones arrive as text."""
    if isinstance(body, dict):
        return body
    if not isinstance(body, str):
        raise ValueError(f"unexpected template of type {type(body).__name__}")
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = yaml.load(body, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(parsed, dict):
        raise ValueError("the template is not a mapping")
    return parsed


# --- Amplify --------------------------------------------------------------------------


def _amplify_backends(amplify: Any) -> tuple[list[CheckResult], list[AmplifyBackend]]:
    """Each Amplify Gen 1 backend environment and its stack name (checked with the stacks)."""
    backends: list[AmplifyBackend] = []
    results: list[CheckResult] = []
    try:
        apps = [
            app
            for page in amplify.get_paginator("list_apps").paginate()
            for app in page.get("apps", [])
        ]
    except (ClientError, BotoCoreError) as exc:
        return [_could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, amplify)], []
    for app in apps:
        try:
            environments = list(_backend_environments(amplify, app["appId"]))
        except (ClientError, BotoCoreError) as exc:
            results.append(
                _could_not_check(Check.AMPLIFY_BACKEND_STACK, exc, amplify, app.get("name"))
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


# --- AWS Backup -----------------------------------------------------------------------


def check_backup_plans(backup: Any) -> list[CheckResult]:
    """At least one AWS Backup plan exists (what it covers is not judged here)."""
    try:
        plans = [
            plan
            for page in backup.get_paginator("list_backup_plans").paginate()
            for plan in page.get("BackupPlansList", [])
        ]
    except (ClientError, BotoCoreError) as exc:
        return [_could_not_check(Check.BACKUP_PLANS, exc, backup)]
    if not plans:
        return [
            CheckResult(
                Check.BACKUP_PLANS,
                Outcome.FAIL,
                "no AWS Backup plan: nothing is backed up on a schedule outside the "
                "resources themselves. Create one: `aws backup create-backup-plan` and "
                "assign resources with `aws backup create-backup-selection`",
            )
        ]
    names = ", ".join(sorted(plan.get("BackupPlanName", "?") for plan in plans))
    return [CheckResult(Check.BACKUP_PLANS, Outcome.PASS, f"{len(plans)} backup plan(s): {names}")]


# --- errors ---------------------------------------------------------------------------


def _could_not_check(
    check: str, exc: ClientError | BotoCoreError, client: Any, resource: str | None = None
) -> CheckResult:
    """UNKNOWN, with the IAM action that was refused when that is what happened."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "")) or "an error"
        message = str(error.get("Message", "")).strip()
        action = _iam_action(client, exc.operation_name)
        if code in ACCESS_DENIED_CODES:
            detail = f"could not check: `{action}` was denied; allow it for the auditing identity"
        else:
            detail = f"could not check: `{action}` failed with {code}" + (
                f": {message}" if message else ""
            )
    else:
        detail = f"could not check: {exc}"
    return CheckResult(check, Outcome.UNKNOWN, detail, resource)


def _iam_action(client: Any, operation: str) -> str:
    """IAM actions are `<service prefix>:<Operation>`; the prefix is the signing name."""
    if client is None:
        return operation
    return f"{client.meta.service_model.signing_name}:{operation}"
