"""The runbook library: the shipped runbooks, a team folder beside them, and broken files
reported all at once with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.errors import NotFound
from bot.domain.incident import Severity
from bot.domain.runbooks import RunbookError
from bot.runbooks.library import RunbookLibrary, shipped_runbooks_dir

SHIPPED = ("aws-support-escalation", "cfn-rollback-failed", "production-data-loss")


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def team_runbook(id_: str, title: str = "Team runbook", keyword: str = "payments") -> str:
    return (
        f"---\nid: {id_}\ntitle: {title}\napplies_when:\n  keywords: [{keyword}]\n"
        "  severities: [sev1, sev2]\n---\n- [ ] Call the payments on-call\n"
    )


def test_the_three_shipped_runbooks_load() -> None:
    library = RunbookLibrary.load()

    assert [r.id for r in library.all()] == list(SHIPPED)
    assert all(len(r.steps) >= 5 for r in library.all())
    assert shipped_runbooks_dir().name == "runbooks"


def test_shipped_runbooks_carry_the_commands_that_matter() -> None:
    library = RunbookLibrary.load()
    cfn = "\n".join(library.get("cfn-rollback-failed").steps)
    data = "\n".join(library.get("production-data-loss").steps)
    support = "\n".join(library.get("aws-support-escalation").steps)

    assert "aws cloudformation continue-update-rollback" in cfn
    assert "--resources-to-skip" in cfn
    assert "update-termination-protection --enable-termination-protection" in cfn
    assert "DeletionPolicy: Retain" in cfn
    assert "aws dynamodb restore-table-to-point-in-time" in data
    assert "aws backup start-restore-job" in data
    assert "aws rds restore-db-instance-to-point-in-time" in data
    assert "/incident support open" in support
    assert "`/incident support`" in support


def test_production_deleted_suggests_data_loss_then_support() -> None:
    library = RunbookLibrary.load()

    found = library.matching("Production environment deleted", Severity.SEV1)

    assert [r.id for r in found] == ["production-data-loss", "aws-support-escalation"]


def test_stuck_stack_suggests_the_rollback_runbook() -> None:
    library = RunbookLibrary.load()

    found = library.matching("amplify push stuck in UPDATE_ROLLBACK_FAILED", Severity.SEV3)

    assert [r.id for r in found] == ["cfn-rollback-failed"]


def test_team_folder_from_environment_adds_runbooks_and_skips_readme(tmp_path: Path) -> None:
    write(tmp_path, "payments.md", team_runbook("payments-down"))
    write(tmp_path, "README.md", "This folder holds our runbooks.\n")
    write(tmp_path, "notes.txt", "not a runbook")

    library = RunbookLibrary.from_environment({"WARROOM_RUNBOOKS_DIR": str(tmp_path)})

    assert [r.id for r in library.all()] == sorted([*SHIPPED, "payments-down"])
    assert library.get("payments-down").source == str(tmp_path / "payments.md")
    assert [r.id for r in library.matching("Payments failing", Severity.SEV1)] == ["payments-down"]


def test_environment_without_the_variable_loads_only_shipped() -> None:
    assert len(RunbookLibrary.from_environment({})) == len(SHIPPED)


def test_every_broken_file_is_listed_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "a-good.md", team_runbook("good"))
    bad_yaml = write(tmp_path, "b-yaml.md", "---\nid: x\ntitle: [oops\n---\n- [ ] s\n")
    no_steps = write(tmp_path, "c-nosteps.md", "---\nid: y\ntitle: Y\n---\nprose only\n")

    with pytest.raises(RunbookError) as caught:
        RunbookLibrary.load(tmp_path)

    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 2
    assert problems[0].startswith(f"{bad_yaml}, line 3: front matter is not valid YAML")
    assert problems[1] == (
        f"{no_steps}, line 5: no checklist steps: write each step as a `- [ ] ...` line"
    )
    assert caught.value.user_message.startswith("2 runbook problems:")


def test_duplicate_ids_name_both_files_and_lines(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    team = tmp_path / "team"
    first = write(shipped, "one.md", team_runbook("same-id"))
    second = write(team, "two.md", "---\ntitle: T\n\nid: same-id\n---\n- [ ] s\n")

    with pytest.raises(RunbookError) as caught:
        RunbookLibrary.load(team, shipped_dir=shipped)

    assert [str(p) for p in caught.value.problems] == [
        f"{second}, line 4: id `same-id` is already used by {first}, line 2; "
        "give one of them another id"
    ]


def test_team_runbook_cannot_silently_replace_a_shipped_one(tmp_path: Path) -> None:
    write(tmp_path, "mine.md", team_runbook("cfn-rollback-failed"))

    with pytest.raises(RunbookError) as caught:
        RunbookLibrary.load(tmp_path)

    assert "id `cfn-rollback-failed` is already used by" in caught.value.user_message


def test_missing_team_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(RunbookError) as caught:
        RunbookLibrary.load(missing)

    assert [str(p) for p in caught.value.problems] == [
        f"{missing}, line 1: is not a folder of runbooks"
    ]


def test_get_unknown_id_lists_the_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "a.md", team_runbook("alpha"))
    write(tmp_path, "b.md", team_runbook("beta"))
    library = RunbookLibrary.load(shipped_dir=tmp_path)

    assert library.get(" ALPHA ").id == "alpha"
    with pytest.raises(NotFound) as caught:
        library.get("gamma")
    assert caught.value.user_message == "There is no runbook `gamma`. Runbooks: `alpha`, `beta`."
