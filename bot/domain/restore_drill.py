"""Restore drills: proof that a DynamoDB table comes back, and how long it takes.

A readiness check can say point-in-time recovery is on; only a restore shows that the data
returns and what the recovery time (RTO) is. A drill restores each table into a scratch
table `<name>-warroom-drill-<YYYYMMDDHHMM>`, compares it with the source and deletes it.

The scratch name is also the guard: nothing in warroom deletes a table whose name does not
carry `-warroom-drill-` (`is_scratch_table`), so a bug can never drop the source.

Exit codes (`warroom drill restore`, as CONTRACT.md fixes them): 0 every table restored and
matched, 1 any table failed, 2 the drill could not run (no credentials, nothing to drill,
or every problem was AWS refusing to answer rather than a restore going wrong).

Pure: no AWS here (the adapter is `bot.aws.restore_drill`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import ensure_utc
from bot.domain.errors import WarroomError
from bot.domain.readiness import Check, CheckResult, Outcome

DRILL_SUFFIX = "-warroom-drill-"
MAX_TABLE_NAME = 255  # DynamoDB's limit on a table name

EXIT_ALL_RESTORED = 0
EXIT_SOME_FAILED = 1
EXIT_COULD_NOT_RUN = 2

# What keeps a drill cheap and bounded by default.
DEFAULT_SAMPLE_SIZE = 25
DEFAULT_MAX_ITEMS = 100_000
# Readiness wants a successful drill of every PITR table at least this recently.
DRILL_MAX_AGE = timedelta(days=30)


class DrillCouldNotRun(WarroomError):
    """The drill could not start at all (AWS not configured, listing tables refused)."""


class NotAScratchTable(Exception):
    """Refused: the table's name does not carry the drill suffix, so it is not ours."""


def scratch_table_name(source: str, at: datetime) -> str:
    """`orders` at 2026-09-16 13:38 UTC -> `orders-warroom-drill-202609161338`."""
    stamp = ensure_utc(at).strftime("%Y%m%d%H%M")
    tail = f"{DRILL_SUFFIX}{stamp}"
    return source[: MAX_TABLE_NAME - len(tail)] + tail


def is_scratch_table(name: str) -> bool:
    """Only a name with the drill suffix followed by its 12-digit stamp is a scratch table."""
    head, sep, stamp = name.rpartition(DRILL_SUFFIX)
    return bool(head) and bool(sep) and len(stamp) == 12 and stamp.isdigit()


def require_scratch_table(name: str) -> str:
    if not is_scratch_table(name):
        raise NotAScratchTable(
            f"refusing to delete or change table {name!r}: only tables named "
            f"`<name>{DRILL_SUFFIX}<YYYYMMDDHHMM>` are restore-drill scratch tables"
        )
    return name


def enable_pitr_command(table: str) -> str:
    return (
        f"aws dynamodb update-continuous-backups --table-name {table} "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"
    )


@dataclass(frozen=True)
class RestoreResult:
    """One table's drill. `could_not_run` marks AWS refusing to answer (denied, throttled),
    which is not the same as a restore that went wrong; it is not part of the JSON."""

    table: str
    restored: bool
    rto_seconds: float | None = None
    source_items: int | None = None
    restored_items: int | None = None
    sample_checked: int = 0
    sample_matched: int = 0
    error: str | None = None
    could_not_run: bool = False

    @property
    def matched(self) -> bool:
        """Restored, same item count, and every sampled item came back the same."""
        return (
            self.restored
            and self.error is None
            and self.source_items is not None
            and self.source_items == self.restored_items
            and self.sample_checked == self.sample_matched
        )

    def to_json(self) -> dict[str, object]:
        return {
            "table": self.table,
            "restored": self.restored,
            "rto_seconds": self.rto_seconds,
            "source_items": self.source_items,
            "restored_items": self.restored_items,
            "sample_checked": self.sample_checked,
            "sample_matched": self.sample_matched,
            "error": self.error,
        }


def exit_code(results: Sequence[RestoreResult]) -> int:
    if not results:
        return EXIT_COULD_NOT_RUN
    if any(not r.matched and not r.could_not_run for r in results):
        return EXIT_SOME_FAILED
    if any(r.could_not_run for r in results):
        return EXIT_COULD_NOT_RUN
    return EXIT_ALL_RESTORED


def render_json(results: Sequence[RestoreResult]) -> str:
    return json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False)


def outcome_word(result: RestoreResult) -> str:
    if result.matched:
        return "RESTORED"
    if result.could_not_run:
        return "UNKNOWN"
    return "FAILED"


def rto_text(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def result_line(result: RestoreResult) -> str:
    """One line per table, for a terminal, a timeline entry or a Slack message (the
    caller escapes it for Slack)."""
    if result.matched:
        return (
            f"{result.table}: restored in {rto_text(result.rto_seconds)} (RTO), "
            f"{result.restored_items} items, sample {result.sample_matched}/"
            f"{result.sample_checked} matched"
        )
    parts = [f"{result.table}: restore drill failed"]
    if result.restored:
        parts.append(
            f"restored in {rto_text(result.rto_seconds)}, items {result.source_items} in the "
            f"source vs {result.restored_items} restored, sample {result.sample_matched}/"
            f"{result.sample_checked} matched"
        )
    if result.error:
        parts.append(result.error)
    return ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "")


def render_table(results: Sequence[RestoreResult]) -> str:
    header = ("RESULT", "TABLE", "RTO", "ITEMS (SOURCE/RESTORED)", "SAMPLE", "ERROR")
    rows = [
        (
            outcome_word(r),
            _printable(r.table),
            rto_text(r.rto_seconds),
            f"{_count(r.source_items)}/{_count(r.restored_items)}",
            f"{r.sample_matched}/{r.sample_checked}",
            _printable(r.error or ""),
        )
        for r in results
    ]
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(5)]
    lines = []
    for row in [header, *rows]:
        cells = [row[i].ljust(widths[i]) for i in range(5)]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    if not rows:
        lines.append("(no DynamoDB tables to drill)")
    failed = sum(1 for r in results if not r.matched)
    lines += [
        "",
        f"{len(results) - failed} restored and matched, {failed} not. "
        f"Exit code {exit_code(results)}.",
    ]
    return "\n".join(lines) + "\n"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in text)


def drill_check_results(
    pitr_tables: Sequence[str], last_success: Mapping[str, datetime], now: datetime
) -> list[CheckResult]:
    """Readiness's "restore drill within 30 days": per table with point-in-time recovery
    on, PASS when warroom recorded a matched drill of it within `DRILL_MAX_AGE`."""
    results = []
    for table in pitr_tables:
        when = last_success.get(table)
        if when is not None and ensure_utc(now) - ensure_utc(when) <= DRILL_MAX_AGE:
            days = (ensure_utc(now) - ensure_utc(when)).days
            detail = f"restored and matched in a drill {days} day(s) ago"
            results.append(CheckResult(Check.DYNAMODB_RESTORE_DRILL, Outcome.PASS, detail, table))
            continue
        last = f" (last success {when:%Y-%m-%d})" if when is not None else ""
        results.append(
            CheckResult(
                Check.DYNAMODB_RESTORE_DRILL,
                Outcome.FAIL,
                f"no successful restore drill in the last {DRILL_MAX_AGE.days} days{last}: "
                "point-in-time recovery is on, but nobody has shown the data comes back. "
                f"Fix: `warroom drill restore --table {table}` (weekly in CI, with DATABASE_URL "
                "set so it is recorded)",
                table,
            )
        )
    return results
