"""The fixed scenario (INC-1, the product story) rendered in every format, against golden files."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.export.render import render

from .scenario import TEAM_ZONES, postmortem


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_scenario_matches_golden(fmt: str, golden: Callable[[str, str], None]) -> None:
    golden(f"inc-1.{fmt}", render(postmortem(), fmt, TEAM_ZONES))  # type: ignore[arg-type]
