"""Provisioning against the Jira sandbox: create, adopt, fail on a bad token and retry."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import Lifecycle, Project, ProjectResource, RunStatus, StepStatus
from projecthub.services import connections
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def test_jira_project_is_created_and_recorded(world, db):
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    view = service.get_run(db, world.owner_principal, run.id)
    assert [s.status for s in view.steps] == [StepStatus.SUCCEEDED] * 2
    assert view.progress == 1.0
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    assert jira.projects["WEBX"].name == "Website relaunch"
    resource = db.exec(select(ProjectResource)).one()
    assert (resource.tool, resource.kind, resource.external_key) == ("jira", "project", "WEBX")
    assert resource.url.endswith("/browse/WEBX")
    db.expire_all()
    assert db.get(Project, project.id).lifecycle == Lifecycle.ACTIVE


async def test_existing_project_with_same_key_and_name_is_adopted_not_duplicated(world, db):
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_project("WEBX", "Website relaunch", jira.users[0])
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    assert len([k for k in jira.projects if k == "WEBX"]) == 1
    assert db.exec(select(ProjectResource)).one().origin == "adopted"


async def test_key_taken_by_another_project_fails_with_a_reason(world, db):
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_project("WEBX", "Somebody else's", jira.users[0])
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    view = service.get_run(db, world.owner_principal, run.id)
    assert view.steps[0].status == StepStatus.FAILED
    assert "used by another Jira project" in view.steps[0].error
    assert view.steps[1].status == StepStatus.PENDING  # blocked by its dependency


async def test_bad_token_fails_then_retry_after_fixing_succeeds(world, db):
    connections.update_connection(db, world.owner_principal, world.connection_ids["jira"],
                                  secret_values={"api_token": "wrong-token-123456"})
    db.commit()
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    failed = service.get_run(db, world.owner_principal, run.id).steps[0]
    assert failed.error and "wrong-token" not in failed.error and failed.attempts == 1
    connections.update_connection(db, world.owner_principal, world.connection_ids["jira"],
                                  secret_values={"api_token": f"sandbox-{TENANT}"})
    service.retry_run(db, world.owner_principal, run.id)
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    view = service.get_run(db, world.owner_principal, run.id)
    assert view.steps[0].attempts == 2 and view.status == RunStatus.SUCCEEDED


async def test_link_existing_project(world, db):
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_project("OLD", "Legacy portal", jira.users[0])
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world, jira_mode="link",
                                                   jira_existing_key="OLD"))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    resource = db.exec(select(ProjectResource)).one()
    assert (resource.origin, resource.external_key) == ("linked", "OLD")


async def test_a_run_held_by_a_live_worker_is_not_taken(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    from projecthub.services.provisioning import ledger

    assert ledger.system_claim_run(db, run.id, "other-worker", world.config().lease)
    db.commit()
    assert await drive_run(run.id, world.config(worker="me")) is None


async def test_cancelled_run_creates_nothing(world, db):
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()
    service.cancel_run(db, world.owner_principal, run.id)
    db.commit()
    assert await drive_run(run.id, world.config()) is None
    assert "WEBX" not in world.sandbox.vendors["jira"].tenant(TENANT).projects
    view = service.get_run(db, world.owner_principal, run.id)
    assert {s.status for s in view.steps} == {StepStatus.CANCELLED}
