"""`warroom serve | socket | demo | postmortem | readiness | drill restore | db upgrade`.

Start-up imports only what the chosen subcommand needs: each command function imports its
own modules, so `warroom --help` loads no bolt, boto3, SQLAlchemy or pydantic
(tests/test_cli_startup.py checks this).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app.runtime import Runtime
    from bot.app.settings import Settings

log = logging.getLogger("warroom")


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # slack_sdk logs request bodies at DEBUG; keep it above that so tokens never reach logs.
    logging.getLogger("slack_sdk").setLevel(logging.WARNING)
    logging.getLogger("slack_bolt").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app.server import HttpServer

    runtime = _build_runtime(settings)
    server = HttpServer(runtime, host=args.host, port=args.port, threads=args.threads)
    runtime.start_jobs()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    log.info(
        "warroom serving on http://%s:%s (POST /slack/events, GET /healthz)", args.host, server.port
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        runtime.close()
    return 0


def _build_runtime(settings: Settings, *, require_signing_secret: bool = True) -> Runtime:
    """The bot with its AWS adapters: Support, Health and restore drills (boto3's chain)."""
    from bot.app.runtime import Runtime
    from bot.aws.health import AwsHealth
    from bot.aws.restore_drill import LazyRestoreDrill
    from bot.aws.support import AwsSupport

    return Runtime.build(
        settings,
        support=AwsSupport(),
        health=AwsHealth(),
        restore_drills=LazyRestoreDrill(),
        require_signing_secret=require_signing_secret,
    )


def _exit_on_signal(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds `server.run()` into the clean shutdown in `finally`


def cmd_socket(args: argparse.Namespace, settings: Settings) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler


    settings.require("slack_app_token")
    runtime = _build_runtime(settings, require_signing_secret=False)
    runtime.start_jobs()
    token = settings.slack_app_token.get_secret_value()  # type: ignore[union-attr]
    try:
        SocketModeHandler(runtime.app, token).start()  # type: ignore[no-untyped-call]
    finally:
        runtime.close()
    return 0


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.db import Database

    if args.action == "upgrade":
        db = Database(settings.database_url)
        db.upgrade()
        print(f"database is at the latest schema ({db.dialect})")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.demo import run_demo

    return run_demo(args.out, serve=args.serve, port=args.port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server behind an LB
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--threads", type=int, default=16)
    serve.set_defaults(run=cmd_serve)

    socket = sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    socket.set_defaults(run=cmd_socket)

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
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(run=cmd_db)

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
    _setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        return int(args.run(args, settings))
    except SettingsError as error:
        print(f"warroom: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
