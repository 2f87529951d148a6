"""`warroom --help` imports only what it needs (issue 11): no bolt, boto3, SQLAlchemy,
pydantic or Jinja2 until a subcommand that uses them runs. Checked by the modules loaded,
in a fresh interpreter, not by timing."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = (
    "slack_bolt",
    "slack_sdk",
    "boto3",
    "botocore",
    "sqlalchemy",
    "alembic",
    "pydantic",
    "pydantic_settings",
    "jinja2",
    "dateutil",
)

PROBE = f"""
import contextlib, io, json, sys
from bot.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
heavy = {HEAVY!r}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))))
"""


def loaded_by(*argv: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_imports_no_adapter_or_framework() -> None:
    assert loaded_by("--help") == []


def test_a_subcommands_help_imports_nothing_heavy_either() -> None:
    assert loaded_by("postmortem", "--help") == []
    assert loaded_by("readiness", "--help") == []


def test_the_postmortem_formats_are_the_exports_own() -> None:
    from bot.cli.postmortem import FORMATS as CLI_FORMATS
    from bot.export.render import FORMATS

    assert tuple(CLI_FORMATS) == tuple(FORMATS)
