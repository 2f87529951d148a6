"""`warroom serve | socket | demo | postmortem | readiness | drill restore | db upgrade`.

Start-up imports only what the chosen subcommand needs: each command function imports its
own modules, so `warroom --help` loads no bolt, boto3, SQLAlchemy or pydantic
(tests/test_cli_startup.py checks this).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.settings import Settings

log = logging.getLogger("warroom")


def _setup_logging(settings: Settings) -> None:
    from bot.app.logs import setup_logging

    setup_logging(settings.warroom_log_level, settings.warroom_log_format)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.processes import serve

    return serve(args, settings, args.shutdown)


def cmd_socket(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.processes import socket_mode

    return socket_mode(args, settings, args.shutdown)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.lifecycle import database_unreachable
    from bot.app.settings import SettingsError
    from bot.store.db import Database

    if args.action == "upgrade":
        db = Database(settings.database_url)
        try:
            db.upgrade()
        except Exception as error:
            # A one-shot job: say why in one line; the orchestrator runs it again.
            reason = database_unreachable(error)
            if reason is None:
                raise
            raise SettingsError(f"DATABASE_URL: the database is unreachable ({reason})") from None
        finally:
            db.dispose()
        print(f"database is at the latest schema ({db.dialect})")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.demo import run_demo

    return run_demo(args.out, serve=args.serve, port=args.port)


def _default_port() -> int:
    """Containers and platforms hand the port in $PORT; the image's health check asks it."""
    import os

    value = os.environ.get("PORT", "")
    return int(value) if value.isdigit() else 3000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server behind an LB
    serve.add_argument(
        "--port",
        type=int,
        default=_default_port(),
        help="port to listen on (default: $PORT, else 3000)",
    )
    serve.add_argument("--threads", type=int, default=16)
    serve.set_defaults(run=cmd_serve)

    serve.set_defaults(long_running=True)
    socket = sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    socket.set_defaults(run=cmd_socket, long_running=True)

    demo = sub.add_parser("demo", help="replay a whole incident locally, no Slack or AWS needed")
    demo.add_argument("--out", default="warroom-demo", help="folder for the database and files")
    demo.add_argument(
        "--serve",
        action="store_true",
        help="keep the bot and the emulators running after the story; print the page's link",
    )
    demo.add_argument("--port", type=int, default=0, help="with --serve: the bot's port")
    demo.set_defaults(run=cmd_demo, no_settings=True)

    db = sub.add_parser("db", help="database maintenance")
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    upgrade = actions.add_parser(
        "upgrade",
        help="apply the migrations to DATABASE_URL",
        description="Apply every migration to DATABASE_URL (safe to run from several "
        "replicas at once on PostgreSQL). Exit 2 when the database cannot be reached.",
    )
    upgrade.set_defaults(run=cmd_db)

    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands() -> list[Callable[[argparse._SubParsersAction], None]]:  # type: ignore[type-arg]
    """Subcommands of the feature areas, each a function that adds its subparser."""
    from bot.cli.drill import add_drill_command
    from bot.cli.postmortem import add_postmortem_command
    from bot.cli.readiness import add_readiness_command

    return [add_postmortem_command, add_readiness_command, add_drill_command]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    stopped_by: tuple[type[BaseException], ...] = ()
    if getattr(args, "long_running", False):
        from bot.app.lifecycle import Interrupted, Shutdown

        # Before anything else: as PID 1 nobody else handles SIGTERM.
        args.shutdown = Shutdown().install()
        stopped_by = (Interrupted,)
    from bot.app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        _setup_logging(settings)
        return int(args.run(args, settings))
    except SettingsError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2
    except stopped_by:
        if not args.shutdown.announced:  # stopped before logging was even set up
            print(f"warroom: stopped on {args.shutdown.signal_name}", file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
