"""The runbooks the bot can post: the shipped ones plus the team's own folder.

Loading is all or nothing. If any file is broken, or two files claim one id, the whole
load fails with one `RunbookError` listing every problem with its file and line, so an
operator fixes them all in one pass instead of discovering them one at a time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from importlib.resources import as_file, files
from pathlib import Path

from bot.domain.errors import NotFound
from bot.domain.incident import Severity
from bot.domain.runbooks import Runbook, RunbookError, RunbookProblem, matching, parse_runbook

RUNBOOKS_DIR_VARIABLE = "WARROOM_RUNBOOKS_DIR"
SHIPPED_PACKAGE = "bot.runbooks.shipped"


def shipped_runbooks_dir() -> Path:
    """The shipped runbooks: the repository's top-level `runbooks/` folder, which the wheel
    carries as the package data `bot.runbooks.shipped` (pyproject maps one onto the other),
    so an installed wheel and a checkout load the same files."""
    with as_file(files(SHIPPED_PACKAGE)) as folder:
        return Path(folder)


class RunbookLibrary:
    """A loaded, validated set of runbooks with unique ids."""

    def __init__(self, runbooks: Iterable[Runbook]) -> None:
        self._by_id: dict[str, Runbook] = {}
        problems: list[RunbookProblem] = []
        for runbook in runbooks:
            first = self._by_id.get(runbook.id)
            if first is None:
                self._by_id[runbook.id] = runbook
                continue
            problems.append(
                RunbookProblem(
                    runbook.source,
                    runbook.id_line,
                    f"id `{runbook.id}` is already used by {first.source}, line "
                    f"{first.id_line}; give one of them another id",
                )
            )
        if problems:
            raise RunbookError(problems)

    @classmethod
    def load(
        cls, extra_dir: Path | None = None, *, shipped_dir: Path | None = None
    ) -> RunbookLibrary:
        """Load the shipped runbooks and, if given, the team's folder beside them."""
        folders = [shipped_dir or shipped_runbooks_dir()]
        if extra_dir is not None:
            folders.append(extra_dir)
        runbooks: list[Runbook] = []
        problems: list[RunbookProblem] = []
        for folder in folders:
            if not folder.is_dir():
                problems.append(RunbookProblem(str(folder), 1, "is not a folder of runbooks"))
                continue
            for path in _runbook_files(folder):
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    problems.append(RunbookProblem(str(path), 1, f"cannot be read: {exc}"))
                    continue
                try:
                    runbooks.append(parse_runbook(text, str(path)))
                except RunbookError as exc:
                    problems.extend(exc.problems)
        try:
            library = cls(runbooks)
        except RunbookError as exc:
            problems.extend(exc.problems)
        if problems:
            raise RunbookError(problems)
        return library

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, shipped_dir: Path | None = None
    ) -> RunbookLibrary:
        """Load with the team folder named by `WARROOM_RUNBOOKS_DIR`, if it is set."""
        env = os.environ if environ is None else environ
        extra = env.get(RUNBOOKS_DIR_VARIABLE, "").strip()
        return cls.load(Path(extra).expanduser() if extra else None, shipped_dir=shipped_dir)

    def all(self) -> list[Runbook]:
        """Every runbook, ordered by id (the order `/incident runbook` lists them in)."""
        return [self._by_id[key] for key in sorted(self._by_id)]

    def get(self, runbook_id: str) -> Runbook:
        runbook = self._by_id.get(runbook_id.strip().lower())
        if runbook is None:
            known = ", ".join(f"`{key}`" for key in sorted(self._by_id)) or "none"
            raise NotFound(f"There is no runbook `{runbook_id}`. Runbooks: {known}.")
        return runbook

    def matching(self, title: str, severity: Severity) -> list[Runbook]:
        """The runbooks to suggest for an incident, best fit first."""
        return matching(self._by_id.values(), title, severity)

    def __len__(self) -> int:
        return len(self._by_id)


def _runbook_files(folder: Path) -> list[Path]:
    """`*.md` files directly in the folder, except a README that explains the folder."""
    return sorted(
        path for path in folder.glob("*.md") if path.is_file() and path.name.lower() != "readme.md"
    )
