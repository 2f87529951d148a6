"""Restore drills against moto in-process: PITR on and off, a count mismatch, the scratch
table deleted after a failure, the name guard, pagination and the --max-items guard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bot.aws.restore_drill import AwsRestoreDrill
from bot.domain.clock import FixedClock
from bot.domain.restore_drill import (
    EXIT_ALL_RESTORED,
    EXIT_COULD_NOT_RUN,
    EXIT_SOME_FAILED,
    NotAScratchTable,
    RestoreResult,
    exit_code,
    is_scratch_table,
    render_table,
    scratch_table_name,
)
from tests.aws.tables import create_table

REGION = "us-east-1"
NOW = datetime(2026, 9, 16, 13, 38, tzinfo=UTC)


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION)


def fill(dynamodb: Any, table: str, count: int) -> None:
    for n in range(count):
        dynamodb.put_item(
            TableName=table, Item={"id": {"S": f"order-{n:05d}"}, "total": {"N": str(n)}}
        )


def tables(dynamodb: Any) -> list[str]:
    return sorted(dynamodb.list_tables()["TableNames"])


def drill(dynamodb: Any, **options: Any) -> AwsRestoreDrill:
    return AwsRestoreDrill(dynamodb, clock=FixedClock(NOW), sleep=lambda _: None, **options)


def test_a_pitr_table_is_restored_compared_timed_and_its_scratch_deleted(dynamodb: Any) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=True)
    fill(dynamodb, "orders", 30)

    (result,) = drill(dynamodb, sample_size=10).restore()

    assert result.table == "orders"
    assert result.restored and result.matched and result.error is None
    assert result.rto_seconds is not None and result.rto_seconds >= 0
    assert (result.source_items, result.restored_items) == (30, 30)
    assert (result.sample_checked, result.sample_matched) == (10, 10)
    assert tables(dynamodb) == ["orders"]


def test_a_table_without_pitr_fails_with_the_command_that_turns_it_on(dynamodb: Any) -> None:
    create_table(dynamodb, "users", pitr=False, protected=False)

    (result,) = drill(dynamodb).restore()

    assert not result.restored and not result.matched
    assert result.error is not None
    assert (
        "aws dynamodb update-continuous-backups --table-name users "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"
    ) in result.error
    assert exit_code([result]) == EXIT_SOME_FAILED
    assert tables(dynamodb) == ["users"]


def test_an_item_count_mismatch_fails_and_the_scratch_table_is_still_deleted(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    fill(dynamodb, "orders", 5)
    subject = drill(dynamodb)
    real_wait = subject._wait_active

    def a_write_lands_after_the_restore_point(name: str) -> None:
        real_wait(name)
        fill(dynamodb, "orders", 7)  # two more items in the source than were restored

    monkeypatch.setattr(subject, "_wait_active", a_write_lands_after_the_restore_point)

    (result,) = subject.restore(["orders"])

    assert result.restored and not result.matched
    assert (result.source_items, result.restored_items) == (7, 5)
    assert result.error == "item count differs: 7 in the source, 5 restored"
    assert exit_code([result]) == EXIT_SOME_FAILED
    assert tables(dynamodb) == ["orders"]


def test_the_scratch_table_is_deleted_when_the_comparison_blows_up(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    fill(dynamodb, "orders", 3)
    subject = drill(dynamodb)
    from botocore.exceptions import ClientError

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetItem")

    monkeypatch.setattr(dynamodb, "get_item", denied)

    (result,) = subject.restore(["orders"])

    assert result.restored and not result.matched
    assert result.error is not None and "dynamodb:GetItem` was denied" in result.error
    assert result.could_not_run
    assert tables(dynamodb) == ["orders"]


def test_a_sampled_item_that_differs_fails_the_drill(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    fill(dynamodb, "orders", 4)
    subject = drill(dynamodb)
    real_wait = subject._wait_active

    def overwritten_after_the_restore_point(name: str) -> None:
        real_wait(name)
        dynamodb.put_item(
            TableName="orders", Item={"id": {"S": "order-00001"}, "total": {"N": "99"}}
        )

    monkeypatch.setattr(subject, "_wait_active", overwritten_after_the_restore_point)

    (result,) = subject.restore(["orders"])

    assert (result.source_items, result.restored_items) == (4, 4)
    assert (result.sample_checked, result.sample_matched) == (4, 3)
    assert result.error == "1 of 4 sampled items differ or are missing"
    assert tables(dynamodb) == ["orders"]


def test_the_name_guard_never_deletes_a_table_without_the_drill_suffix(dynamodb: Any) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)

    with pytest.raises(NotAScratchTable):
        drill(dynamodb).delete_scratch("orders")
    with pytest.raises(NotAScratchTable):
        drill(dynamodb).delete_scratch("orders-warroom-drill-")

    assert tables(dynamodb) == ["orders"]
    assert is_scratch_table(scratch_table_name("orders", NOW))
    assert scratch_table_name("orders", NOW) == "orders-warroom-drill-202609161338"
    assert not is_scratch_table("orders-warroom-drill-latest")


def test_leftover_scratch_tables_are_not_drilled_and_a_named_one_is_refused(dynamodb: Any) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    create_table(dynamodb, "orders-warroom-drill-202601010000", pitr=True, protected=False)

    results = drill(dynamodb).restore()
    (named,) = drill(dynamodb).restore(["orders-warroom-drill-202601010000"])

    assert [r.table for r in results] == ["orders"]
    assert not named.restored and named.error == "this is a restore-drill scratch table"


def test_counts_scan_every_page(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    fill(dynamodb, "orders", 12)
    pages: list[int] = []
    real = dynamodb.get_paginator

    def small_pages(operation: str) -> Any:
        paginator = real(operation)
        if operation != "scan":
            return paginator
        original = paginator.paginate

        def paginate(**kwargs: Any) -> Any:
            for page in original(PaginationConfig={"PageSize": 5}, **kwargs):
                pages.append(page["Count"])
                yield page

        paginator.paginate = paginate
        return paginator

    monkeypatch.setattr(dynamodb, "get_paginator", small_pages)

    (result,) = drill(dynamodb, sample_size=3).restore()

    assert (result.source_items, result.restored_items) == (12, 12)
    assert pages == [5, 5, 2, 5, 5, 2]  # the source, then the restored table
    assert (result.sample_checked, result.sample_matched) == (3, 3)


def test_max_items_counts_from_describe_table_instead_of_scanning(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    fill(dynamodb, "orders", 6)
    scans: list[str] = []
    real = dynamodb.get_paginator

    def recording(operation: str) -> Any:
        scans.append(operation)
        return real(operation)

    monkeypatch.setattr(dynamodb, "get_paginator", recording)

    (result,) = drill(dynamodb, max_items=5).restore(["orders"])

    assert "scan" not in scans
    assert result.source_items == 6 and result.restored_items == 6 and result.matched


def test_a_restore_that_never_becomes_active_times_out_and_is_deleted(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    ticks = iter(range(0, 10_000, 100))
    subject = AwsRestoreDrill(
        dynamodb,
        clock=FixedClock(NOW),
        timer=lambda: float(next(ticks)),
        sleep=lambda _: None,
        timeout_seconds=250,
    )
    monkeypatch.setattr(subject, "_status", lambda name: "CREATING")

    (result,) = subject.restore(["orders"])

    assert not result.restored and result.rto_seconds is None
    assert result.error == "the restored table was still CREATING after 250s"
    assert tables(dynamodb) == ["orders"]


def test_exit_codes_and_the_table() -> None:
    good = RestoreResult("orders", True, 1.5, 3, 3, 3, 3)
    bad = RestoreResult("users", False, error="point-in-time recovery is disabled")
    denied = RestoreResult("carts", False, error="denied", could_not_run=True)

    assert exit_code([good]) == EXIT_ALL_RESTORED
    assert exit_code([good, bad, denied]) == EXIT_SOME_FAILED
    assert exit_code([good, denied]) == EXIT_COULD_NOT_RUN
    assert exit_code([]) == EXIT_COULD_NOT_RUN
    table = render_table([good, bad])
    assert "RESTORED  orders  1.5s" in table
    assert "FAILED    users" in table
    assert table.rstrip().endswith("1 restored and matched, 1 not. Exit code 1.")


def test_a_scratch_table_of_another_drill_in_the_same_minute_is_left_alone(dynamodb: Any) -> None:
    create_table(dynamodb, "orders", pitr=True, protected=False)
    create_table(dynamodb, scratch_table_name("orders", NOW), pitr=False, protected=False)

    (result,) = drill(dynamodb).restore(["orders"])

    assert not result.restored
    assert result.error is not None and "already running" in result.error
    assert scratch_table_name("orders", NOW) in tables(dynamodb)
