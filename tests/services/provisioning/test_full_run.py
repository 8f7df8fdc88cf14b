"""A project in all four tools at once, a 429 storm, and an ambiguous create (reply lost)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ProjectResource, RunStatus, StepStatus
from projecthub.sandbox import Fault
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import TENANT, all_tools_answers, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def test_all_four_tools_in_one_run(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    view = service.get_run(db, world.owner_principal, run.id)
    assert {s.status for s in view.steps} == {StepStatus.SUCCEEDED}
    tools = sorted({r.tool for r in db.exec(select(ProjectResource)).all()})
    assert tools == ["confluence", "graph", "jira", "productive"]
    links = next(s for s in view.steps if s.key == "confluence.create_links_page")
    assert links.status == StepStatus.SUCCEEDED


async def test_a_429_storm_is_waited_out(world, db):
    for vendor in ("jira", "confluence", "productive", "graph"):
        world.sandbox.vendors[vendor].faults.add(Fault(kind="rate_limit", times=2,
                                                       retry_after=3))
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=all_tools_answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    assert sum(1 for s in world.clock.sleeps if s >= 3) >= 4
    assert len(world.sandbox.vendors["jira"].tenant(TENANT).projects) == 1


async def test_lost_reply_to_a_create_is_reconciled_on_retry(world, db):
    """Jira creates the project but the connection drops before the reply: the step fails
    (a POST is never blindly repeated); the retry looks the project up and adopts it."""
    world.sandbox.vendors["jira"].faults.add(Fault(kind="reset", method="POST",
                                                   path_prefix="/rest/api/3/project",
                                                   after_handler=True))
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    assert "WEBX" in jira.projects
    service.retry_run(db, world.owner_principal, run.id)
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    assert db.exec(select(ProjectResource)).one().origin == "adopted"
    assert len(jira.projects) == 1
