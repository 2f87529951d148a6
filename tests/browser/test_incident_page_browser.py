"""The live incident page in a real browser: the demo incident, the zone switch, a new
entry without a reload, refused links, Sign in with Slack against the emulator, hostile
text."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from bot.sandbox.demo import Scene, play
from bot.sandbox.slack_oidc import LOCAL_CLIENT_ID, LOCAL_CLIENT_SECRET
from tests.harness import COMMANDER, BotHarness

SECRET = "browser-test-page-secret"
NAIROBI = "Africa/Nairobi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def paged(tmp_path: Path) -> Iterator[BotHarness]:
    """A bot with incident pages and Sign in with Slack against the emulator (SQLite)."""
    port = free_port()
    harness = BotHarness(
        f"sqlite:///{tmp_path / 'warroom.db'}",
        port=port,
        settings={
            "warroom_public_url": f"http://127.0.0.1:{port}",
            "warroom_page_secret": SECRET,
            "warroom_signin_client_id": LOCAL_CLIENT_ID,
            "warroom_signin_client_secret": LOCAL_CLIENT_SECRET,
        },
    )
    yield harness
    harness.close()


def link_for(bot: BotHarness, channel: str) -> str:
    text = bot.command("page", channel=channel).json()["text"]
    found = re.search(r"<(http[^|>]+)\|", text)
    assert found, text
    return found.group(1)


def shown_times(page: Any) -> list[tuple[str, str, str]]:
    times: list[tuple[str, str, str]] = page.eval_on_selector_all(
        "time[data-at]",
        "els => els.map(e => [e.getAttribute('data-at'), e.getAttribute('data-zone'),"
        " e.textContent])",
    )
    return times


def expected(iso: str, zone: str) -> str:
    local = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    return f"{local:%Y-%m-%d %H:%M}"


def test_the_page_renders_the_demo_incident(
    tmp_path: Path, page: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    scene = Scene(tmp_path)
    try:
        play(scene)
        capsys.readouterr()
        links = scene.bot.runtime.ctx.page_links
        assert links is not None
        page.goto(links.signed_link(1))
        expect(page.locator("h1")).to_have_text("INC-1: Production environment deleted")
        expect(page.locator("#facts")).to_contain_text("resolved")
        expect(page.locator("#facts")).to_contain_text("@ada")
        expect(page.locator("#latest-update")).to_contain_text("Orders are restored")
        expect(page.locator("#roster .roster-standby")).to_contain_text("@amara")
        expect(page.locator("#support")).to_contain_text("urgent")
        expect(page.locator("#timeline")).to_contain_text("We have lost everything")
        rows = page.locator("#timeline tbody tr")
        assert rows.count() > 15
        # Oldest first: the 03:20 PDT deploy is the first row.
        expect(rows.first).to_contain_text("Deploy of the API stack started")
        assert page.errors == []
    finally:
        scene.close()


def test_switching_the_zone_changes_every_time_shown(paged: BotHarness, page: Any) -> None:
    channel = paged.declare()
    paged.command("log 2h ago | deploy started", channel=channel)
    paged.command("update Looking into it", channel=channel)
    page.goto(link_for(paged, channel))

    times = shown_times(page)
    assert len(times) >= 4
    for iso, zone, text in times:  # the browser's zone by default
        assert zone == "America/Los_Angeles" and text.startswith(expected(iso, zone))
    expect(page.locator("#zone-shown")).to_have_text("America/Los_Angeles")

    for choice in (NAIROBI, "UTC", "Africa/Accra", NAIROBI):
        page.select_option("#zone", choice)
        for iso, zone, text in shown_times(page):
            assert zone == choice and text.startswith(expected(iso, choice)), (iso, text)
    assert "EAT" in shown_times(page)[0][2] or "GMT+3" in shown_times(page)[0][2]
    assert page.errors == []


def test_a_new_log_appears_within_ten_seconds_in_the_chosen_zone(
    paged: BotHarness, page: Any
) -> None:
    channel = paged.declare()
    page.goto(link_for(paged, channel))
    page.select_option("#zone", NAIROBI)

    paged.command("log the restore job is running", channel=channel)

    row = page.locator("#timeline tbody tr", has_text="the restore job is running")
    expect(row).to_have_count(1, timeout=10_000)
    iso, zone, text = shown_times(page)[-1]
    assert zone == NAIROBI and text.startswith(expected(iso, NAIROBI))
    assert page.errors == []


def test_a_tampered_or_expired_link_gets_403(paged: BotHarness, page: Any) -> None:
    channel = paged.declare()
    link = link_for(paged, channel)
    tampered = link[:-2] + ("xy" if not link.endswith("xy") else "yz")
    assert page.goto(tampered).status == 403
    assert page.goto(link.replace("INC-1", "INC-2")).status == 403
    expired = "InRva2VuIg.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb"
    assert page.goto(f"{paged.server.url}/incidents/INC-1?token={expired}").status == 403
    assert page.goto(link).status == 200


def test_sign_in_with_slack_against_the_emulator_lands_on_the_page(
    paged: BotHarness, page: Any
) -> None:
    channel = paged.declare()
    page.goto(f"{paged.server.url}/incidents/INC-1")
    # The emulator's authorize page: pick who you are.
    expect(page.locator("h1")).to_have_text("Sign in with Slack")
    page.click(f"button[value='{COMMANDER}']")

    expect(page.locator("h1")).to_have_text("INC-1: Production environment deleted")
    assert page.url == f"{paged.server.url}/incidents/INC-1"
    expect(page.locator(".viewer")).to_contain_text("Signed in as ada")
    cookie = next(c for c in page.context.cookies() if c["name"] == "warroom_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    page.select_option("#zone", NAIROBI)  # the poll works with the session too
    paged.command("log seen after sign-in", channel=channel)
    expect(page.locator("#timeline")).to_contain_text("seen after sign-in", timeout=10_000)


def test_a_member_of_another_workspace_is_refused(paged: BotHarness, page: Any) -> None:
    paged.declare()
    paged.slack.state.oidc.team_id = "T0OTHER"
    page.goto(f"{paged.server.url}/incidents/INC-1")
    page.click(f"button[value='{COMMANDER}']")
    expect(page.locator("body")).to_contain_text("members of this Slack workspace only")
    assert all(c["name"] != "warroom_session" for c in page.context.cookies())


def test_a_forged_state_is_refused(paged: BotHarness, page: Any) -> None:
    paged.declare()
    response = page.goto(f"{paged.server.url}/signin/callback?code=x&state=forged")
    assert response.status == 403


def test_hostile_text_shows_as_text(paged: BotHarness, page: Any) -> None:
    hostile = "<img src=x onerror=\"document.title='pwned'\"><script>alert(1)</script>"
    channel = paged.declare(f"sev1 {hostile}")
    paged.command(f"log {hostile}", channel=channel)
    paged.command(f"update {hostile}", channel=channel)
    page.goto(link_for(paged, channel))

    expect(page.locator("h1")).to_have_text(f"INC-1: {hostile}")
    expect(page.locator("#latest-update")).to_contain_text(hostile)
    assert page.locator("#live img").count() == 0
    assert page.locator("#live script").count() == 0
    assert page.title() != "pwned"
    paged.command("log one more", channel=channel)  # the refreshed part is escaped too
    expect(page.locator("#timeline")).to_contain_text("one more", timeout=10_000)
    assert page.locator("#live img").count() == 0 and page.title() != "pwned"
