"""The background tasks themselves: plain coroutines that the job engine runs, the same ones on
procrastinate (PostgreSQL) and in process (SQLite). Each one only dispatches: the provisioning
ledger, the status leases and the outbox claims decide what really happens, so a task run twice,
late or on a dead worker's behalf does no harm (docs/architecture.md §12).

Database work runs on worker threads (``asyncio.to_thread``) or inside the runner and the sync,
which are driven on the job engine's own event loop, never the one that serves people.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from projecthub.core.clock import as_utc, utcnow
from projecthub.core.config import settings
from projecthub.core.db import unit_of_work
from projecthub.models import MailStatus, ProvisioningRun, RunStatus
from projecthub.services import mail_sender
from projecthub.services.notifications.delivery import deliver_pending
from projecthub.services.provisioning import ledger
from projecthub.services.provisioning.runner import RunnerConfig, drive_run
from projecthub.services.status.changes import sync_changes as run_change_cycle
from projecthub.services.status.schedule import (
    SyncBatch,
    needs_sync,
    plan_change_cycles,
    plan_sync,
)
from projecthub.services.status.sync import SyncConfig, refresh_project
from projecthub.services.webhooks.receive import system_affected_projects, system_mark_handled
from projecthub.services.webhooks.renewal import renew_subscriptions
from projecthub.services.wiring import new_session, sync_config, tool_clients

log = logging.getLogger("projecthub.jobs")
# Webhooks have a queue of their own: a change someone just made in a tool must not wait behind
# a cycle's bulk syncs (after importing 300 projects, they fill every slot of "status").
QUEUES = ("provisioning", "status", "webhooks", "mail", "periodic")
SYNC_CONCURRENCY = 8  # projects of one batch synced at once
LEASE_MARGIN = timedelta(seconds=1)
# A webhook's project being synced by someone else: try again shortly, a few times (that sync
# may have read the tool before the change).
WEBHOOK_RETRY = timedelta(seconds=2)
WEBHOOK_ATTEMPTS = 30


@dataclass(frozen=True)
class Job:
    """One piece of work to queue: a task name, JSON arguments, and how it is kept unique."""

    task: str
    args: dict[str, Any]
    queueing_lock: str | None = None  # at most one job with this lock waits in the queue
    run_at: datetime | None = None

    @property
    def queue(self) -> str:
        return TASKS[self.task][0]


class Deferrer(Protocol):
    async def defer(self, job: Job) -> bool:
        """Queue the job; ``False`` when a copy with its queueing lock is already waiting."""


class MailNotSent(Exception):
    """A temporary SMTP failure: the job runs again when the outbox allows the next attempt."""

    def __init__(self, retry_at: datetime) -> None:
        super().__init__(f"temporary failure; next attempt at {retry_at.isoformat()}")
        self.retry_at = retry_at


@dataclass(frozen=True)
class Context:
    """What the tasks need from the process that runs them."""

    deferrer: Deferrer
    runner: RunnerConfig
    sync: SyncConfig


def default_context(deferrer: Deferrer) -> Context:
    return Context(deferrer, runner_config(), sync_config())


def runner_config() -> RunnerConfig:
    """The lease owner names the host and process, so an operator (or a test) can tell which
    process holds a run."""
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    return RunnerConfig(session_factory=new_session, tools_factory=tool_clients,
                        worker_id=worker_id,
                        lease=timedelta(seconds=settings.PROVISIONING_LEASE_SECONDS))


# -- the jobs -------------------------------------------------------------------------------------

def provision_job(run_id: uuid.UUID | str, run_at: datetime | None = None) -> Job:
    """The queueing lock keeps one waiting job per run; the run's lease keeps one driver."""
    return Job("provision", {"run_id": str(run_id)}, f"run:{run_id}", run_at)


def mail_job(message_id: uuid.UUID | str) -> Job:
    return Job("send_mail", {"message_id": str(message_id)}, f"mail:{message_id}")


def sync_job(batch: SyncBatch) -> Job:
    return Job("sync_projects", {"project_ids": [str(p) for p in batch.project_ids]}, batch.key,
               batch.run_at)


def refresh_job(project_id: uuid.UUID) -> Job:
    """A project's figures read now, after a run changed it in the tools: a new project shows
    them within seconds rather than at the planner's next tick (up to a minute later)."""
    return Job("sync_projects", {"project_ids": [str(project_id)], "due_only": False},
               f"status-now:{project_id}")


def webhook_job(delivery_id: uuid.UUID | str, attempt: int = 1,
                run_at: datetime | None = None) -> Job:
    return Job("handle_webhook", {"delivery_id": str(delivery_id), "attempt": attempt},
               f"webhook:{delivery_id}", run_at)


def change_job(org_id: uuid.UUID | str) -> Job:
    """One waiting change cycle per organization; the cursors make a late one harmless."""
    return Job("sync_changes", {"org_id": str(org_id)}, f"status-changes:{org_id}")


# -- the tasks ------------------------------------------------------------------------------------

async def provision(context: Context, run_id: str) -> str:
    """Drive the run to its end. When another worker's lease holds it (a dead worker's, say),
    come back when that lease runs out instead of dropping the run."""
    status = await drive_run(uuid.UUID(run_id), context.runner)
    if status == RunStatus.SUCCEEDED:
        await context.deferrer.defer(refresh_job(await asyncio.to_thread(
            _project_of, context, uuid.UUID(run_id))))
    if status is not None:
        return status.value

    def lease_until() -> datetime | None:
        with context.runner.session_factory() as session:
            return ledger.system_lease_until(session, uuid.UUID(run_id))

    until = await asyncio.to_thread(lease_until)
    if until is not None:
        await context.deferrer.defer(provision_job(run_id, as_utc(until) + LEASE_MARGIN))
    return "held elsewhere"


def _project_of(context: Context, run_id: uuid.UUID) -> uuid.UUID:
    with context.runner.session_factory() as session:
        run = session.get(ProvisioningRun, run_id)
        assert run is not None  # it has just finished
        return run.project_id


async def send_mail(context: Context, message_id: str) -> str:  # noqa: ARG001
    """One delivery attempt; a temporary failure raises :class:`MailNotSent` for a retry."""
    status = await mail_sender.deliver(uuid.UUID(message_id))
    if status == MailStatus.PENDING:
        retry_at = await asyncio.to_thread(mail_sender.next_attempt_at, uuid.UUID(message_id))
        if retry_at is not None:
            raise MailNotSent(retry_at)
    return status.value if status is not None else "not due"


async def sync_projects(context: Context, project_ids: list[str], due_only: bool = True) -> int:
    """Refresh a batch's projects, a few at a time, skipping any synced this cycle already
    (unless ``due_only`` is off: a run has just changed them)."""
    slots = asyncio.Semaphore(SYNC_CONCURRENCY)

    def due(project_id: uuid.UUID) -> bool:
        with context.sync.session_factory() as session:
            return needs_sync(session, project_id, context.sync.now())

    async def one(project_id: uuid.UUID) -> bool:
        async with slots:
            if due_only and not await asyncio.to_thread(due, project_id):
                return False
            try:
                return await refresh_project(project_id, context.sync, scheduled=True) is not None
            except Exception:  # one project's trouble must not stop the others
                log.exception("status sync of project %s failed", project_id)
                return False

    done = await asyncio.gather(*(one(uuid.UUID(p)) for p in project_ids))
    return sum(done)


async def handle_webhook(context: Context, delivery_id: str, attempt: int = 1) -> int:
    """Refresh now, whatever the schedule, the projects a verified delivery names; a project
    another worker is syncing is tried again shortly."""
    def affected() -> tuple[Any, list[uuid.UUID]]:
        with unit_of_work(context.sync.session_factory) as session:
            found = system_affected_projects(session, uuid.UUID(delivery_id))
            system_mark_handled(session, uuid.UUID(delivery_id), utcnow())
        return (found.tool, found.project_ids) if found else (None, [])

    tool, project_ids = await asyncio.to_thread(affected)
    held = False
    for project_id in project_ids:
        try:
            held |= await refresh_project(project_id, context.sync, webhook_tool=tool) is None
        except Exception:  # one project's trouble must not stop the others
            log.exception("webhook refresh of project %s failed", project_id)
    if held and attempt < WEBHOOK_ATTEMPTS:
        await context.deferrer.defer(webhook_job(delivery_id, attempt + 1,
                                                 utcnow() + WEBHOOK_RETRY))
    return len(project_ids)


# -- the periodic tasks ---------------------------------------------------------------------------

async def resume_runs(context: Context, at: datetime) -> int:  # noqa: ARG001
    """Backstop: queue every run that should be moving but has no live lease (its start notice
    was lost, or its worker died)."""
    def abandoned() -> list[uuid.UUID]:
        with context.runner.session_factory() as session:
            return ledger.system_abandoned_runs(session)

    return sum([await context.deferrer.defer(provision_job(run_id))
                for run_id in await asyncio.to_thread(abandoned)])


async def plan_status_sync(context: Context, at: datetime) -> int:
    """Queue the status-sync batches of the window starting at ``at``, and the change cycles
    that are due."""
    def plan() -> list[Job]:
        with context.sync.session_factory() as session:
            return [*(sync_job(b) for b in plan_sync(session, at)),
                    *(change_job(o) for o in plan_change_cycles(session, at))]

    return sum([await context.deferrer.defer(job) for job in await asyncio.to_thread(plan)])


async def sync_changes(context: Context, org_id: str) -> int:
    """An organization's change cycle: the projects whose tools report a change are read
    again. Returns how many were."""
    return (await run_change_cycle(uuid.UUID(org_id), context.sync)).projects


async def sweep_outbox(context: Context, at: datetime) -> int:  # noqa: ARG001
    """Backstop: queue every message due for an attempt (queued by a process without the
    engine, such as a CLI command, or whose notice was lost)."""
    if settings.SMTP_URL is None:
        return 0
    return sum([await context.deferrer.defer(mail_job(m))
                for m in await asyncio.to_thread(mail_sender.due_message_ids)])


async def deliver_notifications(context: Context, at: datetime) -> int:  # noqa: ARG001
    """Notifications due now: immediate ones and the daily digests, by mail (through the
    outbox) and as Teams channel messages. Rows are claimed before sending, so several workers
    may run this at once."""
    report = await deliver_pending(new_session, tool_clients)
    return report.mails + report.posts


async def renew_webhooks(context: Context, at: datetime) -> int:  # noqa: ARG001
    """Graph subscriptions ending within a day are renewed (Graph deletes expired ones)."""
    return await renew_subscriptions(context.sync.session_factory, context.sync.tools_factory,
                                     utcnow())


Task = Callable[..., Awaitable[object]]
# name -> (queue, coroutine taking the context and the job's arguments)
TASKS: dict[str, tuple[str, Task]] = {
    "provision": ("provisioning", provision),
    "send_mail": ("mail", send_mail),
    "sync_projects": ("status", sync_projects),
    "handle_webhook": ("webhooks", handle_webhook),
    "sync_changes": ("status", sync_changes),
}

__all__ = ["QUEUES", "TASKS", "Context", "Deferrer", "Job", "MailNotSent", "change_job",
           "default_context", "mail_job", "plan_status_sync", "provision_job", "refresh_job",
           "resume_runs", "runner_config", "sweep_outbox", "sync_changes", "sync_job",
           "webhook_job"]
