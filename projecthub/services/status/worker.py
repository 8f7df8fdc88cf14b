"""The background status sync every backend process runs: refresh due projects, a few at a
time; the lease on each project's status row keeps two workers off the same project."""

from __future__ import annotations

import asyncio
import logging
import uuid

from projecthub.services.status.sync import SyncConfig, due_projects, refresh_project

log = logging.getLogger("projecthub.status")


class StatusSyncWorker:
    def __init__(self, config: SyncConfig, *, concurrency: int = 8,
                 poll_seconds: float = 15.0) -> None:
        self.config = config
        self.poll_seconds = poll_seconds
        self._slots = asyncio.Semaphore(concurrency)

    async def _refresh(self, project_id: uuid.UUID) -> None:
        async with self._slots:
            try:
                await refresh_project(project_id, self.config)
            except Exception:  # one project's trouble must not stop the others
                log.exception("status sync of project %s failed", project_id)

    async def sync_due(self) -> int:
        """Refresh every project that is due now; returns how many were attempted."""
        def due() -> list[uuid.UUID]:
            with self.config.session_factory() as session:
                return list(due_projects(session, self.config.now()))

        project_ids = await asyncio.to_thread(due)
        await asyncio.gather(*(self._refresh(p) for p in project_ids))
        return len(project_ids)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.sync_due()
            except Exception:
                log.exception("status sync pass failed")
            await asyncio.sleep(self.poll_seconds)
