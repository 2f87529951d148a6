"""The incident page's templates. The same filters as the HTML export (people by name,
Slack markup as plain text, times in UTC), autoescaped: every text a responder typed is
shown as text."""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.export.render import _html_finalize, _plain, _user, _web_url
from bot.export.timefmt import humanize_seconds, utc_text
from bot.services.incident_page import PageFacts

WEB = Path(__file__).parent
STATIC = WEB / "static"
EXPORT_CSS = WEB.parent / "export" / "templates" / "postmortem.css"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_html_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        utc=utc_text,
        iso=_iso,
        duration=humanize_seconds,
        user=_user,
        plain=_plain,
        weburl=_web_url,
    )
    return env


@functools.cache
def script_integrity() -> str:
    digest = hashlib.sha384((STATIC / "page.js").read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def _context(facts: PageFacts, zones: list[str], **extra: Any) -> dict[str, Any]:
    return {"f": facts, "pm": facts.postmortem, "zones": zones, **extra}


def render_page(facts: PageFacts, *, zones: list[str], state_url: str, viewer: str) -> str:
    return (
        _environment()
        .get_template("page.html.j2")
        .render(
            _context(
                facts,
                zones,
                state_url=state_url,
                viewer=viewer,
                integrity=script_integrity(),
            )
        )
    )


def render_live(facts: PageFacts, *, zones: list[str]) -> str:
    """The part of the page that refreshes (what the poll sends when something changed)."""
    return _environment().get_template("live.html.j2").render(_context(facts, zones))


def render_refusal(message: str, signin_url: str | None = None) -> str:
    return (
        _environment()
        .get_template("refused.html.j2")
        .render(message=message, signin_url=signin_url)
    )
