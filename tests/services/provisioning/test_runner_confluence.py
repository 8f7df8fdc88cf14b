"""Jira and Confluence together: space, starter pages and a links page, with no duplicates."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import ProjectResource, RunStatus
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _both(world):
    return answers(world, confluence_mode="create",
                   starter_pages=["Project charter", "Decision log"])


async def test_space_pages_and_links_page_are_created(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=_both(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    site = world.sandbox.vendors["confluence"].tenant(TENANT)
    space = site.space_by_key("WEBX")
    titles = sorted(p.title for p in site.pages_in(space, {"current"}))
    assert titles == sorted(["Decision log", "Project charter", "Project links",
                             f"{space.name} Home"])
    links = next(p for p in site.pages_in(space, {"current"}) if p.title == "Project links")
    assert "/browse/WEBX" in links.body and "/wiki/spaces/WEBX" in links.body
    kinds = sorted((r.tool, r.kind) for r in db.exec(select(ProjectResource)).all())
    assert kinds == [("confluence", "page")] * 3 + [("confluence", "space"), ("jira", "project")]


async def test_rerunning_the_same_plan_adopts_everything(world, db):
    _, first = service.start_project(db, world.owner_principal,
                                     template_version_id=world.template_version_id,
                                     answers=_both(world))
    db.commit()
    await drive_run(first.id, world.config())
    site = world.sandbox.vendors["confluence"].tenant(TENANT)
    before = len(site.pages_in(site.space_by_key("WEBX"), {"current"}))
    from projecthub.models import ProvisioningStep, StepStatus

    db.expire_all()
    for step in db.exec(select(ProvisioningStep)).all():  # as if every outcome had been lost
        step.status, step.outputs = StepStatus.PENDING, {}
        db.add(step)
    run = db.get(type(first), first.id)
    run.status = RunStatus.PENDING
    db.add(run)
    db.commit()
    assert await drive_run(first.id, world.config()) == RunStatus.SUCCEEDED
    assert len(site.pages_in(site.space_by_key("WEBX"), {"current"})) == before
    assert len(world.sandbox.vendors["jira"].tenant(TENANT).projects) == 1
