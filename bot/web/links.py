"""Signed links and cookies (itsdangerous), each with its own salt so a value signed for
one purpose is never accepted for another.

A page link carries the incident number and is valid for 24 hours: it opens that
incident's page only. A session (after Sign in with Slack) names the member and their
workspace. The sign-in cookie holds the state and nonce of one sign-in attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.app.settings import Settings
from bot.domain.incident import reference

LINK_MAX_AGE = 24 * 3600
SESSION_MAX_AGE = 12 * 3600
SIGNIN_MAX_AGE = 10 * 60


class Signer:
    def __init__(self, secret: str) -> None:
        self._link = URLSafeTimedSerializer(secret, salt="warroom-incident-page-link")
        self._session = URLSafeTimedSerializer(secret, salt="warroom-session")
        self._signin = URLSafeTimedSerializer(secret, salt="warroom-signin-attempt")

    def link_token(self, number: int) -> str:
        return self._link.dumps({"incident": number})

    def link_opens(self, token: str, number: int) -> bool:
        """True only for an untampered, unexpired token for this very incident."""
        data = _load(self._link, token, LINK_MAX_AGE)
        return isinstance(data, dict) and data.get("incident") == number

    def session(self, user: str, team: str, name: str) -> str:
        return self._session.dumps({"user": user, "team": team, "name": name})

    def read_session(self, value: str) -> dict[str, Any] | None:
        data = _load(self._session, value, SESSION_MAX_AGE)
        return data if isinstance(data, dict) else None

    def signin_attempt(self, state: str, nonce: str, next_path: str) -> str:
        return self._signin.dumps({"state": state, "nonce": nonce, "next": next_path})

    def read_signin_attempt(self, value: str) -> dict[str, Any] | None:
        data = _load(self._signin, value, SIGNIN_MAX_AGE)
        return data if isinstance(data, dict) else None


def _load(serializer: URLSafeTimedSerializer, value: str, max_age: int) -> Any:
    try:
        return serializer.loads(value, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None


@dataclass(frozen=True)
class PageLinks:
    """The `PageLinks` port: `/incident page` asks it for the asker's link."""

    public_url: str
    signer: Signer

    def signed_link(self, number: int) -> str:
        token = self.signer.link_token(number)
        return f"{self.public_url}/incidents/{reference(number)}?token={token}"


def signer_from(settings: Settings) -> Signer | None:
    secret = settings.warroom_page_secret
    return Signer(secret.get_secret_value()) if secret else None


def page_links_from(settings: Settings) -> PageLinks | None:
    signer = signer_from(settings)
    if settings.warroom_public_url is None or signer is None:
        return None
    return PageLinks(settings.warroom_public_url, signer)
