"""Productive: project with the ProjectHub marker, memberships, and a budget whose amount is real
(a service with quantity and price, as Productive computes totals); the company picked or
created as a step; adoption by marker. All Productive traffic is checked against its schema."""

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
    values = {"jira_mode": "skip", "productive_mode": "create", "project_type": "client",
              "budget_type": "fixed", "budget_amount": 12000, "billable_hours": 100,
              "currency": "EUR", **extra}
    return answers(world, **values)


async def _run(world, db, **extra):
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=_productive(world, **extra))
    db.commit()
    status = await drive_run(run.id, world.config())
    return project, service.get_run(db, world.owner_principal, run.id), status


def _budget(world):
    state = world.sandbox.vendors["productive"].tenant(TENANT)
    deal = next(d for d in state.table("deals").values() if d.name == "Website relaunch budget")
    services = [s for s in state.table("services").values() if s.deal_id == deal.id]
    return state, deal, services


async def test_project_memberships_and_a_fixed_price_budget_with_its_amount(world, db):
    project, view, status = await _run(world, db, start_date="2026-01-01",
                                       end_date="2026-06-30")
    assert status == RunStatus.SUCCEEDED
    state, deal, services = _budget(world)
    created = [p for p in state.table("projects").values() if p.name == "Website relaunch"]
    assert len(created) == 1
    assert created[0].custom_fields[state.marker_field.id] == str(project.id)
    assert (deal.budget, deal.deal_type_id, deal.currency) == (True, 2, "EUR")
    assert (str(deal.date), str(deal.end_date)) == ("2026-01-01", "2026-06-30")
    [line] = services
    assert (line.billing_type_id, line.unit_id, line.quantity, line.price) == (1, 1, 100, 12_000)
    assert (deal.budget_total, deal.budgeted_time) == (1_200_000, 6_000)
    message = view.steps[-1].log[-1]["message"]
    assert "fixed price budget of 12000.00 EUR (100 h at 120.00 EUR/h)" in message
    assert "Productive total 12000.00 EUR" in message
    kinds = sorted(r.kind for r in db.exec(select(ProjectResource)).all())
    assert kinds == ["budget", "project"]


async def test_time_and_materials_bills_actual_hours_at_the_rate(world, db):
    _, _, status = await _run(world, db, budget_type="time_and_materials", budget_amount=5000,
                              billable_hours=40)
    assert status == RunStatus.SUCCEEDED
    _, deal, [line] = _budget(world)
    assert (deal.deal_type_id, line.billing_type_id, line.billable) == (2, 2, True)
    assert (line.quantity, line.price, deal.budget_total) == (40, 12_500, 500_000)


async def test_non_billable_is_an_internal_budget_of_hours(world, db):
    _, _, status = await _run(world, db, budget_type="non_billable", billable_hours=20,
                              project_type="internal")
    assert status == RunStatus.SUCCEEDED
    _, deal, [line] = _budget(world)
    assert (deal.deal_type_id, line.billing_type_id, line.billable) == (1, 3, False)
    assert (deal.budget_total, deal.budgeted_time) == (0, 1_200)


async def test_a_retried_budget_step_adds_the_service_once(world, db):
    state = world.sandbox.vendors["productive"].tenant(TENANT)
    state.forbidden.add("services")
    _, view, status = await _run(world, db)
    assert status == RunStatus.FAILED and "403" in view.steps[-1].error
    state.forbidden.clear()
    service.retry_run(db, world.owner_principal, view.id)
    db.commit()
    assert await drive_run(view.id, world.config()) == RunStatus.SUCCEEDED
    _, deal, services = _budget(world)
    assert len(services) == 1 and deal.budget_total == 1_200_000
    assert len([d for d in state.table("deals").values() if d.budget]) == 1


async def test_the_company_is_created_as_a_step_when_chosen(world, db):
    _, view, status = await _run(world, db, client_company="Northwind Traders",
                                 company_mode="create")
    assert status == RunStatus.SUCCEEDED
    assert [s.key for s in view.steps][:2] == ["productive.create_company",
                                               "productive.create_project"]
    state, deal, _ = _budget(world)
    [company] = [c for c in state.table("companies").values() if c.name == "Northwind Traders"]
    project = next(p for p in state.table("projects").values() if p.name == "Website relaunch")
    assert project.company_id == company.id == deal.company_id


async def test_creating_a_company_that_exists_adopts_it(world, db):
    _, view, status = await _run(world, db, company_mode="create")
    assert status == RunStatus.SUCCEEDED
    state = world.sandbox.vendors["productive"].tenant(TENANT)
    assert len([c for c in state.table("companies").values()
                if c.name == "Acme Retail GmbH"]) == 1
    assert view.steps[0].log[-1]["message"].startswith("adopted company")


async def test_unknown_company_fails_with_a_readable_reason(world, db):
    _, view, status = await _run(world, db, client_company="Nobody Inc")
    assert status == RunStatus.FAILED
    step = next(s for s in view.steps if s.key == "productive.create_project")
    assert step.error == "No company named “Nobody Inc” in Productive."
