"""The demo's stakeholder updates and its live page: the scenes that post updates, and
`warroom demo --serve`, which keeps the bot and the emulators running after the story and
prints the incident page's signed link (Sign in with Slack works against the emulator)."""

from __future__ import annotations

import contextlib
import secrets
import signal
import socket
import threading
from typing import TYPE_CHECKING, Any

from bot.sandbox.slack_oidc import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET

if TYPE_CHECKING:
    from bot.sandbox.demo import Scene


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings(port: int, scene: Scene) -> dict[str, Any]:
    """Updates go to #stakeholders; the page on this machine, with a fresh secret each run
    and sign-in via the emulator."""
    return {
        "warroom_stakeholder_channel": scene.stakeholders,
        "warroom_public_url": f"http://127.0.0.1:{port}",
        "warroom_page_secret": secrets.token_urlsafe(32),
        "warroom_signin_client_id": LOCAL_CLIENT_ID,
        "warroom_signin_client_secret": LOCAL_CLIENT_SECRET,
    }


def tell_stakeholders(scene: Scene) -> None:
    scene.at("The CEO asks on the call what is going on; Ada posts an update instead", minutes=2)
    scene.type(
        "U0ADA",
        "update Production is down: the API stack and its DynamoDB tables were deleted. "
        "AWS support case opening now. Customers cannot log in. Next update in 30 minutes; "
        "no need to stay on the call for it.",
    )


def tell_stakeholders_it_is_back(scene: Scene) -> None:
    scene.at("Stakeholders hear it is back without joining the call", minutes=1)
    scene.type(
        "U0ADA",
        "update Orders are restored from AWS's internal backup and the stack is redeployed. "
        "Monitoring for an hour before we resolve.",
    )


def keep_serving(scene: Scene) -> None:
    """Print the page's link and wait for Ctrl-C (or SIGTERM)."""
    links = scene.bot.runtime.ctx.page_links
    assert links is not None
    print("")
    print("warroom demo --serve: the bot and the emulators keep running.")
    print(f"Incident page (signed link, 24 h): {links.signed_link(1)}")
    print(
        f"Or sign in with Slack (emulator): {scene.bot.server.url}/incidents/INC-1",
        flush=True,
    )
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
