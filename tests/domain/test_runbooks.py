"""Runbook parsing and matching: what an author sees when a file is wrong, and which
runbooks a responder is offered for an incident."""

from __future__ import annotations

import textwrap

import pytest

from bot.domain.errors import WarroomError
from bot.domain.incident import Severity
from bot.domain.runbooks import Runbook, RunbookError, matching, parse_runbook

GOOD = textwrap.dedent(
    """\
    ---
    id: db-failover
    title: Database failover
    applies_when:
      keywords: [Database, "data loss", rollback]
      severities: [sev1, SEV2]
    ---
    Read this first.

    - [ ] Page the database owner
    - [ ] Promote the replica:
      `aws rds promote-read-replica --db-instance-identifier replica`
    Prose between steps is not a step.
    * [x] Announce the failover

    ```
    - [ ] not a step: inside a code block
    ```
    - [ ] Verify writes
    """
)


def problems_of(text: str, source: str = "runbooks/x.md") -> list[str]:
    with pytest.raises(RunbookError) as caught:
        parse_runbook(text, source)
    return [str(problem) for problem in caught.value.problems]


def test_parses_front_matter_and_checklist_steps() -> None:
    runbook = parse_runbook(GOOD, "runbooks/db-failover.md")

    assert runbook.id == "db-failover"
    assert runbook.title == "Database failover"
    assert runbook.keywords == ("database", "data loss", "rollback")
    assert runbook.severities == (Severity.SEV1, Severity.SEV2)
    assert runbook.steps == (
        "Page the database owner",
        "Promote the replica:\n`aws rds promote-read-replica --db-instance-identifier replica`",
        "Announce the failover",
        "Verify writes",
    )
    assert runbook.source == "runbooks/db-failover.md"
    assert runbook.id_line == 2
    assert runbook.body.startswith("Read this first.")


def test_severities_default_to_all_and_keywords_to_none() -> None:
    runbook = parse_runbook("---\nid: a\ntitle: A\n---\n- [ ] one\n", "a.md")

    assert runbook.severities == tuple(Severity)
    assert runbook.keywords == ()


def test_error_is_a_warroom_error_naming_file_and_line() -> None:
    with pytest.raises(WarroomError) as caught:
        parse_runbook("no front matter\n- [ ] x\n", "team/bad.md")

    assert caught.value.user_message == (
        "Runbook problem: team/bad.md, line 1: must start with a `---` line opening the "
        "front matter"
    )


def test_unclosed_front_matter() -> None:
    assert problems_of("---\nid: a\ntitle: A\n- [ ] x\n") == [
        "runbooks/x.md, line 1: front matter opened here is never closed with `---`"
    ]


def test_yaml_error_reports_the_line_in_the_file() -> None:
    text = "---\nid: a\ntitle: A\napplies_when:\n  keywords: [unclosed\n---\n- [ ] x\n"

    (problem,) = problems_of(text)

    assert problem.startswith("runbooks/x.md, line 5: front matter is not valid YAML")


def test_yaml_tab_indentation_error_line() -> None:
    text = "---\nid: a\ntitle: A\napplies_when:\n\tkeywords: [x]\n---\n- [ ] x\n"

    (problem,) = problems_of(text)

    assert problem.startswith("runbooks/x.md, line 5: front matter is not valid YAML")


def test_front_matter_that_is_not_a_mapping() -> None:
    assert problems_of("---\n- just\n- a list\n---\n- [ ] x\n") == [
        "runbooks/x.md, line 2: front matter must be `key: value` lines"
    ]


def test_missing_id_and_title_are_both_reported() -> None:
    assert problems_of("---\napplies_when:\n  severities: [sev1]\n---\n- [ ] x\n") == [
        "runbooks/x.md, line 1: front matter has no `id`",
        "runbooks/x.md, line 1: front matter has no `title`",
    ]


def test_bad_id_is_reported_on_its_line() -> None:
    (problem,) = problems_of("---\ntitle: A\nid: Has Spaces\n---\n- [ ] x\n")

    assert problem.startswith("runbooks/x.md, line 3: `id` must be lowercase letters")


def test_unknown_keys_are_named_with_their_line() -> None:
    text = "---\nid: a\ntitle: A\napplies-when:\n  keywords: [x]\n---\n- [ ] x\n"

    assert problems_of(text) == [
        "runbooks/x.md, line 4: unknown key `applies-when` (expected: id, title, applies_when)"
    ]


def test_unknown_severity_is_reported_on_the_item_line() -> None:
    text = (
        "---\nid: a\ntitle: A\napplies_when:\n  severities:\n    - sev1\n    - sev5\n---\n- [ ] x\n"
    )

    assert problems_of(text) == [
        "runbooks/x.md, line 7: `sev5` is not a severity (use sev1, sev2, sev3, sev4)"
    ]


def test_keywords_must_be_a_list() -> None:
    text = "---\nid: a\ntitle: A\napplies_when:\n  keywords: rollback\n---\n- [ ] x\n"

    assert problems_of(text) == ["runbooks/x.md, line 5: `keywords` must be a list"]


def test_no_steps_points_at_the_body() -> None:
    text = "---\nid: a\ntitle: A\n---\nJust prose.\n\n```\n- [ ] fenced\n```\n"

    assert problems_of(text) == [
        "runbooks/x.md, line 5: no checklist steps: write each step as a `- [ ] ...` line"
    ]


def test_empty_step_is_reported_on_its_line() -> None:
    assert problems_of("---\nid: a\ntitle: A\n---\n- [ ] one\n- [ ]\n") == [
        "runbooks/x.md, line 6: empty checklist step"
    ]


def test_several_problems_in_one_message() -> None:
    with pytest.raises(RunbookError) as caught:
        parse_runbook("---\nid: BAD\n---\nnothing\n", "r.md")

    message = caught.value.user_message
    assert message.startswith("3 runbook problems:\n")
    assert "• r.md, line 2: `id` must be" in message
    assert "• r.md, line 1: front matter has no `title`" in message
    assert "• r.md, line 4: no checklist steps" in message


def runbook(id_: str, keywords: tuple[str, ...], severities: tuple[Severity, ...]) -> Runbook:
    return Runbook(id_, id_.title(), keywords, severities, ("step",), f"{id_}.md")


RUNBOOKS = [
    runbook("cfn", ("rollback", "cloudformation", "stack"), (Severity.SEV1, Severity.SEV2)),
    runbook("data", ("deleted", "data loss", "production"), (Severity.SEV1,)),
    runbook("aws", ("aws", "down"), (Severity.SEV1, Severity.SEV2)),
    runbook("manual-only", (), tuple(Severity)),
]


def ids(found: list[Runbook]) -> list[str]:
    return [r.id for r in found]


def test_matching_is_case_insensitive_and_ordered_by_hits() -> None:
    found = matching(RUNBOOKS, "PRODUCTION stack DELETED during rollback", Severity.SEV1)

    assert ids(found) == ["cfn", "data"]


def test_matching_respects_severity() -> None:
    assert ids(matching(RUNBOOKS, "Production data deleted", Severity.SEV2)) == []
    assert ids(matching(RUNBOOKS, "Production data deleted", Severity.SEV1)) == ["data"]


def test_keywords_match_at_word_starts_including_aws_state_names() -> None:
    assert ids(matching(RUNBOOKS, "UPDATE_ROLLBACK_FAILED on api", Severity.SEV2)) == ["cfn"]
    assert ids(matching(RUNBOOKS, "Rollbacks keep failing", Severity.SEV2)) == ["cfn"]
    assert ids(matching(RUNBOOKS, "New privacy laws", Severity.SEV1)) == []
    assert ids(matching(RUNBOOKS, "feedback form broken", Severity.SEV1)) == []


def test_multi_word_keywords_match_across_dashes_and_spaces() -> None:
    assert ids(matching(RUNBOOKS, "Data-loss in billing", Severity.SEV1)) == ["data"]
    assert ids(matching(RUNBOOKS, "data  loss in billing", Severity.SEV1)) == ["data"]
    assert ids(matching(RUNBOOKS, "loss of data", Severity.SEV1)) == []


def test_runbook_without_keywords_is_never_suggested() -> None:
    assert "manual-only" not in ids(matching(RUNBOOKS, "anything at all", Severity.SEV3))
    assert RUNBOOKS[3].applies_to("anything", Severity.SEV3) is False
    assert RUNBOOKS[0].applies_to("stack stuck", Severity.SEV2) is True
