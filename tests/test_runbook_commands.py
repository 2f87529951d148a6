"""Runbooks in Slack over signed HTTP, on SQLite and PostgreSQL: posted on declare as
checklists, ticked with their buttons, listed and posted by `/incident runbook`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app.runtime import load_runbook_library
from bot.app.settings import SettingsError
from bot.domain.incident import Severity
from bot.runbooks.library import RunbookLibrary
from bot.sandbox.slack_api import Message
from bot.services.postmortem import load_postmortem
from bot.slack.commands.runbooks import STEPS_PER_MESSAGE, TickValue, post_matching_runbooks
from bot.store.models import RunbookStep, TimelineEntry
from tests.harness import COMMANDER, BotHarness

RESPONDER = "U0BOB"
DATA_LOSS = "production-data-loss"


def install_runbooks(bot: BotHarness, extra_dir: Path | None = None) -> RunbookLibrary:
    """The library start-up loads with `WARROOM_RUNBOOKS_DIR=extra_dir`."""
    library = load_runbook_library(str(extra_dir) if extra_dir else None)
    bot.ctx.runbooks = library
    assert post_matching_runbooks in bot.ctx.after_declare
    return library


@pytest.fixture
def runbooks(bot: BotHarness) -> RunbookLibrary:
    bot.slack.state.add_user(RESPONDER, "bob", tz="Africa/Lusaka")
    return install_runbooks(bot)


def checklists(bot: BotHarness, channel: str) -> list[Message]:
    return [m for m in bot.posted(channel) if m.text.startswith("Runbook: ")]


def buttons(message: Message) -> list[dict[str, Any]]:
    return [b["accessory"] for b in message.blocks or [] if "accessory" in b]


def step_block(message: Message, step: int) -> dict[str, Any]:
    """The section of step `step` (1-based, as people count)."""
    (block,) = [
        b
        for b in message.blocks or []
        if b["type"] == "section" and f"*{step}.* " in b["text"]["text"]
    ]
    return block


def button_value(message: Message, step: int) -> str:
    """The value of step `step`'s "Done" button (1-based, as people count)."""
    return next(b["value"] for b in buttons(message) if TickValue.load(b["value"]).step == step - 1)


def press(bot: BotHarness, message: Message, value: str, user: str = COMMANDER) -> Any:
    reply = bot.requests.block_action(
        user=user,
        channel=message.channel,
        message_ts=message.ts,
        action_id="runbook_tick",
        value=value,
    )
    bot.settle()
    return reply


def tick(bot: BotHarness, message: Message, step: int, user: str = COMMANDER) -> Any:
    return press(bot, message, button_value(message, step), user)


def stored_steps(bot: BotHarness) -> list[RunbookStep]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(RunbookStep).order_by(RunbookStep.id)))


def runbook_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.kind == "runbook")
                .order_by(TimelineEntry.id)
            )
        )


def test_declaring_production_deleted_posts_the_data_loss_runbook_first(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")

    posted = checklists(bot, channel)
    expected = [r.id for r in runbooks.matching("Production environment deleted", Severity.SEV1)]
    assert expected[0] == DATA_LOSS
    assert "cfn-rollback-failed" not in expected
    assert [m.text.split(" (")[0] for m in posted] == [
        f"Runbook: {runbooks.get(i).title}" for i in expected
    ]
    data_loss = runbooks.get(DATA_LOSS)
    first = posted[0]
    assert first.text == f"Runbook: {data_loss.title} (0/{len(data_loss.steps)} steps done)"
    assert f"(`{DATA_LOSS}`, {len(data_loss.steps)} steps)" in first.blocks[0]["text"]["text"]
    # One "Done" button per step, each naming its runbook and step.
    values = [TickValue.load(b["value"]) for b in buttons(first)]
    assert values == [TickValue(runbook=DATA_LOSS, step=i) for i in range(len(data_loss.steps))]
    assert {b["action_id"] for b in buttons(first)} == {"runbook_tick"}
    assert "Stop what is deleting" in step_block(first, 1)["text"]["text"]


def test_a_title_no_runbook_fits_posts_none(bot: BotHarness, runbooks: RunbookLibrary) -> None:
    channel = bot.declare("sev3 Slow dashboard")

    assert checklists(bot, channel) == []
    assert len(bot.posted(channel)) == 1  # the summary only


def test_ticking_a_step_stores_it_logs_it_and_redraws_the_checklist(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    checklist = checklists(bot, channel)[0]
    total = len(runbooks.get(DATA_LOSS).steps)
    bot.clock.advance(minutes=7)

    reply = tick(bot, checklist, step=3, user=RESPONDER)

    assert reply.status == 200
    (row,) = stored_steps(bot)
    assert (row.incident_number, row.runbook_id, row.step_index) == (1, DATA_LOSS, 2)
    assert row.ticked_by == RESPONDER
    assert row.ticked_at == bot.clock.now()
    assert row.step_text == runbooks.get(DATA_LOSS).steps[2]
    (entry,) = runbook_entries(bot)
    assert entry.author_id == RESPONDER
    assert entry.occurred_at == bot.clock.now()
    assert entry.text.startswith(
        f"Runbook `{DATA_LOSS}` step 3/{total} done by <@{RESPONDER}>: Establish when"
    )
    redrawn = bot.slack.state.message(channel, checklist.ts)
    assert redrawn is not None and redrawn.edits == 1
    assert redrawn.text.endswith(f"(1/{total} steps done)")
    done = step_block(redrawn, 3)
    assert "accessory" not in done
    assert done["text"]["text"].startswith(":white_check_mark: *3.*")
    assert (
        f"_Done by <@{RESPONDER}> at <!date^{int(bot.clock.now().timestamp())}^"
        in (done["text"]["text"])
    )
    assert len(buttons(redrawn)) == total - 1
    assert "accessory" in step_block(redrawn, 2)


def test_a_second_tick_answers_who_did_it_and_stores_nothing(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    checklist = checklists(bot, channel)[0]
    stale_button = button_value(checklist, 1)  # as a client that has not redrawn shows it
    tick(bot, checklist, step=1)
    first_at = bot.clock.now()
    bot.clock.advance(minutes=2)

    reply = press(bot, checklist, stale_button, user=RESPONDER)

    assert reply.status == 200
    assert len(stored_steps(bot)) == 1
    assert stored_steps(bot)[0].ticked_by == COMMANDER
    assert len(runbook_entries(bot)) == 1
    told = bot.last_response_text()
    assert f"Step 1 of `{DATA_LOSS}` was already done by <@{COMMANDER}> at " in told
    assert f"<!date^{int(first_at.timestamp())}^" in told
    assert bot.slack.state.message(channel, checklist.ts).edits == 2  # redrawn again


def test_ticks_reach_the_postmortem(bot: BotHarness, runbooks: RunbookLibrary) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    checklist = checklists(bot, channel)[0]
    tick(bot, checklist, step=1)
    bot.clock.advance(minutes=3)
    tick(bot, checklist, step=4, user=RESPONDER)

    with bot.db.transaction() as session:
        postmortem = load_postmortem(session, 1, zones=("UTC",), now=bot.clock.now())

    steps = runbooks.get(DATA_LOSS).steps
    assert [(s.runbook_id, s.step, s.ticked_by) for s in postmortem.runbook_steps] == [
        (DATA_LOSS, steps[0], COMMANDER),
        (DATA_LOSS, steps[3], RESPONDER),
    ]
    assert [e.kind for e in postmortem.timeline].count("runbook") == 2


def test_a_tampered_button_stores_nothing_and_says_why(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    checklist = checklists(bot, channel)[0]

    press(bot, checklist, TickValue(runbook=DATA_LOSS, step=99).dump())
    told = bot.last_response_text()
    unknown = press(bot, checklist, "not json")

    assert unknown.status == 200
    assert stored_steps(bot) == []
    assert runbook_entries(bot) == []
    assert "there is no step 100" in told
    assert bot.slack.state.message(channel, checklist.ts).edits == 0


def test_runbook_without_id_lists_them_and_marks_the_suggested(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")

    text = bot.command("runbook", channel=channel).json()["text"]

    lines = text.splitlines()
    for runbook in runbooks.all():
        (line,) = [line for line in lines if line.startswith(f"• `{runbook.id}`: ")]
        assert runbook.title in line
        assert ("suggested for INC-1" in line) == (runbook.id != "cfn-rollback-failed")
    assert "SEV1, SEV2 with a title mentioning deleted, data loss" in text


def test_runbook_by_id_posts_it_with_the_steps_already_done(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    tick(bot, checklists(bot, channel)[0], step=2)

    cfn = bot.command("runbook cfn-rollback-failed", channel=channel)
    again = bot.command("runbook PRODUCTION-DATA-LOSS", channel=channel)

    assert "Posting runbook `cfn-rollback-failed` here" in cfn.json()["text"]
    assert "Posting runbook `production-data-loss` here" in again.json()["text"]
    posted = checklists(bot, channel)
    assert posted[-2].text.startswith(f"Runbook: {runbooks.get('cfn-rollback-failed').title} (0/")
    reposted = posted[-1]
    assert reposted.text.startswith(f"Runbook: {runbooks.get(DATA_LOSS).title} (1/")
    assert step_block(reposted, 2)["text"]["text"].startswith(":white_check_mark: *2.*")


def test_unknown_runbook_id_lists_the_ids_and_posts_nothing(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev3 Slow dashboard")

    text = bot.command("runbook db-failover", channel=channel).json()["text"]

    assert text.startswith(":warning: There is no runbook `db-failover`. Runbooks: ")
    for runbook in runbooks.all():
        assert f"`{runbook.id}`" in text
    assert checklists(bot, channel) == []


def test_runbook_outside_an_incident_channel_is_refused(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    text = bot.command("runbook").json()["text"]

    assert "works inside an incident channel" in text


LONG_RUNBOOK = """---
id: long-drill
title: A very long checklist
applies_when:
  keywords: [marathon]
---
""" + "\n".join(f"- [ ] Step number {n}" for n in range(1, 61))


def test_a_runbook_longer_than_one_message_is_posted_in_parts(
    bot: BotHarness, tmp_path: Path
) -> None:
    (tmp_path / "long.md").write_text(LONG_RUNBOOK, encoding="utf-8")
    install_runbooks(bot, tmp_path)
    channel = bot.declare("sev2 Marathon outage")

    first, second = [
        m for m in checklists(bot, channel) if m.text.startswith("Runbook: A very long")
    ]
    assert first.text.endswith("(0/60 steps done, steps 1-45)")
    assert second.text.endswith("(0/60 steps done, steps 46-60)")
    assert len(buttons(first)) == STEPS_PER_MESSAGE
    assert len(buttons(second)) == 60 - STEPS_PER_MESSAGE
    assert all(len(m.blocks) <= 50 for m in (first, second))
    tick(bot, second, step=50)

    assert bot.slack.state.message(channel, second.ts).edits == 1
    assert bot.slack.state.message(channel, first.ts).edits == 0
    assert "_Done by" in step_block(bot.slack.state.message(channel, second.ts), 50)["text"]["text"]


def test_titles_and_steps_are_escaped(bot: BotHarness, tmp_path: Path) -> None:
    (tmp_path / "hostile.md").write_text(
        "---\nid: hostile\ntitle: Ping <!channel>\napplies_when:\n  keywords: [hostile]\n---\n"
        "- [ ] Run `cat a > b` and tell <@U999>\n",
        encoding="utf-8",
    )
    install_runbooks(bot, tmp_path)
    channel = bot.declare("sev2 Hostile runbook")

    (checklist,) = checklists(bot, channel)
    rendered = " ".join(b["text"]["text"] for b in checklist.blocks if b["type"] == "section")
    assert "<!channel>" not in rendered and "<!channel>" not in checklist.text
    assert "<@U999>" not in rendered
    assert "`cat a &gt; b`" in rendered


def test_a_broken_runbook_stops_start_up_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "payments.md").write_text(
        "---\nid: payments\ntitle: Payments\napplies_when:\n  severities: [sev5]\n---\n- [ ] x\n",
        encoding="utf-8",
    )

    with pytest.raises(SettingsError) as raised:
        load_runbook_library(str(tmp_path))

    message = str(raised.value)
    assert message.startswith("Runbook problem: ")
    assert f"{tmp_path / 'payments.md'}, line 5: `sev5` is not a severity" in message


def test_the_team_folder_is_loaded_beside_the_shipped_runbooks(tmp_path: Path) -> None:
    (tmp_path / "long.md").write_text(LONG_RUNBOOK, encoding="utf-8")

    library = load_runbook_library(str(tmp_path))

    assert {DATA_LOSS, "long-drill"} <= {r.id for r in library.all()}
    assert [r.id for r in load_runbook_library(None).all()] == sorted(
        r.id for r in library.all() if r.id != "long-drill"
    )


def test_steps_ticked_by_two_people_both_show_on_the_checklist(
    bot: BotHarness, runbooks: RunbookLibrary
) -> None:
    channel = bot.declare("sev1 Production environment deleted")
    checklist = checklists(bot, channel)[0]
    tick(bot, checklist, step=5)
    bot.clock.advance(seconds=30)
    tick(bot, checklist, step=6, user=RESPONDER)

    with bot.db.transaction() as session:
        count = session.scalar(select(func.count()).select_from(RunbookStep))
    assert count == 2
    redrawn = bot.slack.state.message(channel, checklist.ts)
    assert redrawn.text.endswith(f"(2/{len(runbooks.get(DATA_LOSS).steps)} steps done)")
