"""The runner starts a step as soon as its own dependencies are done: a slow step elsewhere in
the plan must not hold back a chain it has nothing to do with (no wave barrier)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from projecthub.models import RunStatus
from projecthub.services.provisioning import service
from projecthub.services.provisioning.actions.base import StepContext, StepOutcome
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import all_tools_answers, build_world

SLOW_STEP_PATIENCE = 30.0  # seconds the slow step waits for the chain (generous: CI is loaded)


@pytest.fixture
def world(db):
    return build_world(db)


async def test_a_dependent_step_starts_before_an_unrelated_slow_sibling_finishes(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()
    steps = service.get_run(db, world.owner_principal, run.id).steps
    chain = next(s for s in steps if len(s.depends_on) == 1)  # waits on one step only
    actions = [s.action for s in steps]
    slow = next(s for s in steps if not s.depends_on and s.key not in chain.depends_on
                and actions.count(s.action) == 1)  # unrelated to the chain
    chain_started = asyncio.Event()
    order: list[str] = []

    async def done(ctx: StepContext) -> StepOutcome:
        order.append(ctx.key)
        if ctx.key == chain.key:
            chain_started.set()
        return StepOutcome(external_id=ctx.key, message="done")

    async def slow_action(ctx: StepContext) -> StepOutcome:
        try:
            await asyncio.wait_for(chain_started.wait(), SLOW_STEP_PATIENCE)
        except TimeoutError:
            order.append("slow step gave up waiting")
        order.append(ctx.key)
        return StepOutcome(external_id=ctx.key, message="done")

    config = dataclasses.replace(world.config(), actions=dict.fromkeys(actions, done)
                                 | {slow.action: slow_action})
    assert await drive_run(run.id, config) == RunStatus.SUCCEEDED
    assert order.index(chain.key) < order.index(slow.key)
    assert "slow step gave up waiting" not in order
