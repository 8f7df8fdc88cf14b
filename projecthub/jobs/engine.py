"""The procrastinate side (PostgreSQL): the App, its tasks and periodic tasks built from
:mod:`projecthub.jobs.work` and :mod:`projecthub.jobs.periodic`, and the recovery of jobs whose
worker stopped sending heartbeats.

Schema: installed by Alembic (``alembic/versions/0007_jobs.py``) from procrastinate's own
``SchemaManager``, never by the workers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import exceptions, jobs
from procrastinate.retry import BaseRetryStrategy, RetryDecision
from sqlalchemy import make_url

from projecthub.core.config import settings
from projecthub.jobs import work
from projecthub.jobs.periodic import PERIODIC, Periodic
from projecthub.services import mail_sender

log = logging.getLogger("projecthub.jobs")
STALLED_RECOVERY = "recover-stalled-jobs"


def conninfo(database_url: str) -> str:
    """psycopg's form of the SQLAlchemy URL (``postgresql+psycopg://`` → ``postgresql://``)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


class MailRetry(BaseRetryStrategy):
    """Retry a message exactly when the outbox allows its next attempt (its back-off), and no
    more often than the outbox's own attempt limit."""

    def get_retry_decision(self, *, exception: BaseException,
                           job: jobs.Job) -> RetryDecision | None:
        if isinstance(exception, work.MailNotSent) and job.attempts < mail_sender.MAX_ATTEMPTS:
            return RetryDecision(retry_at=exception.retry_at)
        return None


class ProcrastinateDeferrer:
    def __init__(self, app: procrastinate.App) -> None:
        self.app = app

    async def defer(self, job: work.Job) -> bool:
        options: dict[str, Any] = {"queue": job.queue, "queueing_lock": job.queueing_lock}
        if job.run_at is not None:
            options["schedule_at"] = job.run_at
        try:
            await self.app.configure_task(job.task, **options).defer_async(**job.args)
        except exceptions.AlreadyEnqueued:
            return False
        return True


async def recover_stalled_jobs(app: procrastinate.App, stalled_seconds: float) -> int:
    """Jobs still marked as running on a worker whose heartbeat stopped go back to the queue
    (another worker picks them up; the ledger decides what is left to do). When a fresh copy
    already waits (its queueing lock), the stalled one is closed as failed instead."""
    recovered = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
        try:
            await app.job_manager.retry_job(job)
        except exceptions.UniqueViolation:
            await app.job_manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
            log.warning("job %s (%s) of a stalled worker closed: a copy is already queued",
                        job.id, job.task_name)
            continue
        recovered += 1
        log.warning("job %s (%s) of a stalled worker handed back to the queue", job.id,
                    job.task_name)
    return recovered


def _register_task(app: procrastinate.App, name: str, queue: str,
                   run: Callable[..., Any], retry: BaseRetryStrategy | None = None) -> Any:
    async def task(**kwargs: Any) -> Any:
        return await run(**kwargs)

    task.__name__ = task.__qualname__ = name.replace("-", "_").replace(":", "_")
    return app.task(name=name, queue=queue, retry=retry or False, pass_context=False)(task)


def _register_periodic(app: procrastinate.App, context: work.Context, periodic: Periodic) -> None:
    async def tick(timestamp: int) -> None:
        await periodic.run(context, datetime.fromtimestamp(timestamp, UTC))

    task = _register_task(app, f"periodic:{periodic.name}", "periodic", tick)
    app.periodic(cron=periodic.cron, periodic_id=periodic.name)(task)


def build_app(database_url: str | None = None,
              context_factory: Callable[[work.Deferrer], work.Context] = work.default_context,
              ) -> procrastinate.App:
    """An App with every task registered; open it (``open_async``) before use."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(database_url or settings.DATABASE_URL),
        # each queue's worker holds a listening connection and briefly one per job it fetches
        min_size=1, max_size=settings.WORKER_CONCURRENCY + 2 * len(work.QUEUES))
    app = procrastinate.App(connector=connector)
    context = context_factory(ProcrastinateDeferrer(app))
    for name, (queue, function) in work.TASKS.items():

        async def run(function: work.Task = function, **kwargs: Any) -> Any:
            return await function(context, **kwargs)

        _register_task(app, name, queue, run, MailRetry() if name == "send_mail" else None)
    for periodic in PERIODIC:
        _register_periodic(app, context, periodic)

    async def recover(_context: work.Context, _at: datetime) -> None:
        await recover_stalled_jobs(app, settings.WORKER_STALLED_SECONDS)

    _register_periodic(app, context, Periodic(STALLED_RECOVERY, PERIODIC[0].every, recover))
    return app


__all__ = ["MailRetry", "ProcrastinateDeferrer", "build_app", "conninfo", "recover_stalled_jobs"]
