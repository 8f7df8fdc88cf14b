"""Everything that runs on a schedule, in one list: procrastinate periodic tasks on PostgreSQL
(one worker defers each tick, whatever the number of workers), a timer per entry in process on
SQLite. Register other periodic maintenance with ONE line in :data:`MAINTENANCE`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from projecthub.core.clock import utcnow
from projecthub.core.db import session_scope
from projecthub.jobs import work
from projecthub.services.audit_export import purge_expired_audit
from projecthub.services.status import schedule
from projecthub.services.webhooks.receive import purge_expired_deliveries


@dataclass(frozen=True)
class Periodic:
    """``run(context, at)`` every ``every``; ``at`` is the tick it runs for."""

    name: str
    every: timedelta
    run: Callable[[work.Context, datetime], Awaitable[object]]

    @property
    def cron(self) -> str:
        """The schedule as procrastinate's cron (a sixth field is seconds)."""
        seconds = int(self.every.total_seconds())
        if seconds < 60 and 60 % seconds == 0:
            return f"* * * * * */{seconds}"
        if seconds % 86400 == 0:
            return f"0 0 */{seconds // 86400} * *"
        if seconds % 3600 == 0:
            return f"0 */{seconds // 3600} * * *"
        if seconds % 60 == 0 and 60 % (seconds // 60) == 0:
            return f"*/{seconds // 60} * * * *"
        raise ValueError(f"{self.name}: every {self.every} has no cron form")


def maintenance(name: str, every: timedelta, work_: Callable[[Session], object]) -> Periodic:
    """A service function taking a session, run in a unit of work of its own on a worker thread
    (so it commits as one transaction and never blocks an event loop)."""
    def in_unit_of_work() -> None:
        with session_scope() as session:
            work_(session)

    async def run(_context: work.Context, _at: datetime) -> None:
        await asyncio.to_thread(in_unit_of_work)

    return Periodic(name, every, run)


# Periodic maintenance: one line each, e.g.
#     maintenance("audit-retention", timedelta(hours=1), audit.purge_expired),
# with ``purge_expired(session)`` a service function that does its work on the session it gets.
def _purge_expired_audit(session: Session) -> None:
    purge_expired_audit(session, utcnow())


def _purge_webhook_deliveries(session: Session) -> None:
    purge_expired_deliveries(session, utcnow())


MAINTENANCE: list[Periodic] = [
    maintenance("audit-retention", timedelta(hours=1), _purge_expired_audit),
    maintenance("webhook-deliveries", timedelta(hours=1), _purge_webhook_deliveries),
]

PERIODIC: list[Periodic] = [
    Periodic("resume-runs", timedelta(seconds=10), work.resume_runs),
    Periodic("plan-status-sync", schedule.WINDOW, work.plan_status_sync),
    Periodic("sweep-outbox", timedelta(minutes=1), work.sweep_outbox),
    Periodic("deliver-notifications", timedelta(minutes=1), work.deliver_notifications),
    Periodic("renew-webhooks", timedelta(hours=1), work.renew_webhooks),
    *MAINTENANCE,
]

__all__ = ["MAINTENANCE", "PERIODIC", "Periodic", "maintenance"]
