"""Sign in with Slack (OpenID Connect) for incident pages.

`/signin?next=...` stores a fresh state and nonce in a signed, short-lived cookie and sends
the browser to Slack's authorize page. `/signin/callback` checks the state against that
cookie, exchanges the code (`openid.connect.token`), checks the id token's audience, nonce,
expiry and workspace (`https://slack.com/team_id` must be the bot's own team), asks
`openid.connect.userInfo` who it is, and sets the session cookie.

The id token is read, not signature-checked: it comes straight from Slack's token endpoint
over the connection warroom opened (OpenID Connect Core 3.1.3.7 allows TLS to stand in for
the signature then).
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.web import http
from bot.web.links import SESSION_MAX_AGE, SIGNIN_MAX_AGE, Signer

log = logging.getLogger(__name__)
SESSION_COOKIE = "warroom_session"
ATTEMPT_COOKIE = "warroom_signin"
TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"
_NEXT = re.compile(r"^/incidents/INC-\d{1,9}$")


class SignIn:
    def __init__(
        self,
        *,
        signer: Signer,
        client_id: str,
        client_secret: str,
        public_url: str,
        authorize_url: str,
        api_url: str | None,
        team_id: Callable[[], str | None],
    ) -> None:
        self.signer = signer
        self.client_id = client_id
        self.client_secret = client_secret
        self.public_url = public_url
        self.authorize_url = authorize_url
        self.api_url = api_url
        self.team_id = team_id
        self.secure = public_url.startswith("https://")

    @property
    def redirect_uri(self) -> str:
        return f"{self.public_url}/signin/callback"

    def start_url(self, next_path: str) -> str:
        return "/signin?" + urlencode({"next": next_path})

    def member(self, session: str) -> str | None:
        """The signed-in member's name, if the session is valid and for our workspace."""
        data = self.signer.read_session(session)
        if not data or data.get("team") != self.team_id():
            return None
        return str(data.get("name") or data.get("user"))

    def handle(self, request: http.Request) -> http.Response:
        if request.path == "/signin":
            return self.start(request)
        if request.path == "/signin/callback":
            return self.callback(request)
        return http.text("not found", "404 Not Found")

    def start(self, request: http.Request) -> http.Response:
        next_path = request.query.get("next", "")
        if not _NEXT.match(next_path):
            return http.text("sign in from an incident page", "400 Bad Request")
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        attempt = http.cookie(
            ATTEMPT_COOKIE,
            self.signer.signin_attempt(state, nonce, next_path),
            max_age=SIGNIN_MAX_AGE,
            secure=self.secure,
            path="/signin",
        )
        query = {
            "response_type": "code",
            "scope": "openid profile",
            "client_id": self.client_id,
            "state": state,
            "nonce": nonce,
            "redirect_uri": self.redirect_uri,
        }
        team = self.team_id()
        if team:
            query["team"] = team
        return http.redirect(f"{self.authorize_url}?{urlencode(query)}", [attempt])

    def callback(self, request: http.Request) -> http.Response:
        attempt = self.signer.read_signin_attempt(request.cookies.get(ATTEMPT_COOKIE, ""))
        state = request.query.get("state", "")
        if attempt is None or not hmac.compare_digest(str(attempt.get("state")), state):
            return _forbidden("The sign-in could not be checked (state). Start again.")
        code = request.query.get("code")
        if not code:
            return _forbidden("Slack did not sign you in.")
        try:
            client = WebClient(base_url=self.api_url) if self.api_url else WebClient()
            answer = client.openid_connect_token(
                client_id=self.client_id,
                client_secret=self.client_secret,
                code=code,
                redirect_uri=self.redirect_uri,
            )
            claims = _claims(str(answer.get("id_token", "")))
            info = WebClient(
                token=str(answer.get("access_token")), base_url=client.base_url
            ).openid_connect_userInfo()
        except (SlackApiError, SlackRequestError, OSError, ValueError) as error:
            log.warning("sign in with Slack failed: %s", type(error).__name__)
            return _forbidden("Slack did not confirm the sign-in.")
        problem = self._check(claims, info.data if isinstance(info.data, dict) else {}, attempt)
        if problem:
            return _forbidden(problem)
        user = str(claims.get(USER_CLAIM) or claims.get("sub"))
        name = str(info.get("name") or claims.get("name") or user)
        session = http.cookie(
            SESSION_COOKIE,
            self.signer.session(user, str(claims[TEAM_CLAIM]), name),
            max_age=SESSION_MAX_AGE,
            secure=self.secure,
        )
        clear = http.cookie(ATTEMPT_COOKIE, "", max_age=0, secure=self.secure, path="/signin")
        return http.redirect(str(attempt["next"]), [session, clear])

    def _check(
        self, claims: dict[str, Any], info: dict[str, Any], attempt: dict[str, Any]
    ) -> str | None:
        if claims.get("aud") != self.client_id:
            return "The sign-in was for another app."
        if not hmac.compare_digest(str(claims.get("nonce", "")), str(attempt.get("nonce"))):
            return "The sign-in could not be checked (nonce). Start again."
        if int(claims.get("exp", 0)) < time.time():
            return "The sign-in expired. Start again."
        team = self.team_id()
        if team is None or claims.get(TEAM_CLAIM) != team or info.get(TEAM_CLAIM) != team:
            return "Incident pages are open to members of this Slack workspace only."
        return None


def _claims(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    claims = json.loads(base64.urlsafe_b64decode(padded))
    if not isinstance(claims, dict):
        raise ValueError("not a JWT payload")
    return claims


def _forbidden(message: str) -> http.Response:
    from bot.web.render import render_refusal

    return http.html(render_refusal(message), "403 Forbidden")
