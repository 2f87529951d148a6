"""A DynamoDB table as the readiness tests need it, on any dynamodb client (moto in-process
or moto_server over HTTP)."""

from __future__ import annotations

from typing import Any


def create_table(dynamodb: Any, name: str, *, pitr: bool, protected: bool) -> None:
    dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=protected,
    )
    if pitr:
        dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
