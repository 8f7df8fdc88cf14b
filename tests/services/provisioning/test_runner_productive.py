"""Productive: project with the ProjectHub marker, memberships, budget; adoption by marker."""

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


def _productive(world, **extra):
    return answers(world, jira_mode="skip", productive_mode="create", project_type="client",
                   budget_type="fixed", budget_amount=12000, currency="EUR", **extra)


async def test_project_memberships_and_budget_are_created(world, db):
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=_productive(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    state = world.sandbox.vendors["productive"].tenant(TENANT)
    created = [p for p in state.table("projects").values() if p.name == "Website relaunch"]
    assert len(created) == 1
    assert created[0].custom_fields[state.marker_field.id] == str(project.id)
    view = service.get_run(db, world.owner_principal, run.id)
    assert "planned 12000 EUR" in view.steps[2].log[-1]["message"]
    kinds = sorted(r.kind for r in db.exec(select(ProjectResource)).all())
    assert kinds == ["budget", "project"]


async def test_unknown_company_fails_with_a_readable_reason(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=_productive(world, client_company="Nobody Inc"))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    step = service.get_run(db, world.owner_principal, run.id).steps[0]
    assert step.error == "No company named “Nobody Inc” in Productive."
