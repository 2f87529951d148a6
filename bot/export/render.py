"""Render a `Postmortem` as Markdown, JSON or HTML.

JSON is the pydantic model itself (the contract's keys first, indent 2). Markdown and HTML
come from the Jinja2 templates in ./templates, and both are safe against what responders
typed by default, not by remembering a filter:

- HTML: Jinja2 autoescape on every value, a Content-Security-Policy that allows no scripts
  and no outside assets, and only http(s) permalinks become links.
- Markdown: the environment's `finalize` hook runs `escape_md` on every value that is not
  warroom's own Markdown (`MdSafe`), so a title cannot inject a link, image, heading, table
  cell or raw HTML.

In both, a `None` value prints as "unknown": the export never fills a gap with a guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from bot.domain.errors import UsageError
from bot.export import layout
from bot.export.model import ANALYSIS_SECTIONS, Postmortem, SurfaceOutage
from bot.export.text import MdSafe, escape_md, escape_md_block, html_rich, md_rich, slack_to_plain
from bot.export.timefmt import duration_text, hours_text, team_zones, utc_text, zone_text

Format = Literal["md", "json", "html"]
FORMATS: tuple[str, ...] = get_args(Format)

_TEMPLATES = Path(__file__).parent / "templates"
# Kept as is inside a Markdown link target; anything else (spaces, <, >, (, ), quotes) is
# percent-encoded so the URL cannot close the link or add a title.
_URL_SAFE = ":/?#@!$&*+,;=%~-._"
_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


CSS_PATH = _TEMPLATES / "postmortem.css"
"""The export's styles, shared with the live incident page (which serves this file)."""


def render(
    postmortem: Postmortem, fmt: Format, zones: Sequence[str], reader_zone: str | None = None
) -> str:
    """The postmortem as text in `fmt`, with every instant shown in UTC and in `zones`.

    `zones` are IANA names (WARROOM_TEAM_TIMEZONES); they are also recorded in the JSON as
    `team_timezones`. Instants read first in `reader_zone` (default: the first team zone),
    then in the other team zones and UTC. An unknown zone raises `InvalidTime`; an unknown
    format `UsageError`.
    """
    if fmt not in FORMATS:
        raise UsageError(f"`{fmt}` is not an export format. Use one of: {', '.join(FORMATS)}.")
    tz = team_zones(zones)
    postmortem = postmortem.model_copy(update={"team_timezones": [z.key for z in tz]})
    if fmt == "json":
        return postmortem.model_dump_json(indent=2) + "\n"
    reading = team_zones([reader_zone]) if reader_zone else []
    ordered = reading + [z for z in tz if z not in reading]
    template = _environment(fmt).get_template(f"postmortem.{fmt}.j2")
    return template.render(
        pm=postmortem,
        zones=tz,
        view=_View.of(postmortem, ordered),
        css=_css(),
        moment=functools.partial(layout.moment, zones=ordered),
    )


@functools.cache
def _css() -> Markup:
    return Markup(CSS_PATH.read_text(encoding="utf-8"))  # noqa: S704 - our own file


@dataclass(frozen=True)
class _Row:
    label: str
    value: Any


@dataclass(frozen=True)
class _View:
    """The labelled rows both templates show, so Markdown and HTML say the same things."""

    key_times: list[_Row]
    durations: list[_Row]
    rows: list[layout.Row]
    summary: layout.Section
    impact: layout.Section
    analysis_before: list[layout.Section]
    analysis_after: list[layout.Section]
    reader_zone: str
    other_zones: str
    review_status: str
    resolved: bool
    outages: dict[str, str]

    def outage(self, surface: str) -> str:
        return self.outages.get(surface, "")

    def final_state(self, state: str) -> str:
        """A resolved incident's roster reads as it stood at the end: nobody is "needed"
        any more, they were needed until it was resolved."""
        return "needed until resolved" if self.resolved and state == "needed" else state

    @classmethod
    def of(cls, pm: Postmortem, zones: Sequence[Any] = ()) -> _View:
        kt, m = pm.key_times, pm.metrics
        written = sum(1 for key in ANALYSIS_SECTIONS if getattr(pm.analysis, key))
        names = [z.key for z in zones]
        return cls(
            rows=layout.timeline_rows(pm),
            summary=layout.sections(pm, ["summary"])[0],
            impact=layout.sections(pm, ["impact"])[0],
            analysis_before=layout.sections(
                pm, ["trigger", "root_cause", "contributing_factors", "detection", "resolution"]
            ),
            analysis_after=layout.sections(pm, ["went_well", "went_wrong", "lucky"]),
            reader_zone=names[0] if names else "UTC",
            other_zones=", ".join([*names[1:], "UTC"]) if names else "",
            review_status=(
                f"draft: {written} of {len(ANALYSIS_SECTIONS)} analysis sections written"
                if written < len(ANALYSIS_SECTIONS)
                else "all analysis sections written; ready for review"
            ),
            resolved=pm.incident.resolved_at is not None,
            outages={o.surface: _outage_text(o) for o in pm.metrics.surface_outages},
            key_times=[
                _Row(MdSafe("First timeline entry"), kt.first_entry_at),
                _Row(MdSafe("Declared"), kt.declared_at),
                _Row(MdSafe("AWS support case opened"), kt.support_case_opened_at),
                _Row(MdSafe("First AWS response"), kt.first_support_response_at),
                _Row(MdSafe("Mitigated (status to monitoring)"), kt.mitigated_at),
                _Row(MdSafe("Resolved"), kt.resolved_at),
            ],
            durations=[
                _Row(MdSafe("Time to declare (first entry to declared)"), m.time_to_declare),
                _Row(
                    MdSafe("Time to open the AWS support case (declared to opened)"),
                    m.time_to_support_case,
                ),
                _Row(
                    MdSafe("Time to first AWS response (opened to first response)"),
                    m.time_to_support_response,
                ),
                _Row(MdSafe("Time to resolve (declared to resolved)"), m.time_to_resolve),
            ],
        )


def _outage_text(outage: SurfaceOutage) -> str:
    """`down 3 h 20 min, degraded 12 min`, or `never down`."""
    parts = [
        f"{label} {duration_text(seconds)}"
        for label, seconds in (("down", outage.down_seconds), ("degraded", outage.degraded_seconds))
        if seconds > 0
    ]
    return ", ".join(parts) or "never down"


@functools.cache
def _environment(fmt: str) -> Environment:
    """One Jinja2 environment per format, built on first use (no work at import time)."""
    common: dict[str, Any] = {
        "loader": FileSystemLoader(_TEMPLATES),
        "undefined": StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    if fmt == "html":
        env = Environment(autoescape=True, finalize=_html_finalize, **common)
        env.filters["block"] = lambda text: text
        env.filters["rich"] = lambda text: None if text is None else html_rich(text)
    else:
        env = Environment(autoescape=False, finalize=_md_finalize, **common)  # noqa: S701
        env.filters["block"] = _md_block
        env.filters["mdlink"] = _md_link
        env.filters["rich"] = lambda text: None if text is None else md_rich(text)
        # Output of the template's own macros, already escaped piece by piece.
        env.filters["ours"] = MdSafe
    env.filters.update(
        utc=utc_text,
        inzone=zone_text,
        duration=duration_text,
        hours=hours_text,
        user=_user,
        plain=_plain,
        weburl=_web_url,
    )
    return env


def _md_finalize(value: Any) -> Any:
    if value is None:
        return MdSafe("_unknown_")
    if type(value) is MdSafe:
        return value
    return escape_md(value if type(value) is str else str(value))


def _html_finalize(value: Any) -> Any:
    if value is None:
        return Markup('<span class="unknown">unknown</span>')
    return value


def _md_block(text: str | None) -> MdSafe | None:
    return None if text is None else escape_md_block(text)


def _md_link(url: str | None) -> MdSafe | None:
    """`[link](url)` with every character that could end or bend the link percent-encoded."""
    safe_url = _web_url(url)
    if safe_url is None:
        return None
    return MdSafe(f"[link]({quote(safe_url, safe=_URL_SAFE)})")


def _names(context: Context) -> Mapping[str, str]:
    postmortem = context.get("pm")
    return postmortem.people if isinstance(postmortem, Postmortem) else {}


@pass_context
def _plain(context: Context, text: str | None) -> str | None:
    return None if text is None else slack_to_plain(text, _names(context))


@pass_context
def _user(context: Context, user: str | None) -> str | None:
    """A Slack user id reads as `@name` when warroom knows the name, else `@U0CMDR`;
    anything else (`AWS Support`) as written."""
    if user is None:
        return None
    if _SLACK_USER_ID.match(user):
        return "@" + _names(context).get(user, user)
    return slack_to_plain(user)


def _web_url(url: str | None) -> str | None:
    """Only http(s) URLs become links; `javascript:` and friends are dropped."""
    if url is None:
        return None
    return url if urlsplit(url).scheme in {"http", "https"} else None
