"""`/incident drill restore` in a game day, against moto's HTTP server: each table's result
on the timeline with its RTO, the channel told, the postmortem's `metrics.restore_drill`,
and readiness's "restore drill within 30 days" from what was recorded."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import select

from bot.aws.readiness_report import with_drill_checks
from bot.aws.restore_drill import AwsRestoreDrill
from bot.domain.clock import FixedClock
from bot.domain.readiness import Check, CheckResult, Outcome, ReadinessReport
from bot.services.postmortem import export_incident
from bot.services.restore_drills import last_successful_drills
from bot.store.models import TimelineEntry
from tests.aws.tables import create_table
from tests.harness import BotHarness

REGION = "us-east-1"


class OneShotDrill:
    """The real adapter, on a client aimed at moto's server."""

    def __init__(self, client: Any, clock: FixedClock) -> None:
        self.client, self.clock = client, clock

    def restore(self, tables: Any = None) -> Any:
        return AwsRestoreDrill(self.client, clock=self.clock, sleep=lambda _: None).restore(tables)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def dynamodb(moto_endpoint: str) -> Iterator[Any]:
    def reset() -> None:
        request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    reset()
    yield boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=moto_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    reset()


@pytest.fixture
def bot(database_url: str, clock: FixedClock, dynamodb: Any) -> Iterator[BotHarness]:
    harness = BotHarness(database_url, clock=clock, restore_drills=OneShotDrill(dynamodb, clock))
    yield harness
    harness.close()


def drill_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.kind == "restore_drill")
                .order_by(TimelineEntry.id)
            )
        )


def test_a_game_day_restore_is_logged_with_its_rto_and_lands_in_the_postmortem(
    bot: BotHarness, dynamodb: Any
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=True)
    create_table(dynamodb, "users", pitr=False, protected=False)
    for n in range(8):
        dynamodb.put_item(TableName="orders", Item={"id": {"S": f"o{n}"}})
    channel = bot.declare("--drill sev1 Production environment deleted")

    reply = bot.command("drill restore", channel=channel)

    assert reply.json()["text"].startswith(":test_tube: Restoring every DynamoDB table into")
    assert bot.last_response_text() == (
        "Restore drill done: 1 of 2 tables restored and matched; each result is on the timeline."
    )
    orders, users = drill_entries(bot)
    assert orders.text.startswith("Restore drill: orders: restored in ")
    assert "(RTO), 8 items, sample 8/8 matched" in orders.text
    assert orders.data is not None and orders.data["matched"] is True
    assert isinstance(orders.data["rto_seconds"], float)
    assert users.text.startswith("Restore drill: users: restore drill failed: point-in-time")
    [posted] = [m.text for m in bot.posted(channel) if "*Restore drill*" in m.text]
    assert ":white_check_mark: orders: restored in" in posted
    assert ":x: users: restore drill failed" in posted
    assert posted.endswith("1 of 2 tables restored and matched.")
    assert sorted(dynamodb.list_tables()["TableNames"]) == ["orders", "users"]

    exported = json.loads(
        export_incident(bot.db, 1, "json", zones=("UTC",), now=bot.clock.now()).content
    )
    drill = exported["metrics"]["restore_drill"]
    assert set(drill) == {"orders", "users"}
    assert drill["orders"]["matched"] is True
    assert drill["orders"]["rto_seconds"] == orders.data["rto_seconds"]
    assert drill["users"] == {"rto_seconds": None, "matched": False}
    markdown = export_incident(bot.db, 1, "md", zones=("UTC",), now=bot.clock.now()).content
    assert b"## Restore drill" in markdown


def test_named_tables_only(bot: BotHarness, dynamodb: Any) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    create_table(dynamodb, "users", pitr=False, protected=False)
    channel = bot.declare("--drill sev2 Game day")

    bot.command("drill restore orders", channel=channel)

    assert [e.data["table"] for e in drill_entries(bot) if e.data] == ["orders"]
    assert set(last_successful_drills(bot.db, ["orders", "users"])) == {"orders"}


def test_a_real_incident_refuses_the_drill_and_touches_nothing(
    bot: BotHarness, dynamodb: Any
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    channel = bot.declare("sev1 Production environment deleted")

    reply = bot.command("drill restore", channel=channel)

    assert "runs only in a drill" in reply.json()["text"]
    assert drill_entries(bot) == []
    assert dynamodb.list_tables()["TableNames"] == ["orders"]


def test_a_bad_table_name_is_a_usage_error(bot: BotHarness) -> None:
    channel = bot.declare("--drill sev2 Game day")

    reply = bot.command("drill restore <!channel>", channel=channel)

    assert "is not a DynamoDB table name" in reply.json()["text"]


def test_readiness_passes_a_table_drilled_within_30_days_only(
    bot: BotHarness, dynamodb: Any
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    channel = bot.declare("--drill sev2 Game day")
    bot.command("drill restore orders", channel=channel)
    pitr = [
        CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, "on", "orders"),
        CheckResult(Check.DYNAMODB_PITR, Outcome.PASS, "on", "carts"),
        CheckResult(Check.DYNAMODB_PITR, Outcome.FAIL, "off", "users"),
    ]

    def report(days_later: int) -> dict[str | None, CheckResult]:
        at = bot.clock.now() + timedelta(days=days_later)
        checked = with_drill_checks(
            ReadinessReport(tuple(pitr), at), lambda t: last_successful_drills(bot.db, t)
        )
        return {r.resource: r for r in checked.results if r.name == Check.DYNAMODB_RESTORE_DRILL}

    soon, late = report(29), report(31)

    assert set(soon) == {"orders", "carts"}
    assert soon["orders"].outcome is Outcome.PASS
    assert soon["carts"].outcome is Outcome.FAIL
    assert "`warroom drill restore --table carts`" in soon["carts"].detail
    assert late["orders"].outcome is Outcome.FAIL
    assert "last success" in late["orders"].detail
