"""The IAM policies the README gives for restore drills and AWS Health are valid IAM and
least privilege, as parliament (the IAM linter) reads them, and match what the code calls."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from parliament import analyze_policy_string

README = Path(__file__).resolve().parent.parent / "README.md"


def policy(marker: str) -> str:
    found = re.search(
        rf"<!-- {marker} -->\n```json\n(.*?)\n```", README.read_text(encoding="utf-8"), re.S
    )
    assert found, f"the README has no {marker} block"
    return found.group(1)


def statements(text: str) -> list[dict[str, Any]]:
    return list(json.loads(text)["Statement"])


@pytest.mark.parametrize("marker", ["drill-iam-policy", "health-iam-policy"])
def test_parliament_finds_nothing(marker: str) -> None:
    analyzed = analyze_policy_string(policy(marker))

    assert [(f.issue, f.detail) for f in analyzed.findings] == []


def test_parliament_would_catch_a_typo() -> None:
    """The lint is real: a misspelt action is a finding."""
    bad = policy("drill-iam-policy").replace("dynamodb:DeleteTable", "dynamodb:DeleteTabel")

    assert [f.issue for f in analyze_policy_string(bad).findings] == ["UNKNOWN_ACTION"]


def test_deletes_and_writes_only_on_scratch_tables() -> None:
    writes = {
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    }
    for statement in statements(policy("drill-iam-policy")):
        actions = statement["Action"]
        actions = {actions} if isinstance(actions, str) else set(actions)
        if actions & writes:
            assert statement["Resource"].endswith(":table/*-warroom-drill-*")


def test_the_policy_allows_every_call_the_drill_makes() -> None:
    code = (README.parent / "bot" / "aws" / "restore_drill.py").read_text(encoding="utf-8")
    names = re.findall(r"self\.dynamodb\.(\w+)\b", code) + re.findall(
        r"get_paginator\(\"(\w+)\"\)", code
    )
    called = {"".join(part.capitalize() for part in n.split("_")) for n in names} - {"GetPaginator"}
    allowed = {
        action.removeprefix("dynamodb:")
        for statement in statements(policy("drill-iam-policy"))
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    }

    assert {"ListTables", "RestoreTableToPointInTime", "DeleteTable"} <= called
    assert called <= allowed, called - allowed
