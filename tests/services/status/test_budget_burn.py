"""The burn rule on a budget ProjectHub created: its amount is real, so time tracked against it
burns it, and health turns red when the budget runs ahead of the calendar."""

from __future__ import annotations

from datetime import timedelta

import pytest

from projecthub.models import HealthLevel
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.sync import SyncConfig, refresh_project
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def test_burn_rule_fires_on_a_budget_we_created(world, db):
    today = world.clock.now().date()
    project, run = service.start_project(
        db, world.owner_principal, template_version_id=world.template_version_id,
        answers=answers(world, jira_mode="skip", productive_mode="create",
                        project_type="client", budget_type="time_and_materials",
                        budget_amount=10000, billable_hours=100,
                        start_date=(today - timedelta(days=10)).isoformat(),
                        end_date=(today + timedelta(days=90)).isoformat()))
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    state = world.sandbox.vendors["productive"].tenant(TENANT)
    [line] = state.table("services").values()
    state.track_time(line.id, 95 * 60)  # 95 of the 100 hours sold

    runner = world.config()
    health = await refresh_project(project.id, SyncConfig(
        session_factory=runner.session_factory, tools_factory=runner.tools_factory,
        now=world.clock.now))
    assert health is not None
    [burn] = [r for r in health.reasons if r.rule == "budget_burn"]
    assert burn.text == "Budget 95% used with 10% of the time elapsed (+85 points)."
    assert burn.level == health.colour == HealthLevel.RED
