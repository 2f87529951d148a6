"""What the postmortem shows of AWS Health and restore drills, read in one place so
`load_postmortem` gains two arguments; one statement each, whatever the incident's size."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.export.model import AwsHealthEvent, RestoreDrillMetric
from bot.store import drill_repo, health_repo


def aws_health_export(session: Session, number: int) -> list[AwsHealthEvent]:
    return [
        AwsHealthEvent(
            arn=event.arn,
            service=event.service,
            region=event.region,
            event_type=event.event_type,
            status=event.status,
            start_time=event.start_time,
            last_updated=event.last_updated,
        )
        for event in health_repo.latest_notices(session, number)
    ]


def restore_drill_export(session: Session, number: int) -> dict[str, RestoreDrillMetric]:
    """Per table drilled in the incident: the latest drill's RTO and whether it matched."""
    return {
        run.table_name: RestoreDrillMetric(rto_seconds=run.rto_seconds, matched=run.matched)
        for run in drill_repo.incident_runs(session, number)
    }
