"""The product story as a fixed postmortem: INC-1 "Production environment deleted".

A CloudFormation deploy got stuck in UPDATE_ROLLBACK_FAILED at 03:20 PDT on 2026-09-16; the
production stack was deleted to retry it and took the DynamoDB tables (no point-in-time
recovery) with it. The account had no support plan with API access; Business support was
bought mid-incident and a critical case opened. The team spans Los Angeles, Nairobi, Lusaka
and Accra. Early entries were logged afterwards (backdated).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.incident import Severity, Status
from bot.export import (
    Analysis,
    Followup,
    ImpactChange,
    ImpactSurface,
    IncidentFacts,
    Participant,
    Postmortem,
    RunbookStep,
    SupportFacts,
    TimelineEntry,
    Transition,
    build_postmortem,
)
from bot.export.model import AwsHealthEvent, Update

TEAM_ZONES = ("America/Los_Angeles", "Africa/Nairobi", "Africa/Lusaka", "Africa/Accra")


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """An instant on 2026-09-16, in UTC."""
    return datetime(2026, 9, 16, hour, minute, second, tzinfo=UTC)


DECLARED = at(11, 2)
RESOLVED = at(14, 40)


def incident(**changes: object) -> IncidentFacts:
    facts = {
        "reference": "INC-1",
        "title": "Production environment deleted",
        "severity": Severity.SEV1,
        "status": Status.RESOLVED,
        "commander": "U0CMDR",
        "declared_at": DECLARED,
        "resolved_at": RESOLVED,
        "summary": (
            "A stuck CloudFormation rollback led to deleting the production stack.\n"
            "The DynamoDB tables had no point-in-time recovery."
        ),
        "channel": "inc-1-production-environment-deleted",
    }
    facts.update(changes)
    return IncidentFacts.model_validate(facts)


def timeline() -> list[TimelineEntry]:
    # Deliberately not in order: the builder orders by when things happened.
    return [
        TimelineEntry(
            occurred_at=DECLARED,
            recorded_at=DECLARED,
            author="U0CMDR",
            kind="declared",
            text="Declared sev1: Production environment deleted",
        ),
        TimelineEntry(
            occurred_at=at(10, 20),  # 03:20 PDT
            recorded_at=at(11, 5),
            author="U0DEV1",
            kind="note",
            text="CloudFormation deploy of prod-stack stuck in UPDATE_ROLLBACK_FAILED",
        ),
        TimelineEntry(
            occurred_at=at(10, 41),
            recorded_at=at(11, 6),
            author="U0DEV1",
            kind="note",
            text="Deleted prod-stack to retry the deploy; the DynamoDB tables went with it",
            permalink="https://example.slack.com/archives/C0INC1/p1789557660000100",
        ),
        TimelineEntry(
            occurred_at=at(10, 55),
            recorded_at=at(11, 8),
            author="U0DEV2",
            kind="note",
            text=(
                "Confirmed: no point-in-time recovery on the tables. "
                "<@U0DEV1> should have known the stack had no termination protection."
            ),
        ),
        TimelineEntry(
            occurred_at=at(11, 10),
            recorded_at=at(11, 10),
            author="U0CMDR",
            kind="support",
            text="No support plan with API access (Basic). Buying Business support.",
        ),
        TimelineEntry(
            occurred_at=at(11, 24),
            recorded_at=at(11, 24),
            author="U0CMDR",
            kind="support",
            text="AWS support case opened at critical severity",
        ),
        TimelineEntry(
            occurred_at=at(11, 30),
            recorded_at=at(11, 30),
            author="U0CMDR",
            kind="status",
            text="Status: investigating to identified",
            to_status=Status.IDENTIFIED,
        ),
        TimelineEntry(
            occurred_at=at(11, 58),
            recorded_at=at(11, 58),
            author="AWS Support",
            kind="support",
            text="AWS: we are looking into restoring the deleted tables from internal backups",
        ),
        TimelineEntry(
            occurred_at=at(13, 5),
            recorded_at=at(13, 5),
            author="U0CMDR",
            kind="status",
            text="Status: identified to monitoring",
            to_status=Status.MONITORING,
        ),
        TimelineEntry(
            occurred_at=RESOLVED,
            recorded_at=RESOLVED,
            author="U0CMDR",
            kind="status",
            text="Status: monitoring to resolved",
            to_status=Status.RESOLVED,
        ),
    ]


def participants() -> list[Participant]:
    return [
        Participant(
            user="U0CMDR",
            state="released",
            needed_seconds=13_680,  # 11:02-14:50
            transitions=[
                Transition(to_state="needed", at=DECLARED, by="U0CMDR"),
                Transition(
                    from_state="needed",
                    to_state="released",
                    at=at(14, 50),
                    by="U0CMDR",
                    reason="incident resolved",
                ),
            ],
        ),
        Participant(
            user="U0DEV1",
            state="released",
            needed_seconds=13_080,  # 11:02-14:40
            transitions=[
                Transition(to_state="needed", at=DECLARED, by="U0CMDR"),
                Transition(from_state="needed", to_state="released", at=RESOLVED, by="U0CMDR"),
            ],
        ),
        Participant(
            user="U0NBO1",
            state="standby",
            needed_seconds=3_480,  # 11:05-12:03
            transitions=[
                Transition(to_state="needed", at=at(11, 5), by="U0CMDR"),
                Transition(
                    from_state="needed",
                    to_state="standby",
                    at=at(12, 3),
                    by="U0CMDR",
                    reason="gave what we needed; reachable if the restore fails",
                ),
            ],
        ),
    ]


def support() -> SupportFacts:
    return SupportFacts(
        plan="business",
        case_id="case-123456789012-muen-2026-3f1a2b",
        severity="critical",
        opened_at=at(11, 24),
        first_response_at=at(11, 58),
    )


def followups() -> list[Followup]:
    return [
        Followup(
            text="Enable DynamoDB point-in-time recovery on every production table <@U0DEV2>",
            author="U0CMDR",
            created_at=at(14, 45),
            number=1,
            owner="U0DEV2",
            due=date(2026, 9, 30),
        ),
        Followup(
            text="Turn on termination protection for production stacks",
            author="U0DEV2",
            created_at=at(14, 46),
            number=2,
            status="done",
            done_at=at(14, 50),
            done_by="U0DEV2",
        ),
        Followup(
            text="Keep Business support on the production account; run a game day each quarter",
            author="U0CMDR",
            created_at=at(14, 47),
            number=3,
            owner="U0CMDR",
        ),
    ]


def runbook_steps() -> list[RunbookStep]:
    return [
        RunbookStep(
            runbook_id="cfn-rollback-failed",
            step="Check the stack events for the resource that failed to roll back",
            ticked_by="U0DEV1",
            ticked_at=at(11, 15),
        ),
    ]


def impact() -> list[ImpactSurface]:
    return [
        ImpactSurface(
            surface="Store apps", status="ok", note=None, since=at(11, 20), changed_at=at(11, 20)
        ),
        ImpactSurface(
            surface="Vendor web app",
            status="ok",
            note="data flowing again",
            since=RESOLVED,
            changed_at=RESOLVED,
        ),
    ]


def impact_history() -> list[ImpactChange]:
    return [
        ImpactChange(surface="Store apps", status="ok", at=at(11, 20)),
        ImpactChange(surface="Vendor web app", status="down", at=at(11, 20)),
        ImpactChange(surface="Vendor web app", status="ok", at=RESOLVED),
    ]


def analysis() -> Analysis:
    return Analysis(
        trigger="A CloudFormation deploy of prod-stack stuck in UPDATE_ROLLBACK_FAILED.",
        root_cause=(
            "The production stack had no termination protection and its DynamoDB tables "
            "no point-in-time recovery, so deleting the stack deleted the data."
        ),
        went_well="AWS Support restored the orders table from its internal backups.",
    )


def updates() -> list[Update]:
    return [
        Update(
            text="Orders data is being restored from AWS internal backups; checkout works.",
            author="U0CMDR",
            posted_at=at(12, 30),
        )
    ]


def aws_health() -> list[AwsHealthEvent]:
    return [
        AwsHealthEvent(
            arn="arn:aws:health:us-east-1::event/DYNAMODB/AWS_DYNAMODB_API_ISSUE/1",
            service="DYNAMODB",
            region="us-east-1",
            event_type="AWS_DYNAMODB_API_ISSUE",
            status="closed",
            start_time=at(11, 10),
            last_updated=at(12, 40),
        )
    ]


def postmortem() -> Postmortem:
    return build_postmortem(
        incident=incident(),
        timeline=timeline(),
        participants=participants(),
        support=support(),
        followups=followups(),
        runbook_steps=runbook_steps(),
        team_timezones=TEAM_ZONES,
        generated_at=at(15, 0),
        impact=impact(),
        impact_history=impact_history(),
        analysis=analysis(),
        updates=updates(),
        aws_health=aws_health(),
    )
