"""The change cycle with Productive: its activity feed says which projects changed, so a steady
cycle reads again only those (a task on the project, or time on one of its budgets), and a
failed query keeps the cursor for the next cycle."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from projecthub.models import ProjectResource, StatusSnapshot, SyncCursor
from projecthub.sandbox import Fault
from projecthub.sandbox.productive_state import STARTED
from tests.services.provisioning.world import TENANT, build_world
from tests.services.status.test_changes import cycle, jira, provisioned

WITH_BUDGET = {"project_type": "client", "productive_mode": "create",
               "budget_type": "time_and_materials", "budget_amount": 5000,
               "billable_hours": 40}


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
async def two(world, db):
    """WEBX and MOBX, each a Jira project and a Productive project with a budget."""
    jira(world).now = world.clock.now
    web = await provisioned(world, db, **WITH_BUDGET)
    mobile = await provisioned(world, db, name="Mobile app", key="MOBX", **WITH_BUDGET)
    return web, mobile


def productive(world):
    return world.sandbox.vendors["productive"].tenant(TENANT)


def external_id(db, project):
    return db.exec(select(ProjectResource.external_id).where(
        ProjectResource.project_id == project.id, ProjectResource.tool == "productive",
        ProjectResource.kind == "project")).one()


def figures(db, project):
    """The project's Productive summary and when it was read."""
    db.expire_all()
    snap = db.exec(select(StatusSnapshot).where(StatusSnapshot.project_id == project.id,
                                                StatusSnapshot.tool == "productive")).one()
    return snap.data, snap.fetched_at


def productive_cursor(db, world):
    db.expire_all()
    return db.get(SyncCursor, uuid.UUID(world.connection_ids["productive"]))


async def test_productive_has_a_change_query_so_a_steady_cycle_skips_unchanged_projects(
        world, db, two):
    web, mobile = two
    first = await cycle(world)
    assert (first.connections, first.cursors_moved) == (2, 2)
    _, web_read = figures(db, web)
    _, mobile_read = figures(db, mobile)
    prod = productive(world)
    world.clock.advance(60)
    prod.add_task(external_id(db, web), "Changed since the last cycle", category=STARTED)
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.projects, outcome.cursors_moved) == (1, 1, 2)
    data, read_at = figures(db, web)
    assert (data.tasks_started, read_at) == (1, world.clock.now())
    assert read_at != web_read and figures(db, mobile)[1] == mobile_read
    assert (await cycle(world)).resources_read == 0


async def test_time_on_a_budget_reads_its_project_again(world, db, two):
    web, mobile = two
    await cycle(world)
    _, web_read = figures(db, web)
    prod = productive(world)
    project_id = external_id(db, mobile)
    service = next(s for s in prod.table("services").values()
                   if prod.table("deals")[s.deal_id].project_id == project_id)
    before = figures(db, mobile)[0].worked_minutes
    prod.track_time(service.id, 90)
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.projects) == (1, 1)
    data, read_at = figures(db, mobile)
    assert (data.worked_minutes, read_at) == (before + 90, world.clock.now())
    assert figures(db, web)[1] == web_read


async def test_a_failed_productive_query_keeps_its_cursor_and_the_next_cycle_asks_again(
        world, db, two):
    web, _ = two
    await cycle(world)
    checked = productive_cursor(db, world).checked_at
    prod = productive(world)
    prod.add_task(external_id(db, web), "During the outage")
    faults = world.sandbox.vendors["productive"].faults
    faults.add(Fault(kind="status", status=500, times=None, path_prefix="/api/v2/activities"))
    outcome = await cycle(world)
    assert (outcome.queries_failed, outcome.resources_read, outcome.cursors_moved) == (1, 0, 1)
    assert productive_cursor(db, world).checked_at == checked
    faults.clear()
    outcome = await cycle(world)
    assert (outcome.projects, outcome.cursors_moved) == (1, 2)
    assert figures(db, web)[0].tasks_not_started == 1
