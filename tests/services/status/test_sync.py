"""Status sync against seeded sandboxes: exact figures per tool, stale-but-kept values when a
tool fails, a lease so one worker syncs a project at a time, and daily history."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ProjectStatus, StatusHistory, StatusSnapshot
from projecthub.sandbox import Fault
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.sync import SyncConfig, claim, refresh_project
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def sync_config(world, **extra) -> SyncConfig:
    runner = world.config()
    return SyncConfig(session_factory=runner.session_factory,
                      tools_factory=runner.tools_factory, now=world.clock.now, **extra)


async def provisioned(world, db, **overrides):
    project, run = service.start_project(
        db, world.owner_principal, template_version_id=world.template_version_id,
        answers=answers(world, project_type="client", confluence_mode="create",
                        starter_pages=["Project charter"], m365_mode="create",
                        team_name="Website Relaunch", channels=[], planner=True,
                        productive_mode="create", budget_type="fixed", budget_amount=1000,
                        start_date="2026-01-01", end_date="2026-12-31", **overrides))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return project


def snapshot(db, tool, kind):
    db.expire_all()
    return db.exec(select(StatusSnapshot).where(StatusSnapshot.tool == tool,
                                                StatusSnapshot.kind == kind)).one()


async def test_figures_match_the_tools_exactly(world, db):
    project = await provisioned(world, db)
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    web = jira.projects["WEBX"]
    for summary, status in (("a", "To Do"), ("b", "To Do"), ("c", "In Progress"), ("d", "Done")):
        jira.add_issue(web, summary, status)
    prod = world.sandbox.vendors["productive"].tenant(TENANT)
    budget = next(d for d in prod.table("deals").values() if d.name.startswith("Website"))
    budget.budget_total, budget.budget_used = 1_000_000, 250_000
    budget.budgeted_time, budget.worked_time = 6000, 1500
    prod_project = next(p for p in prod.table("projects").values()
                        if p.name == "Website relaunch")
    prod.add_task(prod_project.id, "Kick-off")
    graph = world.sandbox.vendors["graph"].tenant(TENANT)
    plan = next(p for p in graph.plans.values() if p.title == "Website Relaunch")
    graph.add_task(plan, "Draft sitemap", percent_complete=50)

    health = await refresh_project(project.id, sync_config(world))
    assert health is not None
    j = snapshot(db, "jira", "project").data
    assert (j.to_do, j.in_progress, j.done) == (2, 1, 1)
    p = snapshot(db, "productive", "project").data
    assert (p.budget_total_cents, p.budget_used_cents, p.budget_remaining_cents,
            p.burn_percent, p.currency) == (1_000_000, 250_000, 750_000, 25.0, "EUR")
    assert (p.budgeted_minutes, p.worked_minutes, p.tasks_not_started) == (6000, 1500, 1)
    c = snapshot(db, "confluence", "space").data
    assert c.page_count == 3 and c.last_page_title  # home, charter, links
    planner = snapshot(db, "graph", "plan").data
    assert (planner.not_started, planner.in_progress, planner.done) == (0, 1, 0)
    assert snapshot(db, "graph", "team").data.web_url.startswith("https://teams.microsoft")
    status = db.get(ProjectStatus, project.id)
    assert status.figures.jira.summary.to_do == 2 and status.synced_at == world.clock.now()
    assert db.exec(select(StatusHistory)).one().day == world.clock.now().date()


async def test_a_failing_tool_keeps_old_values_marked_stale(world, db):
    project = await provisioned(world, db)
    config = sync_config(world)
    await refresh_project(project.id, config)
    before = snapshot(db, "productive", "project")
    world.sandbox.vendors["productive"].faults.add(Fault(kind="status", status=500, times=None))
    world.clock.advance(3600)
    await refresh_project(project.id, config)
    after = snapshot(db, "productive", "project")
    assert after.data == before.data and after.fetched_at == before.fetched_at
    assert "500" in after.error and after.attempted_at > after.fetched_at
    status = db.get(ProjectStatus, project.id)
    assert status.figures.productive.stale is True


async def test_one_worker_at_a_time_per_project(world, db):
    project = await provisioned(world, db)
    first = sync_config(world, worker_id="a")
    assert claim(project.id, first)
    assert await refresh_project(project.id, sync_config(world, worker_id="b")) is None
    world.clock.advance(first.lease.total_seconds() + 1)
    assert await refresh_project(project.id, sync_config(world, worker_id="b")) is not None
