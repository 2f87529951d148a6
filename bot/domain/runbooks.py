"""Runbooks: Markdown checklists with YAML front matter, and which ones fit an incident.

A runbook is written by people under no pressure and read by people under a lot of it,
so a broken one must be caught when the bot loads it, not when a responder asks for it
at 3 a.m. Every problem is reported with the file and the line to fix.

Format::

    ---
    id: cfn-rollback-failed
    title: CloudFormation stack stuck in ROLLBACK_FAILED
    applies_when:
      keywords: [rollback, cloudformation, stack]
      severities: [sev1, sev2, sev3]
    ---
    Free prose for the reader.

    - [ ] First step, with `aws ...` commands inline
      an indented line continues the step above
    - [ ] Second step

Pure: no files are read here (see `bot.runbooks.library`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import yaml

from bot.domain.errors import WarroomError
from bot.domain.incident import Severity

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_STEP = re.compile(r"^\s{0,3}[-*+]\s+\[[ xX]\](?:\s+(?P<text>.*))?$")
_CONTINUATION = re.compile(r"^(?: {2,}|\t)\S")
_FRONT_MATTER_KEYS = ("id", "title", "applies_when")
_APPLIES_WHEN_KEYS = ("keywords", "severities")

# `problem(line, message)`: how validation reports what it found.
_Reporter = Callable[[int, str], None]


@dataclass(frozen=True)
class RunbookProblem:
    """One thing wrong with one runbook file, where to fix it, and what is wrong."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}, line {self.line}: {self.message}"


class RunbookError(WarroomError):
    """One or more runbooks could not be loaded; each problem names its file and line."""

    def __init__(self, problems: Sequence[RunbookProblem]) -> None:
        if not problems:
            raise ValueError("RunbookError needs at least one problem")
        self.problems = tuple(problems)
        if len(self.problems) == 1:
            text = f"Runbook problem: {self.problems[0]}"
        else:
            text = f"{len(self.problems)} runbook problems:\n" + "\n".join(
                f"• {problem}" for problem in self.problems
            )
        super().__init__(text)


@dataclass(frozen=True)
class Runbook:
    """A parsed runbook. `steps` are the checklist items, in order, as written."""

    id: str
    title: str
    keywords: tuple[str, ...]
    severities: tuple[Severity, ...]
    steps: tuple[str, ...]
    source: str
    body: str = ""
    id_line: int = 1

    def applies_to(self, title: str, severity: Severity) -> bool:
        return severity in self.severities and _keyword_hits(self.keywords, title) > 0


def parse_runbook(text: str, source: str) -> Runbook:
    """Parse one runbook file's text; `source` names the file in every error message."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise RunbookError(
            [RunbookProblem(source, 1, "must start with a `---` line opening the front matter")]
        )
    close = next(
        (i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")),
        None,
    )
    if close is None:
        raise RunbookError(
            [RunbookProblem(source, 1, "front matter opened here is never closed with `---`")]
        )
    front = "\n".join(lines[1:close])
    # Line numbers inside the front matter are 0-based and start one line below `---`.
    offset = 2

    mapping = _compose(front, source, offset)
    try:
        data = yaml.safe_load(front)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source, offset) from None
    problems: list[RunbookProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(RunbookProblem(source, line, message))

    key_lines = {key.value: key.start_mark.line + offset for key, _ in mapping.value}
    for key, line in key_lines.items():
        if key not in _FRONT_MATTER_KEYS:
            problem(line, f"unknown key `{key}` (expected: {', '.join(_FRONT_MATTER_KEYS)})")

    runbook_id = data.get("id")
    id_line = key_lines.get("id", 1)
    if "id" not in data:
        problem(1, "front matter has no `id`")
    elif not isinstance(runbook_id, str) or not _ID.match(runbook_id):
        problem(
            id_line,
            f"`id` must be lowercase letters, digits and dashes (like `db-failover`), "
            f"not `{runbook_id}`",
        )

    title = data.get("title")
    if "title" not in data:
        problem(1, "front matter has no `title`")
    elif not isinstance(title, str) or not title.strip():
        problem(key_lines["title"], "`title` must be a non-empty line of text")

    keywords, severities = _applies_when(mapping, data.get("applies_when"), offset, problem)

    body_lines = lines[close + 1 :]
    steps = _steps(body_lines, close + 2, problem)
    if not steps and not any(p.line > close for p in problems):
        problem(close + 2, "no checklist steps: write each step as a `- [ ] ...` line")

    if problems:
        raise RunbookError(problems)
    assert isinstance(runbook_id, str) and isinstance(title, str)
    return Runbook(
        id=runbook_id,
        title=title.strip(),
        keywords=keywords,
        severities=severities,
        steps=steps,
        source=source,
        body="\n".join(body_lines).strip(),
        id_line=id_line,
    )


def matching(runbooks: Iterable[Runbook], title: str, severity: Severity) -> list[Runbook]:
    """The runbooks that fit an incident, best fit first (most keywords hit, then by id)."""
    scored = [
        (_keyword_hits(runbook.keywords, title), runbook)
        for runbook in runbooks
        if severity in runbook.severities
    ]
    return [runbook for hits, runbook in sorted(scored, key=lambda s: (-s[0], s[1].id)) if hits]


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword matches at the start of a word, case-insensitively.

    `rollback` matches `ROLLBACK_FAILED` and `rollbacks`; `data loss` matches `data-loss`.
    Underscores and dashes count as word breaks because AWS states are written that way.
    """
    words = keyword.lower().replace("_", " ").replace("-", " ").split()
    return re.compile(r"(?<![^\W_])" + r"[\s_\-]+".join(re.escape(w) for w in words))


def _keyword_hits(keywords: Iterable[str], title: str) -> int:
    lowered = title.lower()
    return sum(1 for keyword in keywords if keyword_pattern(keyword).search(lowered))


def _compose(front: str, source: str, offset: int) -> yaml.MappingNode:
    try:
        node = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, source, offset) from None
    if not isinstance(node, yaml.MappingNode):
        raise RunbookError(
            [RunbookProblem(source, offset, "front matter must be `key: value` lines")]
        )
    return node


def _yaml_error(exc: yaml.MarkedYAMLError, source: str, offset: int) -> RunbookError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + offset if mark else 1
    what = exc.problem or exc.context or "unreadable"
    return RunbookError([RunbookProblem(source, line, f"front matter is not valid YAML: {what}")])


def _child(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next((value for k, value in mapping.value if k.value == key), None)


def _applies_when(
    mapping: yaml.MappingNode, value: object, offset: int, problem: _Reporter
) -> tuple[tuple[str, ...], tuple[Severity, ...]]:
    """Keywords (may be empty: listed, never suggested) and severities (default: all)."""
    node = _child(mapping, "applies_when")
    if node is None or value is None:
        return (), tuple(Severity)
    if not isinstance(node, yaml.MappingNode) or not isinstance(value, dict):
        problem(node.start_mark.line + offset, "`applies_when` must hold keywords and severities")
        return (), tuple(Severity)
    for key, _ in node.value:
        if key.value not in _APPLIES_WHEN_KEYS:
            problem(
                key.start_mark.line + offset,
                f"unknown key `applies_when.{key.value}` "
                f"(expected: {', '.join(_APPLIES_WHEN_KEYS)})",
            )

    keywords: list[str] = []
    keywords_node = _child(node, "keywords")
    if keywords_node is not None:
        raw = value.get("keywords")
        if not isinstance(keywords_node, yaml.SequenceNode) or not isinstance(raw, list):
            problem(keywords_node.start_mark.line + offset, "`keywords` must be a list")
        else:
            for item_node, item in zip(keywords_node.value, raw, strict=True):
                if not isinstance(item, str) or not item.strip():
                    problem(item_node.start_mark.line + offset, f"keyword `{item}` is not text")
                else:
                    keywords.append(item.strip().lower())

    severities_node = _child(node, "severities")
    if severities_node is None:
        return tuple(keywords), tuple(Severity)
    raw = value.get("severities")
    if not isinstance(severities_node, yaml.SequenceNode) or not isinstance(raw, list):
        problem(severities_node.start_mark.line + offset, "`severities` must be a list")
        return tuple(keywords), tuple(Severity)
    severities: list[Severity] = []
    for item_node, item in zip(severities_node.value, raw, strict=True):
        try:
            severities.append(Severity(str(item).strip().lower()))
        except ValueError:
            problem(
                item_node.start_mark.line + offset,
                f"`{item}` is not a severity (use sev1, sev2, sev3, sev4)",
            )
    if not severities_node.value:
        problem(severities_node.start_mark.line + offset, "`severities` is empty")
    return tuple(keywords), tuple(dict.fromkeys(severities))


def _steps(body: list[str], first_line: int, problem: _Reporter) -> tuple[str, ...]:
    """`- [ ] ...` lines outside code fences; indented lines below one continue it."""
    steps: list[list[str]] = []
    in_fence = False
    open_step = False
    for number, line in enumerate(body, start=first_line):
        if _FENCE.match(line) and not (open_step and _CONTINUATION.match(line)):
            in_fence = not in_fence
            open_step = False
            continue
        if in_fence:
            continue
        step = _STEP.match(line)
        if step:
            text = (step.group("text") or "").strip()
            if not text:
                problem(number, "empty checklist step")
                open_step = False
                continue
            steps.append([text])
            open_step = True
        elif open_step and _CONTINUATION.match(line):
            steps[-1].append(line.strip())
        else:
            open_step = False
    return tuple("\n".join(parts) for parts in steps)
