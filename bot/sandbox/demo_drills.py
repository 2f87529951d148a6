"""The demo's restore drills and AWS Health scenes.

The week before, a restore drill of `orders` fails: no point-in-time recovery, nothing to
restore from. During the incident AWS Health reports increased DynamoDB API error rates,
and the team rules it out. In the epilogue, with PITR turned on, the same drill passes and
says how long the restore took. The drills run the real adapter against moto in-process;
without moto (no dev extras) they are skipped and the demo says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.domain.clock import FixedClock
from bot.domain.restore_drill import RestoreResult, render_table

if TYPE_CHECKING:
    from bot.sandbox.demo import Scene

REGION = "us-east-1"
_CREDENTIALS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}  # moto only
NO_MOTO = "  (install the dev extras to see the restore drill: pip install -e '.[dev]')"


def orders_drill(now: datetime, *, pitr: bool, items: int = 120) -> list[RestoreResult] | None:
    """`warroom drill restore --table orders` on an account rebuilt in moto."""
    try:
        import boto3
        from moto import mock_aws
    except ImportError:
        return None
    from bot.aws.restore_drill import AwsRestoreDrill

    with mock_aws():
        dynamodb: Any = boto3.Session(region_name=REGION, **_CREDENTIALS).client("dynamodb")
        dynamodb.create_table(
            TableName="orders",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for n in range(items):
            dynamodb.put_item(
                TableName="orders", Item={"id": {"S": f"order-{n:04d}"}, "total": {"N": str(n)}}
            )
        if pitr:
            dynamodb.update_continuous_backups(
                TableName="orders",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
        drill = AwsRestoreDrill(dynamodb, clock=FixedClock(now), sleep=lambda _: None)
        return drill.restore(["orders"])


def drill_prologue(scene: Scene) -> None:
    scene.at("Nobody ran a restore drill either. `warroom drill restore --table orders`:")
    results = orders_drill(scene.clock.now(), pitr=False)
    print(render_table(results) if results is not None else NO_MOTO)


def aws_health_event(scene: Scene) -> None:
    """With the plan bought, AWS Health answers: is it us or AWS?"""
    scene.at("AWS reports increased DynamoDB error rates. Is it us or AWS?", minutes=2)
    arn = scene.aws.health.open_event(
        "DYNAMODB",
        "AWS_DYNAMODB_INCREASED_API_ERROR_RATES",
        region=REGION,
        scope="PUBLIC",
        description="We are investigating increased API error rates for DynamoDB in the "
        "US-EAST-1 Region.",
    )
    scene.type("U0KOFI", "health")
    scene.type(
        "U0WANJIRU",
        "log AWS Health's DynamoDB error rates are real, but our tables are gone, not "
        "failing: ruled out, it is us",
    )
    scene.at("AWS resolves its DynamoDB issue; the poller sees it close", minutes=20)
    scene.aws.health.set_status(arn, "closed")
    for job in scene.bot.runtime.jobs:
        if job.name == "health-poll":
            job.run()
    scene.bot.settle()
    scene.transcript.flush()


def drill_epilogue(scene: Scene) -> None:
    scene.at("A week later: PITR is on, and the drill runs weekly in CI", days=7)
    results = orders_drill(scene.clock.now(), pitr=True)
    if results is None:
        print(NO_MOTO)
        return
    print(render_table(results))
    print("  (moto restores at once; a real table takes minutes to hours: that is the RTO)")
    from bot.services.restore_drills import record_results

    record_results(scene.bot.db, scene.clock, results)  # what readiness will look for
