"""Running the job engine: on a thread of its own inside a web process (so no job's database
work or vendor call ever runs on the event loop that serves people), or as the whole of a
``projecthub worker`` process. docs/architecture.md §12.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import signal
import socket
import threading
import uuid
from collections.abc import Iterable
from typing import Any

import procrastinate
from procrastinate.worker import Worker

from projecthub.core import metrics
from projecthub.core.config import settings
from projecthub.jobs import work
from projecthub.jobs.engine import ProcrastinateDeferrer, build_app
from projecthub.jobs.local import LocalDispatcher

log = logging.getLogger("projecthub.jobs")
START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


def worker_options(concurrency: int, queues: Iterable[str] | None) -> dict[str, Any]:
    """The same heartbeat, stall and shutdown settings for every worker, wherever it runs."""
    names = list(queues) if queues else None
    return {
        "concurrency": concurrency, "queues": names,
        "name": "-".join([socket.gethostname(), str(os.getpid()), *(names or ["all"])]),
        "update_heartbeat_interval": settings.WORKER_HEARTBEAT_SECONDS,
        "stalled_worker_timeout": settings.WORKER_STALLED_SECONDS,
        "install_signal_handlers": False,  # stopped by cancellation (run_workers)
        # A job still running after this is abandoned: its run's lease lapses and the run
        # resumes elsewhere, looking up every step before creating anything.
        "shutdown_graceful_timeout": float(STOP_TIMEOUT_S),
        "delete_jobs": "successful",
    }


class EngineQueue:
    """The services' :class:`~projecthub.services.dispatch.JobQueue`: hands each notice to the
    engine's loop without waiting (it may be called on the loop that serves people)."""

    def __init__(self, deferrer: work.Deferrer, loop: asyncio.AbstractEventLoop) -> None:
        self._deferrer, self._loop = deferrer, loop

    def run_ready(self, run_id: uuid.UUID) -> None:
        self._submit(work.provision_job(run_id))

    def mail_queued(self, message_id: uuid.UUID) -> None:
        self._submit(work.mail_job(message_id))

    def webhook_received(self, delivery_id: uuid.UUID) -> None:
        self._submit(work.webhook_job(delivery_id))

    def _submit(self, job: work.Job) -> None:
        future = asyncio.run_coroutine_threadsafe(self._deferrer.defer(job), self._loop)
        future.add_done_callback(_log_failure)


def _log_failure(future: concurrent.futures.Future[bool]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("could not queue a background job (the periodic sweep will): %s",
                  type(future.exception()).__name__)


class BackgroundJobs:
    """The job engine of a web process, on a daemon thread with its own event loop.

    PostgreSQL: a procrastinate App (to defer jobs) and, unless ``PROJECTHUB_WORKERS=off``, a
    worker. SQLite: the in-process :class:`LocalDispatcher`.
    """

    def __init__(self, *, run_worker: bool) -> None:
        self.run_worker = run_worker
        self.queue: EngineQueue | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="projecthub-jobs", daemon=True)

    def start(self) -> EngineQueue:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self.queue is None:
            raise RuntimeError("the background job engine did not start")
        return self.queue

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(STOP_TIMEOUT_S + 5)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except Exception:
            log.exception("the background job engine stopped")
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        if settings.uses_job_engine:
            await self._serve_procrastinate(self._stop)
        else:
            dispatcher = LocalDispatcher()
            self.queue = EngineQueue(dispatcher, self._loop)
            metrics.report_local_jobs(dispatcher.stats)
            self._ready.set()
            await dispatcher.run(self._stop)

    async def _serve_procrastinate(self, stop: asyncio.Event) -> None:
        app = build_app()
        async with app.open_async():
            self.queue = EngineQueue(ProcrastinateDeferrer(app), asyncio.get_running_loop())
            self._ready.set()
            if not self.run_worker:
                await stop.wait()
                return
            await run_workers(app, settings.WORKER_CONCURRENCY, None, stop)


async def run_workers(app: procrastinate.App, concurrency: int, queues: Iterable[str] | None,
                      stop: asyncio.Event) -> None:
    """One procrastinate worker per queue, each with ``concurrency`` slots of its own: with one
    shared pool, a burst of status syncs (an import of hundreds of projects) would hold back every
    provisioning run queued behind it. Setting ``stop`` asks each to stop gracefully (jobs in
    flight finish, the worker unregisters), never by cancellation, which could cut a worker
    off between registering and its first heartbeat and leave its row behind."""
    workers = [Worker(app=app, **{**app.worker_defaults, **worker_options(concurrency, [queue])})
               for queue in (queues or work.QUEUES)]
    running = [asyncio.create_task(worker.run())  # type: ignore[no-untyped-call]
               for worker in workers]
    stopping = asyncio.create_task(_stop_when_set(stop, workers, running))
    try:
        await asyncio.gather(*running)
    finally:
        stopping.cancel()


async def _stop_when_set(stop: asyncio.Event, workers: list[Worker],
                         running: list[asyncio.Task[None]]) -> None:
    """A worker forgets a stop asked before its ``run`` began: ask again until all have ended."""
    await stop.wait()
    while not all(task.done() for task in running):
        for worker in workers:
            worker.stop()  # type: ignore[no-untyped-call]
        await asyncio.wait(running, timeout=0.5)


async def run_worker_process(concurrency: int, queues: Iterable[str] | None) -> None:
    """``projecthub worker``: a procrastinate worker per queue until SIGINT/SIGTERM (jobs in
    flight get a graceful moment to finish)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    app = build_app()
    async with app.open_async():
        await run_workers(app, concurrency, queues, stop)


__all__ = ["BackgroundJobs", "EngineQueue", "run_worker_process", "run_workers", "worker_options"]
