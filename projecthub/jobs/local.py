"""The in-process job engine of the embedded default (SQLite, no worker process): the same task
functions and periodic list as on procrastinate, run on the web process's job thread.

Why not procrastinate's ``InMemoryConnector``: it is a test double (its SQL emulation covers
what procrastinate's own tests need, it is not thread-safe, and its jobs live in one process's
memory anyway). What the embedded mode needs is small: run a job now or at a time, keep one
waiting copy per queueing lock, retry mail at the outbox's next attempt, and tick the periodic
list. Durability comes from the ledger and the outbox, as on PostgreSQL: after a restart the
periodic sweeps queue whatever is unfinished.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from projecthub.core import metrics
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.jobs import work
from projecthub.jobs.periodic import PERIODIC, Periodic

log = logging.getLogger("projecthub.jobs")


@dataclass
class _Waiting:
    job: work.Job
    due: float  # time.time() when it may run


class LocalDispatcher:
    """A :class:`~projecthub.jobs.work.Deferrer` that runs jobs itself; use from one loop."""

    def __init__(self, context_factory: Callable[[work.Deferrer], work.Context] = (
                     work.default_context),
                 *, concurrency: int | None = None,
                 periodic: list[Periodic] | None = None) -> None:
        self.context = context_factory(self)
        self.periodic = PERIODIC if periodic is None else periodic
        # Slots per queue, as procrastinate workers would be given per queue: a burst of status
        # syncs (after importing hundreds of projects) must not hold back a run someone started.
        self._concurrency = concurrency or settings.WORKER_CONCURRENCY
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._waiting: dict[int, _Waiting] = {}
        self._locks: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def defer(self, job: work.Job) -> bool:
        if job.queueing_lock is not None:
            if job.queueing_lock in self._locks:
                return False
            self._locks.add(job.queueing_lock)
        due = job.run_at.timestamp() if job.run_at is not None else time.time()
        task = asyncio.create_task(self._run(job, due))
        self._waiting[id(task)] = _Waiting(job, due)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _run(self, job: work.Job, due: float) -> None:
        await asyncio.sleep(max(0.0, due - time.time()))
        slots = self._slots.setdefault(job.queue, asyncio.Semaphore(self._concurrency))
        async with slots:
            task = asyncio.current_task()
            self._waiting.pop(id(task), None)
            if job.queueing_lock is not None:
                self._locks.discard(job.queueing_lock)  # running now: a new copy may wait
            try:
                await work.TASKS[job.task][1](self.context, **job.args)
            except work.MailNotSent as exc:
                await self.defer(work.Job(job.task, job.args, job.queueing_lock, exc.retry_at))
            except Exception:  # one job's failure must not stop the engine
                log.exception("background job %s failed", job.task)

    def stats(self) -> metrics.JobStats:
        """Jobs ready to run and waiting for a slot, by queue: (count, oldest wait in s)."""
        now = time.time()
        found: dict[str, tuple[int, float]] = {}
        for waiting in self._waiting.values():
            if waiting.due <= now:
                count, oldest = found.get(waiting.job.queue, (0, 0.0))
                found[waiting.job.queue] = (count + 1, max(oldest, now - waiting.due))
        return found

    async def _tick(self, periodic: Periodic) -> None:
        every = periodic.every.total_seconds()
        while True:
            now = utcnow().timestamp()
            tick = (now // every + 1) * every
            await asyncio.sleep(tick - now)
            try:
                await periodic.run(self.context, datetime.fromtimestamp(tick, UTC))
            except Exception:
                log.exception("periodic task %s failed", periodic.name)

    async def run(self, stop: asyncio.Event) -> None:
        """Tick the periodic list until ``stop`` is set, then cancel what is in flight (the
        ledger and the outbox keep its state for the next start)."""
        tickers = [asyncio.create_task(self._tick(p)) for p in self.periodic]
        try:
            await stop.wait()
        finally:
            for task in [*tickers, *self._tasks]:
                task.cancel()
            await asyncio.gather(*tickers, *self._tasks, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until no job is waiting or running (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


__all__ = ["LocalDispatcher"]
