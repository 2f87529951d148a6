"""Golden-file comparison for the export tests.

Run with UPDATE_GOLDEN=1 to rewrite the golden files from the current output; review the
diff before committing it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"


@pytest.fixture
def golden() -> Callable[[str, str], None]:
    def check(name: str, actual: str) -> None:
        path = GOLDEN_DIR / name
        if os.environ.get("UPDATE_GOLDEN") == "1":
            path.write_text(actual, encoding="utf-8", newline="\n")
            return
        assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"{name} differs from its golden file (UPDATE_GOLDEN=1)"

    return check
