"""The background worker every backend process runs: it picks up runs that are waiting or whose
worker died (expired lease) and drives them, several at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from projecthub.services.provisioning import ledger
from projecthub.services.provisioning.runner import RunnerConfig, drive_run

log = logging.getLogger("projecthub.provisioning")


class ProvisioningWorker:
    def __init__(self, config: RunnerConfig, *, poll_seconds: float = 1.0) -> None:
        self.config = config
        self.poll_seconds = poll_seconds
        self._inflight: dict[uuid.UUID, asyncio.Task[object]] = {}

    def _waiting_runs(self) -> list[uuid.UUID]:
        with self.config.session_factory() as session:
            return ledger.system_abandoned_runs(session)

    async def tick(self) -> list[uuid.UUID]:
        """Start a task for each waiting run not already being driven here."""
        started = []
        for run_id in await asyncio.to_thread(self._waiting_runs):
            if run_id not in self._inflight:
                task = asyncio.create_task(self._drive(run_id))
                self._inflight[run_id] = task
                started.append(run_id)
        return started

    async def _drive(self, run_id: uuid.UUID) -> object:
        try:
            return await drive_run(run_id, self.config)
        except Exception:  # keep the worker alive; the run stays claimable after its lease
            log.exception("provisioning run %s stopped unexpectedly", run_id)
            return None
        finally:
            self._inflight.pop(run_id, None)

    async def drain(self) -> None:
        """Wait for the runs in flight (tests, graceful shutdown)."""
        while self._inflight:
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a database hiccup must not end the worker
                log.exception("provisioning worker tick failed")
            await asyncio.sleep(self.poll_seconds)

    async def stop(self) -> None:
        for task in list(self._inflight.values()):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*list(self._inflight.values()), return_exceptions=True)
