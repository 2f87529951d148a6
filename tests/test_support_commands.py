"""`/incident support`, `support open`, `support reply` and the plan check at declaration,
over signed HTTP, on SQLite and PostgreSQL, against the local AWS Support emulator."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.aws.support import AwsSupport
from bot.domain.clock import FixedClock
from bot.domain.support import SUPPORT_PLANS_URL
from bot.sandbox.aws_support import CUSTOMER_SUBMITTER, AwsSupportEmulator, dummy_session
from bot.services.support import check_plan_after_declare
from bot.store.models import Incident, SupportCase, TimelineEntry
from tests.harness import COMMANDER, BotHarness

RESPONDER = "U0RESP"
CC = "oncall@example.com"


@pytest.fixture
def aws(clock: FixedClock) -> Iterator[AwsSupportEmulator]:
    with AwsSupportEmulator(plan="none", clock=clock) as emulator:
        yield emulator


def start_bot(database_url: str, clock: FixedClock, support: Any) -> BotHarness:
    harness = BotHarness(
        database_url, clock=clock, support=support, settings={"warroom_support_cc": CC}
    )
    assert check_plan_after_declare in harness.ctx.after_declare
    harness.slack.state.add_user(RESPONDER, "grace", tz="Africa/Nairobi")
    return harness


@pytest.fixture
def bot(
    database_url: str, clock: FixedClock, aws: AwsSupportEmulator, no_backoff: None
) -> Iterator[BotHarness]:
    harness = start_bot(
        database_url, clock, AwsSupport(session=dummy_session(), endpoint_url=aws.endpoint_url)
    )
    yield harness
    harness.close()


def texts(bot: BotHarness, channel: str) -> list[str]:
    """The channel's messages, without the runbook checklists declaring also posts."""
    return [m.text for m in bot.posted(channel) if not m.text.startswith("Runbook: ")]


def support_entries(bot: BotHarness) -> list[TimelineEntry]:
    with bot.db.transaction() as session:
        return list(
            session.scalars(
                select(TimelineEntry)
                .where(TimelineEntry.kind == "support")
                .order_by(TimelineEntry.id)
            )
        )


def stored_cases(bot: BotHarness) -> list[SupportCase]:
    with bot.db.transaction() as session:
        return list(session.scalars(select(SupportCase).order_by(SupportCase.id)))


def incident(bot: BotHarness) -> Incident:
    with bot.db.transaction() as session:
        return session.scalars(select(Incident)).one()


# --- the plan check at declaration ---------------------------------------------------------


def test_declaration_without_plan_warns_the_channel_and_the_summary_says_so(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    channel = bot.declare()

    summary, warning = texts(bot, channel)
    assert "AWS support plan:* :warning: no Support API access" in summary
    assert "No AWS support plan with API access" in warning
    assert "Business-class" in warning and "within 1 hour" in warning
    assert SUPPORT_PLANS_URL in warning
    stored = incident(bot)
    assert stored.support_plan == "none"
    assert stored.support_checked_at == bot.clock.now()
    assert [c.operation for c in aws.calls] == ["DescribeSeverityLevels"]


@pytest.mark.parametrize(
    ("plan", "label", "severity"),
    [("business", "Business-class", "`urgent`"), ("enterprise", "Enterprise-class", "`critical`")],
)
def test_summary_shows_the_plan_after_declaration_and_no_warning(
    bot: BotHarness, aws: AwsSupportEmulator, plan: str, label: str, severity: str
) -> None:
    aws.set_plan(plan)

    channel = bot.declare()

    [summary] = texts(bot, channel)
    assert f"*AWS support plan:* {label} support plan: can open {severity}" in summary
    assert incident(bot).support_plan == plan


def test_without_aws_the_summary_and_every_support_command_say_not_configured(
    database_url: str, clock: FixedClock
) -> None:
    bot = start_bot(database_url, clock, support=None)
    try:
        channel = bot.declare()

        [summary] = texts(bot, channel)
        assert "AWS is not configured for this bot" in summary
        assert incident(bot).support_plan == "not_configured"
        for command in ("support", "support open", "support reply hello"):
            answer = bot.command(command, channel=channel).json()["text"]
            assert "AWS is not configured" in answer, command
        assert stored_cases(bot) == []
        assert support_entries(bot) == []
    finally:
        bot.close()


# --- /incident support ---------------------------------------------------------------------


def test_support_without_plan_explains_what_plan_would_allow_a_production_down_case(
    bot: BotHarness,
) -> None:
    channel = bot.declare()

    ack = bot.command("support", channel=channel, user=RESPONDER).json()["text"]

    assert "Asking AWS Support" in ack
    told = bot.last_response_text()
    assert "no Support API access (Basic or Developer class)" in told
    assert "Business-class support plan (`urgent`: production system down" in told
    assert "within 1 hour" in told and SUPPORT_PLANS_URL in told


def test_plan_bought_mid_incident_is_seen_by_the_next_command(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    channel = bot.declare()
    bot.command("support", channel=channel)
    assert "no Support API access" in bot.last_response_text()

    aws.set_plan("business")
    bot.clock.advance(minutes=12)
    bot.command("support", channel=channel)

    told = bot.last_response_text()
    assert "Business-class support plan" in told
    assert "`urgent` (production system down)" in told
    assert "support open" in told
    assert "Business-class support plan: can open `urgent`" in texts(bot, channel)[0]
    [change] = support_entries(bot)
    assert change.text.startswith("AWS support plan is now: Business-class")
    assert change.occurred_at == bot.clock.now()
    assert len(aws.calls_to("DescribeSeverityLevels")) == 3  # declare, support, support


def test_support_rejects_words_it_does_not_know(bot: BotHarness) -> None:
    channel = bot.declare()

    answer = bot.command("support status", channel=channel).json()["text"]

    assert "takes nothing after it" in answer and "support open" in answer


# --- /incident support open -----------------------------------------------------------------


def test_no_plan_open_creates_nothing_and_says_what_would(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    channel = bot.declare()

    ack = bot.command("support open", channel=channel).json()["text"]

    assert "Opening an AWS support case" in ack
    told = bot.last_response_text()
    assert "No AWS support case was opened for INC-1" in told
    assert "Business-class support plan (`urgent`: production system down" in told
    assert SUPPORT_PLANS_URL in told
    assert aws.calls_to("CreateCase") == [] and aws.cases == []
    assert stored_cases(bot) == []
    assert support_entries(bot) == []


def test_business_plan_opens_an_urgent_case_announced_in_channel_and_timeline(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    bot.clock.advance(minutes=7)
    bot.command("log the CloudFormation stack is gone", channel=channel)

    bot.command("support open", channel=channel)

    [case] = aws.cases
    assert case.severity_code == "urgent"
    assert case.subject == "[INC-1 SEV1] Production environment deleted"
    assert case.cc_emails == [CC]
    body = case.communications[0].body
    assert "Incident INC-1: Production environment deleted" in body
    assert "Severity: SEV1. Status: investigating." in body
    assert "all times in UTC" in body
    assert "#inc-1-production-environment-deleted https://" in body
    assert "[declared] Incident declared: INC-1" in body and "@U0CMDR" in body
    announcement = texts(bot, channel)[-1]
    assert case.case_id in announcement and case.display_id in announcement
    assert "`urgent` (production system down)" in announcement
    assert "support.console.aws.amazon.com" in announcement
    [entry] = support_entries(bot)
    assert case.case_id in entry.text and entry.author_id == COMMANDER
    assert entry.data["severity"] == "urgent"
    [row] = stored_cases(bot)
    assert (row.case_id, row.display_id, row.severity, row.plan) == (
        case.case_id,
        case.display_id,
        "urgent",
        "business",
    )
    assert row.opened_at == bot.clock.now() and row.opened_by == COMMANDER
    assert case.display_id in texts(bot, channel)[0]  # the pinned summary names the case
    assert case.case_id in bot.last_response_text()


def test_enterprise_plan_opens_a_critical_case_with_the_subject_given(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("enterprise")
    channel = bot.declare()

    bot.command("support open Stack deleted in ROLLBACK_FAILED, need restore", channel=channel)

    [case] = aws.cases
    assert case.severity_code == "critical"
    assert case.subject == "Stack deleted in ROLLBACK_FAILED, need restore"
    assert case.case_id in texts(bot, channel)[-1]
    assert stored_cases(bot)[0].severity == "critical"


def test_a_non_commander_cannot_open_a_case(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    aws.set_plan("business")
    channel = bot.declare()

    answer = bot.command("support open", channel=channel, user=RESPONDER).json()["text"]

    assert "Only the incident commander (<@U0CMDR>)" in answer and "support open" in answer
    assert aws.calls_to("CreateCase") == []
    assert stored_cases(bot) == []


def test_a_second_open_names_the_open_case(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    bot.command("support open", channel=channel)
    [case] = aws.cases

    answer = bot.command("support open", channel=channel).json()["text"]

    assert "already has an open AWS support case" in answer
    assert case.display_id in answer and "/incident support reply" in answer
    assert len(aws.calls_to("CreateCase")) == 1


def test_two_opens_at_once_open_one_case(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    start = threading.Barrier(2)
    answers: list[str] = []

    def open_case() -> None:
        start.wait()
        answers.append(bot.command("support open", channel=channel, settle=False).json()["text"])

    threads = [threading.Thread(target=open_case) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bot.settle()

    assert len(aws.calls_to("CreateCase")) == 1
    assert len(stored_cases(bot)) == 1
    assert sum("Opening an AWS support case" in a for a in answers) == 1
    refused = next(a for a in answers if "Opening" not in a)
    assert "/incident support reply" in refused


@pytest.mark.parametrize(
    ("code", "status", "attempts", "says"),
    [
        ("AccessDeniedException", 400, 1, "AWS denied `support:CreateCase`"),
        ("ThrottlingException", 400, 5, "AWS Support is throttling `support:CreateCase`"),
        ("InternalServerError", 500, 5, "AWS Support is unavailable right now"),
    ],
)
def test_aws_errors_reach_the_asker_and_leave_nothing_behind(
    bot: BotHarness, aws: AwsSupportEmulator, code: str, status: int, attempts: int, says: str
) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    aws.fail_next(code, status=status, operation="CreateCase", times=attempts)  # retries: 5

    bot.command("support open", channel=channel)

    assert says in bot.last_response_text()
    assert [c.error for c in aws.calls_to("CreateCase")] == [code] * attempts
    assert aws.cases == []
    assert stored_cases(bot) == []
    assert support_entries(bot) == []
    bot.command("support open", channel=channel)  # the claim was released: a retry works
    assert len(aws.cases) == 1


def test_a_drill_never_opens_a_real_case(bot: BotHarness, aws: AwsSupportEmulator) -> None:
    aws.set_plan("business")
    channel = bot.declare("--drill sev1 Game day: region lost")

    ack = bot.command("support open", channel=channel).json()["text"]

    assert "This is a drill" in ack
    assert aws.calls_to("CreateCase") == []
    assert stored_cases(bot) == []
    [entry] = support_entries(bot)
    assert entry.text.startswith("Drill: no AWS case was opened")
    assert "`urgent`" in entry.text and "[INC-1 SEV1] Game day: region lost" in entry.text
    assert entry.data["drill"] is True
    assert texts(bot, channel)[-1].startswith(":test_tube: Drill: no AWS case was opened")


# --- /incident support reply ----------------------------------------------------------------


def test_reply_adds_a_message_to_the_case_and_notes_it(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    bot.command("support open", channel=channel)
    bot.clock.advance(minutes=3)

    ack = bot.command(
        "support reply Stack ARN is arn:aws:cloudformation:us-east-1:1:stack/prod <ok>",
        channel=channel,
        user=RESPONDER,
    ).json()["text"]

    [case] = aws.cases
    assert case.display_id in ack
    sent = case.communications[-1]
    assert sent.body == "Stack ARN is arn:aws:cloudformation:us-east-1:1:stack/prod <ok>"
    assert sent.submitted_by == CUSTOMER_SUBMITTER
    entry = support_entries(bot)[-1]
    assert entry.author_id == RESPONDER and sent.body in entry.text
    assert entry.struck_at is None and entry.occurred_at == bot.clock.now()
    posted = texts(bot, channel)[-1]
    assert f"<@{RESPONDER}> wrote on AWS case" in posted and "&lt;ok&gt;" in posted


def test_reply_refuses_empty_long_and_caseless_messages(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("business")
    channel = bot.declare()

    no_case = bot.command("support reply hello", channel=channel).json()["text"]
    assert "no open AWS support case" in no_case and "support open" in no_case
    bot.command("support open", channel=channel)
    empty = bot.command("support reply", channel=channel).json()["text"]
    assert "What should AWS read?" in empty
    too_long = bot.command("support reply " + "x" * 8001, channel=channel).json()["text"]
    assert "at most 8,000 characters" in too_long and "8,001" in too_long
    assert aws.calls_to("AddCommunicationToCase") == []
    assert len(support_entries(bot)) == 1  # only the case being opened


def test_reply_aws_refused_is_told_and_struck_from_the_record(
    bot: BotHarness, aws: AwsSupportEmulator
) -> None:
    aws.set_plan("business")
    channel = bot.declare()
    bot.command("support open", channel=channel)
    aws.fail_next("AccessDeniedException", operation="AddCommunicationToCase")

    bot.command("support reply please hurry", channel=channel)

    told = bot.last_response_text()
    assert "AWS denied `support:AddCommunicationToCase`" in told
    assert "Send it again" in told
    entry = support_entries(bot)[-1]
    assert "please hurry" in entry.text and entry.struck_at is not None
    assert "wrote on AWS case" not in texts(bot, channel)[-1]


def test_a_case_opens_at_aws_time_so_the_first_response_is_never_negative(
    database_url: str, clock: FixedClock, no_backoff: None
) -> None:
    """The bot's clock reads a little later than AWS's once the create call has returned;
    the case's opening time is AWS's own `timeCreated`, on the clock its replies use."""
    aws_clock = FixedClock(clock.now())
    with AwsSupportEmulator(plan="business", clock=aws_clock) as aws:
        bot = start_bot(
            database_url,
            clock,
            AwsSupport(session=dummy_session(), endpoint_url=aws.endpoint_url),
        )
        try:
            channel = bot.declare()
            aws_clock.advance(minutes=5)
            bot.clock.advance(minutes=5, seconds=3)  # the bot's clock reads 3 s later
            bot.command("support open", channel=channel)
            [row] = stored_cases(bot)
            assert row.opened_at == aws_clock.now() < bot.clock.now()
        finally:
            bot.close()
