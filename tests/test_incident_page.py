"""The incident page over HTTP (no browser): `/incident page`, who gets in, the headers,
escaping, and the poll endpoint."""

from __future__ import annotations

import re
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner

from bot.web.links import Signer
from tests.harness import BotHarness

SECRET = "test-page-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def get(url: str) -> tuple[int, dict[str, str], str]:
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def paged(database_url: str) -> Iterator[BotHarness]:
    port = free_port()
    harness = BotHarness(
        database_url,
        port=port,
        settings={
            "warroom_public_url": f"http://127.0.0.1:{port}",
            "warroom_page_secret": SECRET,
        },
    )
    yield harness
    harness.close()


def page_link(bot: BotHarness, channel: str) -> str:
    reply = bot.command("page", channel=channel)
    found = re.search(r"<(http[^|>]+)\|", reply.json()["text"])
    assert found, reply.json()
    return found.group(1)


def test_page_without_a_public_url_says_so(bot: BotHarness) -> None:
    channel = bot.declare()
    reply = bot.command("page", channel=channel)
    assert reply.json()["response_type"] == "ephemeral"
    assert "WARROOM_PUBLIC_URL is not set" in reply.json()["text"]


def test_the_signed_link_opens_the_page_with_a_strict_csp(paged: BotHarness) -> None:
    channel = paged.declare("sev1 <script>alert(1)</script> & deleted")
    paged.command("log <img src=x onerror=alert(2)> seen", channel=channel)
    link = page_link(paged, channel)
    assert urlsplit(link).path == "/incidents/INC-1"

    status, headers, body = get(link)

    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; deleted" in body
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(2)&gt; seen" in body
    assert re.findall(r"<script[^>]*>", body) == [
        re.search(r'<script src="/static/page.js"[^>]*>', body).group(0)  # type: ignore[union-attr]
    ]
    assert 'href="/static/postmortem.css"' in body
    css_status, css_headers, css = get(f"{paged.server.url}/static/postmortem.css")
    assert css_status == 200 and css_headers["Content-Type"].startswith("text/css")
    assert ".drill" in css


def test_anyone_else_gets_403(paged: BotHarness) -> None:
    channel = paged.declare()
    other = paged.declare("sev2 Another one")
    link = page_link(paged, channel)
    base = paged.server.url

    assert get(f"{base}/incidents/INC-1")[0] == 403
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert get(tampered)[0] == 403
    token = link.split("token=")[1]
    assert get(f"{base}/incidents/INC-2?token={token}")[0] == 403  # another incident
    assert get(f"{base}/incidents/INC-1/state?token={tampered.split('token=')[1]}")[0] == 403
    assert other


def test_an_expired_link_gets_403(paged: BotHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    paged.declare()
    with monkeypatch.context() as patched:
        yesterday = int(time.time()) - 24 * 3600 - 60
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: yesterday)
        old = Signer(SECRET).link_token(1)
    assert get(f"{paged.server.url}/incidents/INC-1?token={old}")[0] == 403
    fresh = Signer(SECRET).link_token(1)
    assert get(f"{paged.server.url}/incidents/INC-1?token={fresh}")[0] == 200


def test_the_poll_reports_a_change_only_when_there_is_one(paged: BotHarness) -> None:
    import json

    channel = paged.declare()
    link = page_link(paged, channel)
    token = link.split("token=")[1]
    state = f"{paged.server.url}/incidents/INC-1/state?token={token}"
    first = json.loads(get(state)[2])
    assert first["changed"] is True and "Incident declared" in first["html"]
    same = json.loads(get(f"{state}&since={first['version']}")[2])
    assert same == {"version": first["version"], "changed": False}

    paged.command("log restore started", channel=channel)
    after = json.loads(get(f"{state}&since={first['version']}")[2])
    assert after["changed"] is True and "restore started" in after["html"]


def test_a_drill_page_says_so_on_top(paged: BotHarness) -> None:
    channel = paged.declare("--drill sev1 Game day")
    _, _, body = get(page_link(paged, channel))
    assert body.index("DRILL") < body.index("<h1>")


def test_with_sign_in_configured_a_stranger_is_sent_to_sign_in(database_url: str) -> None:
    port = free_port()
    harness = BotHarness(
        database_url,
        port=port,
        settings={
            "warroom_public_url": f"http://127.0.0.1:{port}",
            "warroom_page_secret": SECRET,
            "warroom_signin_client_id": "local-signin-client",
            "warroom_signin_client_secret": "local-signin-secret-not-for-production",
        },
    )
    try:
        harness.declare()
        status, headers, _ = get(f"{harness.server.url}/incidents/INC-1")
        assert status == 302 and headers["Location"] == "/signin?next=%2Fincidents%2FINC-1"
    finally:
        harness.close()


def test_sign_in_cookies_are_httponly_lax_and_secure_behind_https() -> None:
    from bot.web.http import Request
    from bot.web.signin import SignIn

    signin = SignIn(
        signer=Signer(SECRET),
        client_id="client",
        client_secret="secret",
        public_url="https://warroom.example.com",
        authorize_url="https://slack.example/openid/connect/authorize",
        api_url=None,
        team_id=lambda: "T0WARROOM",
    )
    response = signin.start(Request("GET", "/signin", {"next": "/incidents/INC-1"}, {}))
    assert response.status.startswith("302")
    headers = dict(response.headers)
    location = headers["Location"]
    assert "redirect_uri=https%3A%2F%2Fwarroom.example.com%2Fsignin%2Fcallback" in location
    assert "state=" in location and "nonce=" in location and "team=T0WARROOM" in location
    flags = headers["Set-Cookie"].split("; ")
    assert {"HttpOnly", "SameSite=Lax", "Secure", "Path=/signin"} <= set(flags)
    # Somewhere else than an incident page is no place to come back to.
    assert signin.start(Request("GET", "/signin", {"next": "https://evil"}, {})).status.startswith(
        "400"
    )
