"""A run's outcome is in the audit log (the system's doing), and every log line the runner and
its steps write names the run, its project and its organization."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from projecthub.core.logging import ContextFields
from projecthub.models import AuditEvent, RunStatus
from projecthub.services import connections
from projecthub.services.provisioning import service
from projecthub.services.provisioning.actions.base import StepContext
from projecthub.services.provisioning.runner import drive_run
from tests.services.provisioning.world import answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _start(world, db):  # type: ignore[no-untyped-def]
    """A run committed as the caller's unit of work does; the runner reads it on its own."""
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=answers(world))
    db.commit()
    return project, run


def _outcomes(db) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(
        AuditEvent.action.in_(["run.succeeded", "run.failed"]))).all())  # type: ignore[attr-defined]


async def test_a_succeeded_run_is_audited_as_the_systems_doing(world, db):
    project, run = _start(world, db)
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    db.expire_all()
    [event] = _outcomes(db)
    assert (event.action, event.organization_id, event.target_id) == (
        "run.succeeded", world.org.id, str(run.id))
    assert event.actor_id is None and event.detail == {"project_id": str(project.id)}


async def test_a_failed_run_is_audited_with_its_reason(world, db):
    connections.update_connection(db, world.owner_principal, world.connection_ids["jira"],
                                  secret_values={"api_token": "wrong-token-123456"})
    _, run = _start(world, db)
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    db.expire_all()
    [event] = _outcomes(db)
    assert event.action == "run.failed" and "failed" in event.detail["error"]


async def test_step_log_lines_name_the_run_project_and_organization(world, db):
    project, run = _start(world, db)
    config = world.config()
    original = config.actions["jira.create_project"]

    async def logging_action(context: StepContext):  # type: ignore[no-untyped-def]
        logging.getLogger("projecthub.test").warning("creating %s", context.key)
        return await original(context)

    config.actions["jira.create_project"] = logging_action
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(ContextFields())
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("projecthub.test").addHandler(handler)
    try:
        assert await drive_run(run.id, config) == RunStatus.SUCCEEDED
    finally:
        logging.getLogger("projecthub.test").removeHandler(handler)
    [record] = records
    assert (record.run_id, record.project_id, record.org_id) == (  # type: ignore[attr-defined]
        str(run.id), str(project.id), str(world.org.id))
