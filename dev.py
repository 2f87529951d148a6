#!/usr/bin/env python3
"""Set up and run warroom on a fresh machine with nothing but Python 3.11+.

    python3 dev.py demo     # replay a whole incident locally (no Slack, no AWS, no tokens)
    python3 dev.py test     # the whole test suite (SQLite and PostgreSQL), then the checks:
                            # ruff, mypy --strict on bot/, import-linter (DESIGN's layers)
    python3 dev.py lock     # regenerate constraints.txt after changing dependencies

Both create `.venv/` on first use and install the project with its dev extras from this
repository's own pyproject.toml, pinned by constraints.txt; later runs reinstall only when
either changed. Extra arguments go to `warroom demo` or to pytest.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if sys.platform == "win32" else "bin")
PYTHON = BIN / ("python.exe" if sys.platform == "win32" else "python")
STAMP = VENV / ".warroom-installed"
CONSTRAINTS = "constraints.txt"


def run(*args: str | Path) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT)  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit(f"warroom needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256(
        (ROOT / "pyproject.toml").read_bytes() + (ROOT / CONSTRAINTS).read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing warroom and its dev dependencies into .venv ...", flush=True)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-c", ROOT / CONSTRAINTS, "-e", f"{ROOT}[dev]")
    STAMP.write_text(wanted)


def lock() -> None:
    """Pin every package `.[dev]` installs, resolved afresh in a throw-away venv (so the
    pins are what a clean machine gets today), into constraints.txt."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "venv"
        venv.EnvBuilder(with_pip=True).create(fresh)
        python = fresh / BIN.name / PYTHON.name
        run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(python, "-m", "pip", "install", "--quiet", f"{ROOT}[dev]")
        frozen = subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "freeze", "--exclude-editable", "--exclude", "warroom"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    header = (
        "# Every package warroom and its dev extras install, pinned. Used by dev.py, .ci/run\n"
        "# and the Dockerfile. Regenerate after changing dependencies: python3 dev.py lock\n"
    )
    (ROOT / CONSTRAINTS).write_text(header + frozen)
    print(f"wrote {CONSTRAINTS} ({len(frozen.splitlines())} pins)")


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "lock"}:
        sys.exit(__doc__)
    if sys.argv[1] == "lock":
        lock()
        return
    ensure_environment()
    command, extra = sys.argv[1], sys.argv[2:]
    if command == "demo":
        run(BIN / "warroom", "demo", *extra)
    else:
        run(PYTHON, "-m", "pytest", *extra)
        run(PYTHON, "-m", "ruff", "check", ".")
        run(PYTHON, "-m", "mypy")
        run(BIN / "lint-imports")


if __name__ == "__main__":
    main()
