"""`warroom postmortem INCIDENT [--format md|json|html] [-o FILE]`: export from the database.

The same export as `/incident postmortem` (bot/services/postmortem.py), read from
DATABASE_URL with the team zones of WARROOM_TEAM_TIMEZONES. Without `-o` the document goes
to stdout, so it pipes; every complaint is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.settings import Settings
    from bot.export.render import Format

# `bot.export.render.FORMATS`, written out so that `warroom --help` need not import the
# export (tests/test_cli_startup.py checks the two agree).
FORMATS = ("md", "json", "html")


def add_postmortem_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "postmortem", help="export an incident's postmortem (Markdown, JSON or HTML)"
    )
    parser.add_argument("incident", metavar="INCIDENT", help="the number (7) or reference (INC-7)")
    parser.add_argument(
        "--format", dest="fmt", choices=FORMATS, default="md", help="default: md (Markdown)"
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.set_defaults(run=run_postmortem)


def run_postmortem(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.domain.clock import SystemClock
    from bot.domain.errors import WarroomError
    from bot.domain.incident import parse_reference
    from bot.services.postmortem import export_incident
    from bot.store.db import Database

    fmt: Format = args.fmt
    db = Database(settings.database_url)
    try:
        number = parse_reference(args.incident)
        exported = export_incident(
            db, number, fmt, zones=settings.warroom_team_timezones, now=SystemClock().now()
        )
    except WarroomError as error:
        return _fail(error.user_message)
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return _fail(f"cannot read the database ({reason}); is DATABASE_URL right and migrated?")
    finally:
        db.dispose()
    if args.output is None:
        sys.stdout.write(exported.content.decode("utf-8"))
        return 0
    try:
        Path(args.output).write_bytes(exported.content)
    except OSError as error:
        return _fail(f"cannot write {args.output}: {error.strerror or error}")
    print(f"warroom: wrote {exported.filename} to {args.output}", file=sys.stderr)
    return 0


def _fail(message: str) -> int:
    print(f"warroom: {message}", file=sys.stderr)
    return 1
