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

from bot.app.settings import Settings
from bot.aws.readiness_report import build_report
from bot.domain.clock import SystemClock
from bot.domain.errors import AwsNotConfigured
from bot.domain.readiness import EXIT_COULD_NOT_CHECK, render_json, render_table


def cmd_readiness(args: argparse.Namespace, settings: Settings) -> int:
    # botocore announces where it found credentials at INFO; the report is the output.
    logging.getLogger("botocore").setLevel(logging.WARNING)
    try:
        report = build_report(now=SystemClock().now(), strict=args.strict)
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
