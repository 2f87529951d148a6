"""Builds the web routes from the settings: signed links always (when a page secret is
set), Sign in with Slack when its client id and secret are set too."""

from __future__ import annotations

import threading
from urllib.parse import urljoin

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.app.settings import Settings
from bot.services.context import ServiceContext
from bot.web.links import signer_from
from bot.web.pages import Pages
from bot.web.signin import SignIn

SLACK_AUTHORIZE_URL = "https://slack.com/openid/connect/authorize"


def authorize_url(slack_api_url: str | None) -> str:
    """Slack's authorize page; beside the Web API of a local emulator when one is set."""
    if slack_api_url:
        return urljoin(slack_api_url, "../openid/connect/authorize")
    return SLACK_AUTHORIZE_URL


class WorkspaceTeam:
    """The bot's own team id (auth.test), asked once and kept."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._team: str | None = None
        self._lock = threading.Lock()

    def __call__(self) -> str | None:
        with self._lock:
            if self._team is None:
                try:
                    self._team = str(self.client.auth_test().get("team_id") or "") or None
                except (SlackApiError, SlackRequestError, OSError):
                    return None
            return self._team


def build_pages(ctx: ServiceContext, settings: Settings, client: WebClient) -> Pages:
    signer = signer_from(settings)
    signin = None
    client_id, client_secret = (
        settings.warroom_signin_client_id,
        settings.warroom_signin_client_secret,
    )
    if signer and client_id and client_secret and settings.warroom_public_url:
        signin = SignIn(
            signer=signer,
            client_id=client_id,
            client_secret=client_secret.get_secret_value(),
            public_url=settings.warroom_public_url,
            authorize_url=authorize_url(settings.slack_api_url),
            api_url=settings.slack_api_url,
            team_id=WorkspaceTeam(client),
        )
    return Pages(ctx, signer, signin)
