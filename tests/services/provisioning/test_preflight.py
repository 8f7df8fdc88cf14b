"""Preflight against the sandboxes: nothing is created, problems are explained per tool."""

from __future__ import annotations

import pytest

from projecthub.core.errors import Invalid
from projecthub.services import connections
from projecthub.services.provisioning.preflight import run_preflight
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def _preflight(world, db, **overrides):
    tools = world.config().tools_factory(world.owner_principal)
    return await run_preflight(db, world.owner_principal, tools,
                               template_version_id=world.template_version_id,
                               answers=answers(world, **overrides))


async def test_free_key_plans_a_create_and_creates_nothing(world, db):
    result = await _preflight(world, db)
    jira = next(c for c in result.checks if c.tool == "jira")
    assert result.ok and jira.decision == "create" and "WEBX" in jira.summary
    assert [c.decision for c in result.checks if c.tool != "jira"] == ["skip"] * 3
    assert [s.action for s in result.steps] == ["jira.create_project", "jira.add_members"]
    assert "WEBX" not in world.sandbox.vendors["jira"].tenant(TENANT).projects


async def test_taken_key_is_blocked_with_a_suggestion(world, db):
    state = world.sandbox.vendors["jira"].tenant(TENANT)
    state.add_project("WEBX", "Existing", state.users[0])
    result = await _preflight(world, db)
    jira = next(c for c in result.checks if c.tool == "jira")
    assert not result.ok and jira.decision == "blocked"
    assert jira.suggestion["key"] and jira.suggestion["key"] != "WEBX"


async def test_missing_link_target_and_bad_credentials_are_blocked(world, db):
    result = await _preflight(world, db, jira_mode="link", jira_existing_key="NOPE")
    assert "No Jira project has the key NOPE." in result.checks[0].problems
    connections.update_connection(db, world.owner_principal, world.connection_ids["jira"],
                                  secret_values={"api_token": "bad-token-000000000"})
    db.commit()  # the tools read credentials in their own session
    denied = await _preflight(world, db)
    assert denied.checks[0].decision == "blocked" and "401" in denied.checks[0].problems[0]


async def test_invalid_answers_are_reported_by_field(world, db):
    with pytest.raises(Invalid) as caught:
        await _preflight(world, db, key="x")
    assert "key" in caught.value.fields
