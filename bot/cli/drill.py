"""`warroom drill restore [--table NAME ...] [--format table|json] [--max-items N]`: prove
that DynamoDB tables come back, and how long it takes (run it weekly in CI, beside
`warroom readiness`). Exit 0 every table restored and matched, 1 any failed, 2 could not
run. With DATABASE_URL set, the results are recorded, so `warroom readiness` can tell
whether every PITR table had a successful drill within 30 days.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.domain.restore_drill import DEFAULT_MAX_ITEMS, DEFAULT_SAMPLE_SIZE

if TYPE_CHECKING:
    from bot.app.settings import Settings
    from bot.domain.clock import SystemClock
    from bot.domain.restore_drill import RestoreResult


def cmd_drill_restore(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: `warroom --help` loads no boto3 (tests/test_cli_startup.py).
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    from bot.aws.restore_drill import AwsRestoreDrill
    from bot.domain.clock import SystemClock
    from bot.domain.restore_drill import (
        EXIT_COULD_NOT_RUN,
        DrillCouldNotRun,
        exit_code,
        render_json,
        render_table,
    )

    logging.getLogger("botocore").setLevel(logging.WARNING)
    clock = SystemClock()
    try:
        retries = Config(retries={"mode": "standard", "max_attempts": 6})
        dynamodb = boto3.Session().client("dynamodb", config=retries)
    except BotoCoreError as error:
        print(f"warroom: AWS is not configured: {error}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    drill = AwsRestoreDrill(
        dynamodb,
        clock=clock,
        sample_size=args.sample,
        max_items=args.max_items,
        timeout_seconds=args.timeout_minutes * 60,
    )
    try:
        results = drill.restore(args.table or None)
    except DrillCouldNotRun as error:
        print(f"warroom: {error.user_message}", file=sys.stderr)
        return EXIT_COULD_NOT_RUN
    if "database_url" in settings.model_fields_set and results:
        _record(settings, clock, results)
    if args.format == "json":
        print(render_json(results))
    else:
        sys.stdout.write(render_table(results))
    if not results:
        print("warroom: no DynamoDB tables to drill in this region", file=sys.stderr)
    return exit_code(results)


def _record(settings: Settings, clock: SystemClock, results: Sequence[RestoreResult]) -> None:
    """Recorded for readiness's "restore drill within 30 days"; a database that cannot be
    reached is said on stderr and does not change the drill's own exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.services.restore_drills import record_results
    from bot.store.db import Database

    try:
        db = Database(settings.database_url)
        try:
            db.upgrade()
            record_results(db, clock, results)
        finally:
            db.dispose()
    except SQLAlchemyError as error:
        print(f"warroom: the drill could not be recorded in DATABASE_URL: {error}", file=sys.stderr)


def add_drill_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "drill", help="BC/DR drills that touch real resources", description=__doc__
    )
    sub = parser.add_subparsers(dest="drill", required=True)
    restore = sub.add_parser(
        "restore",
        help="restore DynamoDB tables into scratch tables, compare, time and delete them",
        description=__doc__,
    )
    restore.add_argument(
        "--table",
        action="append",
        metavar="NAME",
        help="a table to drill (repeatable; default: every table, those without "
        "point-in-time recovery reported as failed)",
    )
    restore.add_argument(
        "--format", choices=["table", "json"], default="table", help="output (default: table)"
    )
    restore.add_argument(
        "--max-items",
        type=_positive,
        default=DEFAULT_MAX_ITEMS,
        help="above this many items (DescribeTable's count) compare DescribeTable's counts "
        f"instead of scanning (default: {DEFAULT_MAX_ITEMS})",
    )
    restore.add_argument(
        "--sample",
        type=_positive,
        default=DEFAULT_SAMPLE_SIZE,
        help=f"how many items to read back and compare (default: {DEFAULT_SAMPLE_SIZE})",
    )
    restore.add_argument(
        "--timeout-minutes",
        type=_positive,
        default=240,
        help="how long to wait for a restore to become ACTIVE (default: 240)",
    )
    restore.set_defaults(run=cmd_drill_restore)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value
