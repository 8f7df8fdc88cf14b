"""A deferrer that records jobs instead of queueing them, and contexts over a test world."""

from __future__ import annotations

from dataclasses import dataclass, field

from projecthub.jobs import work
from projecthub.services.status.sync import SyncConfig
from tests.services.provisioning.world import World


@dataclass
class Recorder:
    """Keeps one waiting job per queueing lock, like the engines do."""

    jobs: list[work.Job] = field(default_factory=list)

    async def defer(self, job: work.Job) -> bool:
        if job.queueing_lock and any(j.queueing_lock == job.queueing_lock for j in self.jobs):
            return False
        self.jobs.append(job)
        return True


def context_for(world: World, deferrer: work.Deferrer, *, worker: str = "worker-test",
                lease_seconds: int = 60) -> work.Context:
    runner = world.config(worker=worker, lease_seconds=lease_seconds)
    return work.Context(deferrer, runner, SyncConfig(
        session_factory=runner.session_factory, tools_factory=runner.tools_factory,
        now=world.clock.now))
