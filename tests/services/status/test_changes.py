"""The change cycle against the Jira sandbox: the first cycle reads everything, later ones only
the projects Jira names as changed (a window from the cursor, with an overlap), the cursor holds
on failure, a passing due date is a change, and the scheduled sync reads Jira in full only when
the project's full pass is due."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlmodel import select

from projecthub.jobs import work
from projecthub.models import ProjectResource, ProjectStatus, StatusSnapshot, SyncCursor
from projecthub.sandbox import Fault
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.changes import OVERLAP, sync_changes
from projecthub.services.status.schedule import plan_change_cycles
from projecthub.services.status.sync import refresh_project
from tests.jobs.helpers import Recorder, context_for
from tests.services.drift.setup import sync_config
from tests.services.provisioning.world import TENANT, answers, build_world

CYCLE = 15 * 60


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
async def two(world, db):
    """WEBX and MOBX, each a Jira project with one issue to do, on a Jira site that keeps the
    test's clock."""
    jira(world).now = world.clock.now
    web = await provisioned(world, db)
    mobile = await provisioned(world, db, name="Mobile app", key="MOBX")
    site = jira(world)
    for key in ("WEBX", "MOBX"):
        site.add_issue(site.projects[key], "First task", created=world.clock.now())
    return web, mobile


async def provisioned(world, db, **overrides):
    project, run = service.start_project(
        db, world.owner_principal, template_version_id=world.template_version_id,
        answers=answers(world, **overrides))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return project


def jira(world):
    return world.sandbox.vendors["jira"].tenant(TENANT)


def jira_snapshot(db, project) -> StatusSnapshot:
    db.expire_all()
    return db.exec(select(StatusSnapshot).where(StatusSnapshot.project_id == project.id,
                                                StatusSnapshot.tool == "jira")).one()


def figures(db, project):
    """The project's Jira summary and when it was read."""
    snap = jira_snapshot(db, project)
    return snap.data, snap.fetched_at


def cursor(db):
    db.expire_all()
    return db.exec(select(SyncCursor)).one_or_none()


async def cycle(world):
    world.clock.advance(CYCLE)
    return await sync_changes(world.org.id, sync_config(world))


async def test_the_first_cycle_reads_every_project_and_sets_the_cursor(world, db, two):
    web, mobile = two
    assert cursor(db) is None
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.projects, outcome.cursors_moved) == (2, 2, 1)
    assert figures(db, web)[0].to_do == 1 and figures(db, mobile)[0].to_do == 1
    assert cursor(db).checked_at == world.clock.now()


async def test_a_steady_cycle_reads_again_only_the_projects_that_changed(world, db, two):
    web, mobile = two
    await cycle(world)
    _, mobile_read = figures(db, mobile)
    site = jira(world)
    world.clock.advance(60)
    site.add_issue(site.projects["WEBX"], "Second task", created=world.clock.now())
    site.set_status("WEBX-1", "Done")
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.projects, outcome.cursors_moved) == (1, 1, 1)
    data, read_at = figures(db, web)
    assert (data.to_do, data.done, read_at) == (1, 1, world.clock.now())
    assert figures(db, mobile)[1] == mobile_read
    assert cursor(db).checked_at == world.clock.now()
    assert (await cycle(world)).resources_read == 0


async def test_the_window_overlaps_the_last_cycle_so_a_late_indexed_change_is_not_lost(
        world, db, two):
    """A change made just before the last cycle that Jira's index showed only after it (its
    ``updated`` is before the cursor) is still inside the next window; one older than the
    overlap is not asked for again."""
    web, mobile = two
    await cycle(world)
    checked = cursor(db).checked_at
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "Late", created=checked - OVERLAP + timedelta(seconds=5))
    site.add_issue(site.projects["MOBX"], "Too old", created=checked - OVERLAP - timedelta(
        minutes=1))
    outcome = await cycle(world)
    assert outcome.projects == 1
    assert figures(db, web)[0].to_do == 2 and figures(db, mobile)[0].to_do == 1


async def test_a_failed_query_keeps_the_cursor_and_the_next_cycle_asks_again(world, db, two):
    web, _ = two
    await cycle(world)
    checked = cursor(db).checked_at
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "During the outage", created=world.clock.now())
    faults = world.sandbox.vendors["jira"].faults
    faults.add(Fault(kind="status", status=500, times=None, path_prefix="/rest/api/3/search"))
    outcome = await cycle(world)
    assert (outcome.queries_failed, outcome.resources_read, outcome.cursors_moved) == (1, 0, 0)
    assert cursor(db).checked_at == checked
    faults.clear()
    outcome = await cycle(world)
    assert (outcome.projects, outcome.cursors_moved) == (1, 1)
    assert figures(db, web)[0].to_do == 2


async def test_a_failed_read_moves_the_cursor_and_is_read_in_full_until_it_succeeds(
        world, db, two):
    """A failure recorded on the snapshot makes the resource one without a good read, which
    every cycle reads in full: the cursor moves on for the others (one project that keeps
    failing must not widen its connection's window for ever)."""
    web, mobile = two
    await cycle(world)
    checked = cursor(db).checked_at
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "Unlucky", created=world.clock.now())
    faults = world.sandbox.vendors["jira"].faults
    faults.add(Fault(kind="status", status=500, times=None,
                     path_prefix="/rest/api/3/search/approximate-count"))
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.reads_failed, outcome.cursors_moved) == (1, 1, 1)
    assert cursor(db).checked_at > checked
    assert jira_snapshot(db, web).error
    outcome = await cycle(world)  # nothing changed, still failing: read again, and only it
    assert (outcome.resources_read, outcome.reads_failed, outcome.projects) == (1, 1, 1)
    faults.clear()
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.reads_failed) == (1, 0)
    assert figures(db, web)[0].to_do == 2 and not jira_snapshot(db, web).error
    assert (await cycle(world)).resources_read == 0
    assert figures(db, mobile)[0].to_do == 1


async def test_overdue_is_exact_when_a_due_date_passes_without_any_change(world, db, two):
    """WEBX-1 is due on 1 January and nobody touches it: after midnight in the Jira account's
    zone (Berlin) the next cycle reads WEBX again and its overdue count goes up."""
    web, mobile = two
    jira(world).set_due_date("WEBX-1", date(2026, 1, 1))
    await cycle(world)
    assert figures(db, web)[0].overdue == 0
    world.clock.advance(23 * 3600)  # about 23:30 UTC on the 1st: past midnight in Berlin
    outcome = await cycle(world)
    assert outcome.projects == 1
    assert figures(db, web)[0].overdue == 1 and figures(db, mobile)[0].overdue == 0
    assert (await cycle(world)).projects == 0


async def test_without_a_cursor_the_window_starts_at_the_oldest_good_read(world, db, two):
    """Projects read by the full pass are exact up to their read: the first cycle asks what
    changed since then instead of reading them all again."""
    web, mobile = two
    world.clock.advance(10 * 60)  # the issues' creation is older than the overlap
    for project in two:
        await refresh_project(project.id, sync_config(world), scheduled=True)
    site = jira(world)
    world.clock.advance(60)
    site.set_status("MOBX-1", "In Progress")
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.cursors_moved) == (1, 1)
    assert figures(db, mobile)[0].in_progress == 1 and figures(db, web)[0].to_do == 1


async def test_the_scheduled_sync_reads_jira_in_full_only_when_the_full_pass_is_due(
        world, db, two):
    web, _ = two
    config = sync_config(world)
    await refresh_project(web.id, config, scheduled=True)
    data, first_read = figures(db, web)
    full_at = db.get(ProjectStatus, web.id).full_synced_at
    assert full_at == first_read
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "Unseen until a cycle or the full pass",
                   created=world.clock.now())
    world.clock.advance(30 * 60)
    await refresh_project(web.id, config, scheduled=True)
    assert figures(db, web) == (data, first_read)
    db.expire_all()
    status = db.get(ProjectStatus, web.id)
    assert status.synced_at == world.clock.now() and status.full_synced_at == full_at
    world.clock.advance(12 * 3600)  # the default full_pass_hours
    await refresh_project(web.id, config, scheduled=True)
    assert figures(db, web)[0].to_do == 2
    db.expire_all()
    assert db.get(ProjectStatus, web.id).full_synced_at == world.clock.now()


async def test_a_persons_refresh_reads_everything(world, db, two):
    web, _ = two
    config = sync_config(world)
    await refresh_project(web.id, config, scheduled=True)
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "Asked for", created=world.clock.now())
    world.clock.advance(60)
    await refresh_project(web.id, config)
    assert figures(db, web) == (figures(db, web)[0], world.clock.now())
    assert figures(db, web)[0].to_do == 2


async def test_a_change_cycle_is_planned_when_a_connection_has_no_cursor_or_an_old_one(
        world, db, two):
    assert plan_change_cycles(db, world.clock.now()) == [world.org.id]
    await cycle(world)
    db.expire_all()
    assert plan_change_cycles(db, world.clock.now()) == []
    world.clock.advance(30 * 60 - 2 * 60)  # the default interval, less the planner's slack
    assert plan_change_cycles(db, world.clock.now()) == [world.org.id]


async def test_the_planner_queues_one_change_job_per_organization(world, db, two):
    recorder = Recorder()
    context = context_for(world, recorder)
    await work.plan_status_sync(context, world.clock.now())
    assert [j for j in recorder.jobs if j.task == "sync_changes"] == [
        work.change_job(world.org.id)]
    assert await work.sync_changes(context, str(world.org.id)) == 2


async def test_a_change_cycle_read_does_not_count_as_the_projects_scheduled_sync(world, db,
                                                                                 two):
    """The scheduled sync skips a project synced within the interval; a cycle that read only
    its Jira figures must not make it skip the tools without a change query."""
    web, _ = two
    await refresh_project(web.id, sync_config(world), scheduled=True)
    synced = db.get(ProjectStatus, web.id).synced_at
    site = jira(world)
    site.add_issue(site.projects["WEBX"], "Changed", created=world.clock.now())
    assert (await cycle(world)).projects >= 1
    db.expire_all()
    assert db.get(ProjectStatus, web.id).synced_at == synced


async def test_a_new_confluence_page_reads_again_only_that_space(world, db):
    """Confluence answers "what changed" too (CQL ``lastmodified``): a page added to the space
    reads the space again, and the same project's unchanged Jira figures are left alone."""
    confluence = world.sandbox.vendors["confluence"].tenant(TENANT)
    jira(world).now = world.clock.now
    project = await provisioned(world, db, confluence_mode="create")
    first = await cycle(world)
    assert (first.connections, first.resources_read, first.cursors_moved) == (2, 2, 2)
    db.expire_all()
    snaps = {s.tool: s for s in db.exec(select(StatusSnapshot).where(
        StatusSnapshot.project_id == project.id)).all()}
    pages, jira_read = snaps["confluence"].data.page_count, snaps["jira"].fetched_at
    space = next(s for s in confluence.spaces.values() if s.key == "WEBX")
    confluence.add_page(space, "Meeting notes", confluence.accounts[0])
    outcome = await cycle(world)
    assert (outcome.resources_read, outcome.cursors_moved) == (1, 2)
    db.expire_all()
    snaps = {s.tool: s for s in db.exec(select(StatusSnapshot).where(
        StatusSnapshot.project_id == project.id)).all()}
    assert snaps["confluence"].data.page_count == pages + 1
    assert snaps["confluence"].fetched_at == world.clock.now()
    assert snaps["jira"].fetched_at == jira_read


async def test_resources_the_cycle_does_not_read_never_keep_it_due(world, db, two):
    """A Confluence page (its space is what a cycle reads) and a resource whose connection was
    removed have no cursor of their own; they must not plan a cycle every minute."""
    web, _ = two
    await cycle(world)
    confluence = uuid.UUID(world.connection_ids["confluence"])
    for connection_id, kind in ((confluence, "page"), (None, "project")):
        db.add(ProjectResource(organization_id=world.org.id, project_id=web.id,
                               connection_id=connection_id,
                               tool="confluence" if connection_id else "jira", kind=kind,
                               external_id="1", external_key="WEBX"))
    db.commit()
    assert plan_change_cycles(db, world.clock.now()) == []
