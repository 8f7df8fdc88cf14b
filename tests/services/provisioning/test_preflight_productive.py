"""Productive preflight: the budget it will set, the field and permission prerequisites the run
needs, and a company that is missing with a way forward (Productive's name, or create it)."""

from __future__ import annotations

import pytest

from projecthub.services.provisioning.preflight import run_preflight
from tests.services.provisioning.world import TENANT, answers, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def _check(world, db, **overrides):
    tools = world.config().tools_factory(world.owner_principal)
    values = {"jira_mode": "skip", "productive_mode": "create", "project_type": "client",
              "budget_type": "fixed", "budget_amount": 12000, "billable_hours": 100,
              **overrides}
    result = await run_preflight(db, world.owner_principal, tools,
                                 template_version_id=world.template_version_id,
                                 answers=answers(world, **values))
    return next(c for c in result.checks if c.tool == "productive"), result


def _state(world):
    return world.sandbox.vendors["productive"].tenant(TENANT)


async def test_the_preview_says_what_the_budget_will_be(world, db):
    check, result = await _check(world, db)
    assert result.ok, check.problems
    assert check.summary == ("Create project Website relaunch for Acme Retail GmbH with a fixed "
                             "price budget of 12000.00 EUR (100 h at 120.00 EUR/h)")
    assert not _state(world).table("deals")


async def test_time_and_materials_without_hours_is_blocked(world, db):
    check, _ = await _check(world, db, budget_type="time_and_materials", billable_hours=None)
    assert check.decision == "blocked"
    assert "A time & materials budget needs its billable hours." in check.problems


async def test_a_missing_marker_field_is_reported_before_the_run(world, db):
    state = _state(world)
    del state.table("custom_fields")[state.marker_field.id]
    check, _ = await _check(world, db)
    assert check.decision == "blocked"
    assert any("custom field named “ProjectHub ID”" in p for p in check.problems)


async def test_a_permission_the_token_lacks_is_reported(world, db):
    _state(world).forbidden.add("service_types")
    check, _ = await _check(world, db)
    assert check.decision == "blocked"
    assert any("may not read service types" in p and "Permission sets" in p
               for p in check.problems)


async def test_no_active_service_type_is_reported(world, db):
    state = _state(world)
    state.table("service_types").clear()
    check, _ = await _check(world, db)
    assert any("no active service type" in p for p in check.problems)


async def test_the_organizations_own_name_is_blocked_with_productives_name_offered(world, db):
    check, _ = await _check(world, db, client_company="Acme")
    assert check.decision == "blocked"
    assert check.problems[0].startswith("No company named Acme in Productive.")
    assert check.suggestion == {"client_company": "Acme Retail GmbH"}


async def test_an_unknown_company_offers_to_create_it(world, db):
    check, _ = await _check(world, db, client_company="Northwind Traders")
    assert check.suggestion == {"company_mode": "create"}
    created, result = await _check(world, db, client_company="Northwind Traders",
                                   company_mode="create")
    assert result.ok and "for Northwind Traders, a company the run creates first" in \
        created.summary
    assert result.steps[0].action == "productive.create_company"
    assert not [c for c in _state(world).table("companies").values()
                if c.name == "Northwind Traders"]
