"""Reading a CloudFormation template and finding the data resources a stack delete destroys.

Its own module because this is pure template analysis, with no AWS call: it is what
`check_stacks` (`readiness_cloudformation`) asks of each stack's processed template, and
it can be tested on a template alone (`unprotected_data_resources`, re-exported from
`bot.aws.readiness`).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

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


def parse_template(body: object) -> dict[str, Any]:
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
