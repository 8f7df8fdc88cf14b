"""A project provisioned in the Jira sandbox with two members, and the sync that reads it."""

from __future__ import annotations

from sqlmodel import col, select

from projecthub.models import ProjectDrift
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.sync import SyncConfig, refresh_project
from tests.services.provisioning.world import TENANT, answers

MEMBER_ROLE = 10003


async def provisioned(world, db, **overrides):
    project, run = service.start_project(
        db, world.owner_principal, template_version_id=world.template_version_id,
        answers=answers(world, members=[str(world.dev.id)], **overrides))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return project


def sync_config(world) -> SyncConfig:
    runner = world.config()
    return SyncConfig(session_factory=runner.session_factory,
                      tools_factory=runner.tools_factory, now=world.clock.now)


async def sync(world, project) -> None:
    world.clock.advance(60)
    assert await refresh_project(project.id, sync_config(world)) is not None


def jira_role(world):
    site = world.sandbox.vendors["jira"].tenant(TENANT)
    return site, site.projects["WEBX"].roles[MEMBER_ROLE]


def drifts(db, project) -> list[ProjectDrift]:
    db.expire_all()
    return list(db.exec(select(ProjectDrift).where(ProjectDrift.project_id == project.id)
                        .order_by(col(ProjectDrift.field), col(ProjectDrift.subject))).all())
