"""The demo's prologue: what `warroom readiness` would have said the week before.

The account is rebuilt in moto (in-process, no network) the way the story had it: tables
without point-in-time recovery, a stack stuck in UPDATE_ROLLBACK_FAILED holding them, no
backup plan, no support plan. moto is a development dependency; without it the demo skips
this part and says so.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.aws.readiness_report import plan_check_result
from bot.domain.readiness import render_table

REGION = "us-east-1"
_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}  # moto only


def story_account_report(support: Any, now: datetime) -> str | None:
    try:
        import boto3
        from moto import mock_aws
        from moto.cloudformation.models import cloudformation_backends
        from moto.core.models import DEFAULT_ACCOUNT_ID
    except ImportError:
        return None
    from bot.aws.readiness import run_readiness

    plan = plan_check_result(support.check_plan())  # the emulator, before mocking boto3
    with mock_aws():
        session = boto3.Session(region_name=REGION, **_CREDENTIALS)
        dynamodb = session.client("dynamodb")
        dynamodb.create_table(
            TableName="users",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        template = {
            "Resources": {
                "Orders": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": {
                        "TableName": "orders",
                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                        "BillingMode": "PAY_PER_REQUEST",
                    },
                }
            }
        }
        session.client("cloudformation").create_stack(
            StackName="api-prod", TemplateBody=json.dumps(template)
        )
        backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][REGION]
        for stack in backend.stacks.values():  # moto never fails a stack by itself
            stack.status = "UPDATE_ROLLBACK_FAILED"
        report = run_readiness(session, plan_check=lambda: plan, clock_now=now)
    return render_table(report)
