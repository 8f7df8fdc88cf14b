"""Finished provisioning runs are counted by outcome (``GET /metrics``)."""

from __future__ import annotations

import pytest

from projecthub.models import RunStatus
from projecthub.services import connections
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from tests.metrics import sample
from tests.services.provisioning.world import answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _runs(outcome: str) -> float:
    return sample("projecthub_provisioning_runs_finished_total", outcome=outcome)


async def test_a_succeeded_and_a_failed_run_are_counted_by_outcome(world, db):
    succeeded, failed = _runs("succeeded"), _runs("failed")
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    db.commit()  # as the caller's unit of work does; the runner reads the run on its own
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    assert (_runs("succeeded"), _runs("failed")) == (succeeded + 1, failed)

    connections.update_connection(db, world.owner_principal, world.connection_ids["jira"],
                                  secret_values={"api_token": "wrong-token-123456"})
    _, run = service.start_project(db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world, name="Second", key="WEBY"))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    assert (_runs("succeeded"), _runs("failed")) == (succeeded + 1, failed + 1)
