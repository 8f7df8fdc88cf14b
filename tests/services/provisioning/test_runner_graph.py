"""Microsoft 365: a team whose creation stays in progress for several polls, channels, plan."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ProjectResource, ProvisioningStep, RunStatus
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _teams(world, **extra):
    chosen = {"channels": ["Planning", "Client"], "planner": True, **extra}
    return answers(world, jira_mode="skip", m365_mode="create", team_name="Website Relaunch",
                   **chosen)


async def test_team_creation_is_polled_until_done_then_channels_and_plan(world, db):
    directory = world.sandbox.vendors["graph"].tenant(TENANT)
    directory.team_creation_polls = 4
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=_teams(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    teams = [g for g in directory.groups.values() if g.display_name == "Website Relaunch"]
    assert len(teams) == 1 and teams[0].mail_nickname == "WebsiteRelaunch"
    team_step = db.exec(select(ProvisioningStep).where(
        ProvisioningStep.action == "graph.create_team")).one()
    assert team_step.outputs["operation_id"] and "checkpoint" in team_step.log[1]["message"]
    assert len(world.clock.sleeps) >= 4
    kinds = sorted(r.kind for r in db.exec(select(ProjectResource)).all())
    assert kinds == ["channel", "channel", "plan", "team"]


async def test_interrupted_poll_resumes_the_same_team(world, db):
    """A worker that died while polling left the step running with its checkpoint; the next
    worker waits for that team instead of creating a second one."""
    directory = world.sandbox.vendors["graph"].tenant(TENANT)
    directory.team_creation_polls = 2
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=_teams(world, channels=[], planner=False))
    db.commit()
    config = world.config(lease_seconds=0)
    assert await drive_run(run.id, config) == RunStatus.SUCCEEDED
    groups_before = len(directory.groups)
    db.expire_all()
    step = db.exec(select(ProvisioningStep).where(
        ProvisioningStep.action == "graph.create_team")).one()
    step.status = "running"  # as the dead worker left it, checkpoint kept in outputs
    db.add(step)
    run_row = db.get(type(run), run.id)
    run_row.status = RunStatus.RUNNING
    db.add(run_row)
    db.commit()
    assert await drive_run(run.id, config) == RunStatus.SUCCEEDED
    assert len(directory.groups) == groups_before
