"""Sign in with Slack (OpenID Connect) in the local Slack emulator.

Three endpoints, as Slack serves them: the authorize page (a person picks who they are,
the browser goes back to the app's redirect URI with a one-time code and the app's
state), `openid.connect.token` (code + client credentials, HTTP Basic, for an access token
and an id token carrying the nonce and `https://slack.com/team_id`) and
`openid.connect.userInfo` (the access token's identity). The id token is a JWT signed with
the client secret (HS256); warroom reads it straight from the token endpoint, over the
connection it opened, as OpenID Connect allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

AUTHORIZE_PATH = "/openid/connect/authorize"
TEAM_ID = "T0WARROOM"
LOCAL_CLIENT_ID = "local-signin-client"
LOCAL_CLIENT_SECRET = "local-signin-secret-not-for-production"  # noqa: S105


@dataclass
class _Grant:
    user: str
    client_id: str
    redirect_uri: str
    nonce: str | None


@dataclass
class OidcState:
    """Registered clients, outstanding codes, issued tokens; `team_id` can be changed to
    play a user of another workspace."""

    clients: dict[str, str] = field(default_factory=lambda: {LOCAL_CLIENT_ID: LOCAL_CLIENT_SECRET})
    team_id: str = TEAM_ID
    codes: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(claims: dict[str, Any], secret: str) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256)
    return f"{header}.{payload}.{_b64(signature.digest())}"


def authorize_page(query: dict[str, str], users: list[tuple[str, str]]) -> bytes:
    """Who are you? One button per workspace member; every value escaped."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in query.items()
        if k in ("client_id", "redirect_uri", "state", "nonce", "scope")
    )
    buttons = "".join(
        f'<button type="submit" name="user" value="{html.escape(uid)}">'
        f"Continue as {html.escape(name)}</button>"
        for uid, name in users
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sign in with Slack "
        "(local emulator)</title></head><body><h1>Sign in with Slack</h1>"
        f'<form method="post" action="{AUTHORIZE_PATH}">{hidden}{buttons}</form>'
        "</body></html>"
    ).encode()


def approve(state: OidcState, form: dict[str, str]) -> str | None:
    """The redirect back to the app with a code, or None when the request is not valid."""
    client_id, redirect_uri = form.get("client_id", ""), form.get("redirect_uri", "")
    if client_id not in state.clients or not redirect_uri.startswith(("http://", "https://")):
        return None
    code = secrets.token_urlsafe(16)
    with state.lock:
        state.codes[code] = _Grant(
            form.get("user", ""), client_id, redirect_uri, form.get("nonce") or None
        )
    sep = "&" if "?" in redirect_uri else "?"
    return redirect_uri + sep + urlencode({"code": code, "state": form.get("state", "")})


def _basic(auth: str | None) -> tuple[str, str] | None:
    if not auth or not auth.startswith("Basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
    except ValueError:
        return None
    return client_id, secret


def token(
    state: OidcState, params: dict[str, Any], auth: str | None, names: dict[str, str]
) -> dict[str, Any]:
    credentials = _basic(auth) or (
        str(params.get("client_id", "")),
        str(params.get("client_secret", "")),
    )
    client_id, secret = credentials
    if state.clients.get(client_id) != secret or not secret:
        return {"ok": False, "error": "invalid_client_id"}
    with state.lock:
        grant = state.codes.pop(str(params.get("code", "")), None)
    if grant is None or grant.client_id != client_id:
        return {"ok": False, "error": "invalid_code"}
    if params.get("redirect_uri") and params["redirect_uri"] != grant.redirect_uri:
        return {"ok": False, "error": "bad_redirect_uri"}
    access = "xoxp-oidc-" + secrets.token_hex(8)
    with state.lock:
        state.tokens[access] = grant.user
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://slack.com",
        "sub": grant.user,
        "aud": client_id,
        "exp": now + 600,
        "iat": now,
        "auth_time": now,
        "https://slack.com/user_id": grant.user,
        "https://slack.com/team_id": state.team_id,
        "name": names.get(grant.user, grant.user),
    }
    if grant.nonce:
        claims["nonce"] = grant.nonce
    return {
        "ok": True,
        "access_token": access,
        "token_type": "Bearer",
        "id_token": id_token(claims, secret),
    }


def user_info(state: OidcState, auth: str | None, names: dict[str, str]) -> dict[str, Any]:
    access = (auth or "").removeprefix("Bearer ")
    with state.lock:
        user = state.tokens.get(access)
    if user is None:
        return {"ok": False, "error": "invalid_auth"}
    return {
        "ok": True,
        "sub": user,
        "https://slack.com/user_id": user,
        "https://slack.com/team_id": state.team_id,
        "name": names.get(user, user),
    }
