"""The project page's drift section: after a sync finds Jira changed behind ProjectHub's back,
the page lists what differs with both ways to settle it; "Make it match" runs the fix and
syncs, "Accept the tool's value" changes ProjectHub. Viewers see it without the buttons."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlmodel import Session

from projecthub.models import Project, ProjectMember, Role
from projecthub.services import dispatch
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.sync import SyncConfig
from projecthub.ui.state import project_status
from projecthub.ui.state.project_status import ProjectState
from tests.factories import add_member, user_of
from tests.services.provisioning.world import TENANT, World, answers, build_world
from tests.ui.tabs import toasts


class _DrivingQueue:
    """The job engine's part in this test: a run announced after its commit is driven."""

    def __init__(self, world: World) -> None:
        self._config = world.config()
        self.driving: list[asyncio.Task[object]] = []

    def run_ready(self, run_id: uuid.UUID) -> None:
        self.driving.append(asyncio.get_running_loop().create_task(
            drive_run(run_id, self._config)))

    def mail_queued(self, message_id: uuid.UUID) -> None:
        pass


@pytest.fixture
def world(db: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    built = build_world(db)
    runner = built.config()
    monkeypatch.setattr(project_status, "sync_config", lambda: SyncConfig(
        session_factory=runner.session_factory, tools_factory=runner.tools_factory))
    return built


async def _renamed_in_jira(world: World, db: Session, as_user: Any) -> tuple[Project,
                                                                           ProjectState]:
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=answers(world))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    world.sandbox.vendors["jira"].tenant(TENANT).projects["WEBX"].name = "Renamed in Jira"
    state = as_user(ProjectState, world.owner, path=f"/projects/{project.id}")
    state.load()
    await ProjectState.refresh.fn(state)
    return project, state


async def test_the_page_lists_drift_and_accepting_updates_projecthub(world, db, as_user):
    project, state = await _renamed_in_jira(world, db, as_user)
    [line] = state.drift
    assert (line.tool, line.what, line.projecthub, line.in_tool) == (
        "Jira", "Name", "Website relaunch", "Renamed in Jira")
    assert line.can_make_match and not line.fixing and state.can_settle_drift
    assert line.since.endswith("+00:00") and line.since_utc.endswith(" UTC")
    result = state.accept_drift(line.id)
    assert "tool's value" in toasts(result)
    assert state.drift == [] and state.name == "Renamed in Jira"
    db.expire_all()
    assert db.get(Project, project.id).drift_count == 0


async def _make_it_match(world: World, state: ProjectState) -> Any:
    """Press "make it match" with a queue that drives the run it starts, as a worker would."""
    engine = _DrivingQueue(world)
    dispatch.install(engine)
    try:
        return await ProjectState.make_match.fn(state, state.drift[0].id)
    finally:
        dispatch.install(None)
        await asyncio.gather(*engine.driving)


async def test_make_it_match_runs_the_fix_then_syncs(world, db, as_user):
    _, state = await _renamed_in_jira(world, db, as_user)
    result = await _make_it_match(world, state)
    assert "ProjectHub's value" in toasts(result)
    assert world.sandbox.vendors["jira"].tenant(TENANT).projects["WEBX"].name == (
        "Website relaunch")
    assert state.drift == []
    assert {r.status for r in state.runs} == {"succeeded"}


async def test_make_it_match_waits_for_a_sync_already_running(world, db, as_user,
                                                               monkeypatch):
    """The run's own refresh job may hold the project's sync lease when the page asks for one:
    the page syncs once that is done instead of showing the drift from before the fix."""
    _, state = await _renamed_in_jira(world, db, as_user)
    real, turned_away = project_status.sync.refresh_project, []

    async def busy_then_free(project_id, config, **kwargs):  # type: ignore[no-untyped-def]
        if len(turned_away) < 2:
            turned_away.append(project_id)
            return None  # another process's sync holds the lease
        return await real(project_id, config, **kwargs)

    monkeypatch.setattr(project_status.sync, "refresh_project", busy_then_free)
    result = await _make_it_match(world, state)
    assert "ProjectHub's value" in toasts(result)
    assert len(turned_away) == 2 and state.drift == []


async def test_viewers_see_drift_but_may_not_settle_it(world, db, as_user):
    project, _ = await _renamed_in_jira(world, db, as_user)
    viewer = user_of(db, add_member(db, world.org, role=Role.VIEWER))
    db.add(ProjectMember(organization_id=world.org.id, project_id=project.id,
                         user_id=viewer.id))
    db.commit()
    state = as_user(ProjectState, viewer, path=f"/projects/{project.id}")
    state.load()
    assert len(state.drift) == 1 and not state.can_settle_drift
    state.accept_drift(state.drift[0].id)
    assert "owner or an organization admin" in " ".join(state.errors.values())
    db.expire_all()
    assert db.get(Project, project.id).name == "Website relaunch"
