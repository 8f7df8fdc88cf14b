"""The change cycle for Microsoft 365: a team is read again only when Graph's group delta names
it (renamed, deleted) or when the delta link is gone, the link is kept with the cursor only after
good reads, and Planner plans (no delta query in v1.0) are still read at every scheduled sync."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ProjectResource, ProjectStatus, StatusSnapshot, SyncCursor
from projecthub.services.status.changes import sync_changes
from projecthub.services.status.sync import refresh_project
from tests.services.drift.setup import sync_config
from tests.services.provisioning.world import TENANT, build_world
from tests.services.status.test_changes import CYCLE, provisioned


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
async def two(world, db):
    """Two projects, each with a team and a plan (no Jira)."""
    return [await provisioned(world, db, name=name, key=key, jira_mode="skip",
                              m365_mode="create", team_name=name, planner=True)
            for name, key in (("Website Relaunch", "WEBX"), ("Mobile App", "MOBX"))]


def graph(world):
    return world.sandbox.vendors["graph"].tenant(TENANT)


def team_of(db, project) -> ProjectResource:
    return db.exec(select(ProjectResource).where(ProjectResource.project_id == project.id,
                                                 ProjectResource.kind == "team")).one()


def snapshot(db, project, kind: str) -> StatusSnapshot:
    db.expire_all()
    return db.exec(select(StatusSnapshot).where(StatusSnapshot.project_id == project.id,
                                                StatusSnapshot.kind == kind)).one()


def token(db) -> str | None:
    db.expire_all()
    return db.exec(select(SyncCursor).where(SyncCursor.tool == "graph")).one().change_token


def rename(world, team_id: str, name: str) -> None:
    """As someone renaming the team in Teams: the group's name changes, and its delta says so."""
    state = graph(world)
    state.groups[team_id].display_name = name
    state.changes.touched(team_id, "displayName")


async def cycle(world):
    world.clock.advance(CYCLE)
    return await sync_changes(world.org.id, sync_config(world))


async def test_the_first_cycle_reads_every_team_but_no_plan_and_keeps_a_delta_link(
        world, db, two):
    outcome = await cycle(world)
    assert (outcome.connections, outcome.resources_read, outcome.cursors_moved) == (1, 2, 1)
    assert all(snapshot(db, p, "team").fetched_at == world.clock.now() for p in two)
    assert not db.exec(select(StatusSnapshot).where(StatusSnapshot.kind == "plan")).all()
    assert "$deltatoken=" in (token(db) or "")


async def test_a_renamed_team_is_read_again_and_an_unchanged_one_is_not(world, db, two):
    web, mobile = two
    await cycle(world)
    kept, mobile_read = token(db), snapshot(db, mobile, "team").fetched_at
    rename(world, team_of(db, web).external_id, "Website Relaunch 2027")
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.projects, outcome.cursors_moved) == (1, 1, 1)
    assert snapshot(db, web, "team").fetched_at == world.clock.now()
    assert snapshot(db, mobile, "team").fetched_at == mobile_read
    assert token(db) != kept
    assert (await cycle(world)).resources_read == 0


async def test_a_deleted_team_is_read_and_its_failure_reported(world, db, two):
    """The team's read is its health: a group deleted in Entra ID fails it and the card says
    why. The failure is recorded, so the next cycles read that team in full and the link moves
    on for the others: a team that stays deleted must not keep the link until Graph forgets
    it (seven days, then every team read at every cycle)."""
    web, mobile = two
    await cycle(world)
    kept = token(db)
    graph(world).remove_group(team_of(db, web).external_id)
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.reads_failed, outcome.cursors_moved) == (1, 1, 1)
    snap = snapshot(db, web, "team")
    assert snap.attempted_at == world.clock.now() and "404" in snap.error
    status = db.get(ProjectStatus, web.id)
    assert status.figures.teams is not None and status.figures.teams.stale
    assert token(db) != kept
    assert not snapshot(db, mobile, "team").error
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.reads_failed, outcome.cursors_moved) == (1, 1, 1)


async def test_an_expired_delta_link_reads_every_team_again(world, db, two):
    await cycle(world)
    kept = token(db)
    graph(world).changes.forget_tokens()
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.cursors_moved) == (2, 1)
    assert all(snapshot(db, p, "team").fetched_at == world.clock.now() for p in two)
    assert token(db) != kept
    assert (await cycle(world)).resources_read == 0


async def test_plans_are_read_at_every_scheduled_sync_teams_only_at_the_full_pass(
        world, db, two):
    web, _ = two
    config = sync_config(world)
    await refresh_project(web.id, config, scheduled=True)
    team_read = snapshot(db, web, "team").fetched_at
    world.clock.advance(30 * 60)
    await refresh_project(web.id, config, scheduled=True)
    assert snapshot(db, web, "plan").fetched_at == world.clock.now()
    assert snapshot(db, web, "team").fetched_at == team_read
    world.clock.advance(12 * 3600)  # the default full_pass_hours
    await refresh_project(web.id, config, scheduled=True)
    assert snapshot(db, web, "team").fetched_at == world.clock.now()
