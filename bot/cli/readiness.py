"""`warroom readiness [--format table|json]`: the BC/DR audit for a terminal or a CI job.
It prints the report and exits with its code: 0 every check passed (or did not apply),
1 something failed, 2 nothing failed but something could not be checked (so a scheduled
job never goes green having checked nothing). `--strict` is accepted and changes nothing:
it was how the previous release asked for exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from datetime import datetime

    from bot.app.settings import Settings
    from bot.aws.readiness_report import DrillHistory


def cmd_readiness(args: argparse.Namespace, settings: Settings) -> int:
    from bot.aws.readiness_report import build_report
    from bot.domain.clock import SystemClock
    from bot.domain.errors import AwsNotConfigured
    from bot.domain.readiness import EXIT_COULD_NOT_CHECK, render_json, render_table

    # botocore announces where it found credentials at INFO; the report is the output.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    try:
        report = build_report(
            now=SystemClock().now(), strict=args.strict, drill_history=drill_history(settings)
        )
    except AwsNotConfigured as error:
        print(f"warroom: {error.user_message}", file=sys.stderr)
        return EXIT_COULD_NOT_CHECK
    if args.format == "json":
        print(render_json(report))
    else:
        sys.stdout.write(render_table(report))
    return report.exit_code


def add_readiness_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "readiness",
        help="audit the AWS account for BC/DR readiness (exit 0 ready, 1 a gap, 2 unchecked)",
        description=__doc__,
    )
    parser.add_argument(
        "--format", choices=["table", "json"], default="table", help="output (default: table)"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="accepted for compatibility; exit 2 on a check that could not run is the default",
    )
    parser.set_defaults(run=cmd_readiness)


def drill_history(settings: Settings) -> DrillHistory | None:
    """Restore drills are checked only where warroom records them: with DATABASE_URL set
    (the database `warroom drill restore` and the bot record into)."""
    if "database_url" not in settings.model_fields_set:
        return None
    from bot.services.restore_drills import last_successful_drills
    from bot.store.db import Database

    def history(tables: Sequence[str]) -> Mapping[str, datetime]:
        db = Database(settings.database_url)
        try:
            db.upgrade()
            return last_successful_drills(db, tables)
        finally:
            db.dispose()

    return history
