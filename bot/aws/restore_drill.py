"""Restore drills against DynamoDB through boto3: the real `RestoreDrills` port.

For each table: restore to the latest restorable time into a scratch table, wait until it
is ACTIVE (that wait is the recovery time), compare item counts and a sample of items read
from both, and delete the scratch table whatever happened. Every delete and every change
goes through `require_scratch_table`, so the source table can never be touched.

Counting scans page by page (`Select=COUNT`); a table whose `DescribeTable` item count is
above `max_items` is compared by `DescribeTable`'s counts instead (AWS refreshes those about
every six hours, which is what a huge table can afford). The sample is bounded: the first
`sample_size` items of a scan of the source, each read back from the restored table by key.

A table restored to its latest restorable time (about five minutes ago) can differ from a
source that is being written to right now; drill tables that are quiet, or read the
mismatch as the writes of those minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.readiness_common import ACCESS_DENIED_CODES, iam_action
from bot.domain.clock import Clock, SystemClock
from bot.domain.restore_drill import (
    DEFAULT_MAX_ITEMS,
    DEFAULT_SAMPLE_SIZE,
    DrillCouldNotRun,
    RestoreResult,
    enable_pitr_command,
    is_scratch_table,
    require_scratch_table,
    scratch_table_name,
)

_COULD_NOT_RUN_CODES = ACCESS_DENIED_CODES | frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "UnrecognizedClientException",
        "ExpiredTokenException",
        "InvalidSignatureException",
    }
)


class DrillStepFailed(Exception):
    def __init__(self, message: str, *, could_not_run: bool = False) -> None:
        super().__init__(message)
        self.could_not_run = could_not_run


class AwsRestoreDrill:
    """`RestoreDrills` over a boto3 DynamoDB client (moto in the tests)."""

    def __init__(
        self,
        dynamodb: Any,
        *,
        clock: Clock | None = None,
        sample_size: int = DEFAULT_SAMPLE_SIZE,
        max_items: int = DEFAULT_MAX_ITEMS,
        timeout_seconds: float = 4 * 3600,
        poll_seconds: float = 15.0,
        timer: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.dynamodb = dynamodb
        self.clock = clock or SystemClock()
        self.sample_size = sample_size
        self.max_items = max_items
        self.timeout_seconds = timeout_seconds
        self.poll_seconds = poll_seconds
        self.timer = timer
        self.sleep = sleep

    # --- which tables ---------------------------------------------------------------------

    def tables(self) -> list[str]:
        """Every table of the region except drill scratch tables (raises DrillStepFailed)."""
        try:
            names = [
                name
                for page in self.dynamodb.get_paginator("list_tables").paginate()
                for name in page.get("TableNames", [])
            ]
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(exc, "ListTables") from None
        return [name for name in names if not is_scratch_table(name)]

    def restore(self, tables: Sequence[str] | None = None) -> list[RestoreResult]:
        """Drill the named tables, or every table; raises DrillCouldNotRun only when the
        tables cannot even be listed."""
        try:
            names = list(tables) if tables else self.tables()
        except DrillStepFailed as failed:
            raise DrillCouldNotRun(f"the restore drill could not run: {failed}") from None
        return [self.drill_table(name) for name in names]

    # --- one table ------------------------------------------------------------------------

    def drill_table(self, source: str) -> RestoreResult:
        if is_scratch_table(source):
            return RestoreResult(source, False, error="this is a restore-drill scratch table")
        try:
            self._require_pitr(source)
        except DrillStepFailed as failed:
            return RestoreResult(
                source, False, error=str(failed), could_not_run=failed.could_not_run
            )
        scratch = scratch_table_name(source, self.clock.now())
        rto: float | None = None
        result: RestoreResult
        try:
            started = self.timer()
            self._restore(source, scratch)
            self._wait_active(scratch)
            rto = round(self.timer() - started, 3)
            result = self._compare(source, scratch, rto)
        except _AlreadyRunning as running:
            return RestoreResult(source, False, error=str(running))
        except DrillStepFailed as failed:
            result = RestoreResult(
                source,
                rto is not None,
                rto_seconds=rto,
                error=str(failed),
                could_not_run=failed.could_not_run,
            )
        left = self.delete_scratch(scratch)
        if left:
            error = f"{result.error}; {left}" if result.error else left
            result = replace(result, error=error)
        return result

    def _restore(self, source: str, scratch: str) -> None:
        try:
            self.dynamodb.restore_table_to_point_in_time(
                SourceTableName=source,
                TargetTableName=scratch,
                UseLatestRestorableTime=True,
                BillingModeOverride="PAY_PER_REQUEST",
            )
        except ClientError as exc:
            if _code(exc) == "TableAlreadyExistsException":
                # Another drill of this table in the same minute owns that scratch table:
                # not ours to compare or delete.
                raise _AlreadyRunning(
                    f"a restore drill of {source} is already running (scratch table {scratch} "
                    "exists); try again in a minute"
                ) from None
            raise self._failed(exc, "RestoreTableToPointInTime") from None
        except BotoCoreError as exc:
            raise self._failed(exc, "RestoreTableToPointInTime") from None

    def _require_pitr(self, source: str) -> None:
        described = self._call(
            "DescribeContinuousBackups",
            self.dynamodb.describe_continuous_backups,
            TableName=source,
        )
        status = (
            described.get("ContinuousBackupsDescription", {})
            .get("PointInTimeRecoveryDescription", {})
            .get("PointInTimeRecoveryStatus", "DISABLED")
        )
        if status != "ENABLED":
            raise DrillStepFailed(
                f"point-in-time recovery is {status.lower()}, so there is nothing to restore "
                f"from. Turn it on: `{enable_pitr_command(source)}`"
            )

    def _wait_active(self, name: str) -> None:
        deadline = self.timer() + self.timeout_seconds
        while True:
            status = self._status(name)
            if status == "ACTIVE":
                return
            if status is None:
                raise DrillStepFailed(f"the restored table {name} disappeared while restoring")
            if self.timer() >= deadline:
                raise DrillStepFailed(
                    f"the restored table was still {status} after {self.timeout_seconds:.0f}s"
                )
            self.sleep(self.poll_seconds)

    def _status(self, name: str) -> str | None:
        try:
            table = self.dynamodb.describe_table(TableName=name)["Table"]
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise self._failed(exc, "DescribeTable") from None
        except BotoCoreError as exc:
            raise self._failed(exc, "DescribeTable") from None
        return str(table.get("TableStatus", "UNKNOWN"))

    # --- comparing ------------------------------------------------------------------------

    def _compare(self, source: str, scratch: str, rto: float) -> RestoreResult:
        described = self._call("DescribeTable", self.dynamodb.describe_table, TableName=source)
        keys = [k["AttributeName"] for k in described["Table"]["KeySchema"]]
        estimated = int(described["Table"].get("ItemCount", 0))
        if estimated > self.max_items:
            source_items = estimated
            restored = self._call("DescribeTable", self.dynamodb.describe_table, TableName=scratch)
            restored_items = int(restored["Table"].get("ItemCount", 0))
        else:
            source_items = self._count(source)
            restored_items = self._count(scratch)
        checked, matched = self._sample(source, scratch, keys)
        error = None
        if source_items != restored_items:
            error = f"item count differs: {source_items} in the source, {restored_items} restored"
        elif matched != checked:
            error = f"{checked - matched} of {checked} sampled items differ or are missing"
        return RestoreResult(
            source,
            True,
            rto_seconds=rto,
            source_items=source_items,
            restored_items=restored_items,
            sample_checked=checked,
            sample_matched=matched,
            error=error,
        )

    def _count(self, table: str) -> int:
        try:
            pages = self.dynamodb.get_paginator("scan").paginate(TableName=table, Select="COUNT")
            return sum(int(page.get("Count", 0)) for page in pages)
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(exc, "Scan") from None

    def _sample(self, source: str, scratch: str, keys: list[str]) -> tuple[int, int]:
        if self.sample_size <= 0:
            return 0, 0
        page = self._call("Scan", self.dynamodb.scan, TableName=source, Limit=self.sample_size)
        items = page.get("Items", [])[: self.sample_size]
        matched = 0
        for item in items:
            key = {name: item[name] for name in keys}
            found = self._call(
                "GetItem", self.dynamodb.get_item, TableName=scratch, Key=key, ConsistentRead=True
            )
            matched += found.get("Item") == item
        return len(items), matched

    # --- cleaning up ----------------------------------------------------------------------

    def delete_scratch(self, name: str) -> str | None:
        """Delete a scratch table (refusing any other name); None when it is gone, else what
        to tell the operator. A table still being created is waited for, then deleted."""
        require_scratch_table(name)
        deadline = self.timer() + self.timeout_seconds
        while True:
            try:
                self.dynamodb.delete_table(TableName=name)
                return None
            except ClientError as exc:
                code, message = _code(exc), str(exc.response.get("Error", {}).get("Message", ""))
                if code == "ResourceNotFoundException":
                    return None
                if "deletion protection" in message.lower():
                    self._unprotect(name)
                    continue
                if code != "ResourceInUseException" or self.timer() >= deadline:
                    return _left_behind(name, f"{code}: {message}")
            except BotoCoreError as exc:
                return _left_behind(name, str(exc))
            self.sleep(self.poll_seconds)

    def _unprotect(self, name: str) -> None:
        self.dynamodb.update_table(
            TableName=require_scratch_table(name), DeletionProtectionEnabled=False
        )

    # --- errors ---------------------------------------------------------------------------

    def _call(self, operation: str, method: Callable[..., Any], **params: Any) -> Any:
        try:
            return method(**params)
        except (ClientError, BotoCoreError) as exc:
            raise self._failed(exc, operation) from None

    def _failed(self, exc: ClientError | BotoCoreError, operation: str) -> DrillStepFailed:
        if isinstance(exc, ClientError):
            code = _code(exc)
            message = str(exc.response.get("Error", {}).get("Message", "")).strip()
            action = iam_action(self.dynamodb, operation)
            if code in ACCESS_DENIED_CODES:
                return DrillStepFailed(
                    f"`{action}` was denied; allow it for the drilling identity (see the README)",
                    could_not_run=True,
                )
            return DrillStepFailed(
                f"`{action}` failed with {code}" + (f": {message}" if message else ""),
                could_not_run=code in _COULD_NOT_RUN_CODES,
            )
        return DrillStepFailed(f"{operation} could not be called: {exc}", could_not_run=True)


class _AlreadyRunning(DrillStepFailed):
    """The scratch table exists already: another drill's, never deleted by this one."""


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _left_behind(name: str, why: str) -> str:
    return (
        f"the scratch table {name} could not be deleted ({why}); delete it with "
        f"`aws dynamodb delete-table --table-name {name}`"
    )


class LazyRestoreDrill:
    """`RestoreDrills` for `warroom serve`: the DynamoDB client is made at the first drill,
    so a bot without AWS configuration still starts (and the drill says why it cannot)."""

    def __init__(self, session_factory: Callable[[], Any] | None = None, **options: Any) -> None:
        self._session_factory = session_factory
        self._options = options

    def restore(self, tables: Sequence[str] | None = None) -> list[RestoreResult]:
        import boto3
        from botocore.config import Config

        try:
            session = self._session_factory() if self._session_factory else boto3.Session()
            client = session.client(
                "dynamodb", config=Config(retries={"mode": "standard", "max_attempts": 6})
            )
        except BotoCoreError as exc:
            raise DrillCouldNotRun(f"AWS is not configured: {exc}") from None
        return AwsRestoreDrill(client, **self._options).restore(tables)
