"""Steps start as soon as their own dependencies are done: a slow step (a Teams team still being
created) holds back only the steps that need it, never an unrelated branch."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlmodel import select

from projecthub.models import ProvisioningStep, RunStatus, StepStatus
from projecthub.services.provisioning import service
from projecthub.services.provisioning.actions.base import StepContext, StepOutcome
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import all_tools_answers, build_world


async def test_a_slow_step_does_not_hold_back_another_branch(db):
    world = build_world(db)
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()
    steps = db.exec(select(ProvisioningStep).where(ProvisioningStep.run_id == run.id)).all()
    roots = [s for s in steps if not s.depends_on]
    fast_root = next(r for r in roots if any(r.key in s.depends_on for s in steps))
    slow_root = next(r for r in roots if r.key != fast_root.key)
    follower = next(s for s in steps if s.depends_on == [fast_root.key])
    release, follower_done = asyncio.Event(), asyncio.Event()

    async def act(context: StepContext) -> StepOutcome:
        if context.key == slow_root.key:
            await release.wait()
        if context.key == follower.key:
            follower_done.set()
        return StepOutcome(external_id=context.key, url="", message="done")

    config = world.config()
    driving = asyncio.create_task(drive_run(run.id, replace(
        config, actions=dict.fromkeys(config.actions, act))))
    try:
        # With a barrier after each wave of ready steps, the follower waits for the slow root.
        await asyncio.wait_for(follower_done.wait(), 10)
    finally:
        release.set()
    assert await asyncio.wait_for(driving, 10) == RunStatus.SUCCEEDED
    db.expire_all()
    assert {s.status for s in db.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run.id)).all()} == {StepStatus.SUCCEEDED}
