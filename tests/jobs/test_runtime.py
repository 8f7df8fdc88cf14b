"""The web process's lifespan starts the job engine on a thread of its own, hands the services
its queue, and takes both away on shutdown."""

from __future__ import annotations

import pytest

from projecthub.core.config import settings
from projecthub.jobs.local import LocalDispatcher
from projecthub.jobs.runtime import EngineQueue
from projecthub.services import dispatch


@pytest.mark.usefixtures("engine")  # the migrated test database
async def test_the_lifespan_installs_the_engine_queue_and_removes_it(monkeypatch):
    from projecthub.app import background_jobs

    monkeypatch.setattr(settings, "WORKERS", "off")  # queue only: no worker in this test
    async with background_jobs():
        queue = dispatch._queue
        assert isinstance(queue, EngineQueue)
        assert queue._loop.is_running()
        # SQLite has no worker processes: it runs the jobs in process even with WORKERS=off.
        assert isinstance(queue._deferrer, LocalDispatcher) != settings.uses_job_engine
    assert not isinstance(dispatch._queue, EngineQueue)
