"""A worker whose run lease was taken over (it stalled past the lease, and another worker
resumed the run) stops its own steps instead of racing the new owner."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.models import ProvisioningRun, ProvisioningStep, StepStatus
from projecthub.services.provisioning import service
from projecthub.services.provisioning.actions.base import StepContext, StepOutcome
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import answers, build_world


async def test_a_lost_lease_cancels_the_steps_in_flight(db):
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def slow(_context: StepContext) -> StepOutcome:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("never finishes")

    config = world.config(worker="stalled")
    config = replace(config, lease=timedelta(seconds=0.6),
                     actions=dict.fromkeys(config.actions, slow))
    driving = asyncio.create_task(drive_run(run.id, config))
    await asyncio.wait_for(started.wait(), 10)
    row = db.get(ProvisioningRun, run.id)
    row.lease_owner, row.lease_until = "the-new-owner", utcnow() + timedelta(minutes=5)
    db.add(row)
    db.commit()
    assert await asyncio.wait_for(driving, 10) is None
    assert cancelled.is_set()
    db.expire_all()
    steps = db.exec(select(ProvisioningStep).where(ProvisioningStep.run_id == run.id)).all()
    assert StepStatus.SUCCEEDED not in {s.status for s in steps}
    assert db.get(ProvisioningRun, run.id).lease_owner == "the-new-owner"


async def test_a_cancelled_run_lets_its_step_finish(db):
    """Cancelling is not losing the lease: the step calling a tool finishes and is recorded."""
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    started, release = asyncio.Event(), asyncio.Event()

    async def waits(_context: StepContext) -> StepOutcome:
        started.set()
        await release.wait()
        return StepOutcome(external_id="X-1", url="", message="done")

    config = world.config()
    config = replace(config, lease=timedelta(seconds=0.6),
                     actions=dict.fromkeys(config.actions, waits))
    driving = asyncio.create_task(drive_run(run.id, config))
    await asyncio.wait_for(started.wait(), 10)
    service.cancel_run(db, world.owner_principal, run.id)
    db.commit()
    await asyncio.sleep(0.5)  # a renewal or two see the cancelled run
    release.set()
    assert (await asyncio.wait_for(driving, 10)).value == "cancelled"
    db.expire_all()
    statuses = {s.status for s in db.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run.id)).all()}
    assert StepStatus.SUCCEEDED in statuses
