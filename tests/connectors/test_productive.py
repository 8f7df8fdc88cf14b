"""The Productive connector against the Productive sandbox over HTTP, each exchange checked
against the vendor's resource schema."""

from __future__ import annotations

import pytest

from projecthub.connectors.errors import AuthFailed, Invalid, PermissionDenied
from projecthub.connectors.productive_models import (
    BillingType,
    DealType,
    Money,
    ProjectType,
    Unit,
)
from projecthub.sandbox.productive_state import CLOSED, OWNER_EMAIL, STARTED
from tests.connectors.productive_setup import make_connector, make_sandbox, productive_state


@pytest.fixture
def app(clock):
    return make_sandbox(clock)


@pytest.fixture
def state(app):
    return productive_state(app)


@pytest.fixture
async def productive(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


async def new_project(connector, state, name="Alpha", marker=None):
    return await connector.create_project(
        name=name, project_type=ProjectType.CLIENT, company_id=state.add_company("Acme").id,
        workflow_id=state.default_workflow.id, project_manager_id=state.owner.id, marker=marker)


async def test_current_identity_is_the_person_behind_the_token(productive, state):
    connector, transport = productive
    me = await connector.current_identity()
    assert (me.organization_id, me.person.id, me.person.email) == ("1000", state.owner.id,
                                                                   OWNER_EMAIL)
    assert me.person.name == "Dana Demo" and me.person.active
    assert transport.validated == ["GET /organization_memberships", "GET /people/{id}"]


async def test_identity_without_a_membership_in_the_organization_is_auth_failed(productive,
                                                                                 state):
    connector, _ = productive
    state.table("organization_memberships").clear()
    with pytest.raises(AuthFailed, match="no membership"):
        await connector.current_identity()


async def test_find_people_by_email_is_exact_and_puts_active_people_first(productive, state):
    connector, transport = productive
    gone = state.add_person("Ana", "Old", "ana@projecthub.example", deactivated_at=state.owner
                            .created_at)
    ana = state.add_person("Ana", "Kovač", "Ana@ProjectHub.example")
    state.add_person("Anastasia", "Other", "anastasia@projecthub.example")
    found = await connector.find_people_by_email("ana@projecthub.example")
    assert [p.id for p in found] == [ana.id, gone.id]
    assert await connector.find_people_by_email("nobody@projecthub.example") == []
    assert set(transport.validated) == {"GET /people"}


async def test_companies_page_through_every_page(app, clock, state):
    names = [f"Client {n}" for n in range(1, 6)]
    for name in names:
        state.add_company(name)
    connector, transport = make_connector(app, clock, page_size=2)
    async with connector:
        listed = [c.name async for c in connector.iter_companies()]
    assert listed == [state.organization.name, *names]
    assert transport.validated == ["GET /companies"] * 3


async def test_find_company_by_name_wants_the_whole_name(productive, state):
    connector, _ = productive
    acme = state.add_company("Acme")
    state.add_company("Acme Retail")
    assert (await connector.find_company_by_name("acme ")).id == acme.id
    assert await connector.find_company_by_name("Acm") is None


async def test_workflows_subsidiaries_and_the_marker_field_are_listed(productive, state):
    connector, _ = productive
    state.add_workflow("Design workflow")
    assert [w.name async for w in connector.iter_workflows()] == ["Default workflow",
                                                                   "Design workflow"]
    assert [s.id async for s in connector.iter_subsidiaries()] == [state.subsidiary.id]
    fields = [f async for f in connector.iter_project_custom_fields()]
    assert [(f.id, f.name) for f in fields] == [(state.marker_field.id, "ProjectHub ID")]


async def test_create_project_then_get_it_with_its_relationships(productive, state):
    connector, transport = productive
    created = await new_project(connector, state, marker="run-1")
    assert created.name == "Alpha" and created.project_type_id is ProjectType.CLIENT
    assert created.custom_fields == {state.marker_field.id: "run-1"}
    fetched = await connector.get_project(created.id)
    assert (fetched.workflow_id, fetched.project_manager_id) == (state.default_workflow.id,
                                                                 state.owner.id)
    assert fetched.company_id is not None and not fetched.archived
    assert transport.validated == ["POST /projects", "GET /projects/{id}"]


async def test_a_second_create_duplicates_and_the_marker_finds_our_own(productive, state):
    connector, _ = productive
    theirs = await new_project(connector, state, name="Alpha")
    ours = await new_project(connector, state, name="Alpha", marker="run-7")
    assert theirs.id != ours.id
    assert (await connector.find_project_by_name("alpha")).id == theirs.id
    assert (await connector.find_project_by_name("Alpha", marker="run-7")).id == ours.id
    assert await connector.find_project_by_name("Alpha", marker="run-8") is None
    assert await connector.find_project_by_name("Alph") is None


async def test_create_project_with_an_unknown_company_names_the_field(productive, state):
    connector, _ = productive
    with pytest.raises(Invalid) as caught:
        await connector.create_project(
            name="Alpha", project_type=ProjectType.INTERNAL, company_id="999",
            workflow_id=state.default_workflow.id, project_manager_id=state.owner.id)
    assert caught.value.status == 422
    assert caught.value.field_errors == {"company": "can't be blank"}


async def test_add_project_member_is_idempotent(productive, state):
    connector, transport = productive
    project = await new_project(connector, state)
    person = state.add_person("Sara", "Novak", "sara@projecthub.example")
    first = await connector.add_project_member(project.id, person.id)
    again = await connector.add_project_member(project.id, person.id)
    assert first.id == again.id and (first.type_id, first.access_type_id) == (1, 5)
    assert transport.validated.count("POST /memberships") == 1


async def test_project_memberships_list_the_members_person_ids(productive, state):
    connector, transport = productive
    project = await new_project(connector, state)
    person = state.add_person("Sara", "Novak", "sara@projecthub.example")
    await connector.add_project_member(project.id, person.id)
    held = [m.person_id async for m in connector.iter_project_memberships(project.id)]
    assert person.id in held
    assert "GET /memberships" in transport.validated


async def test_add_project_member_that_lost_a_race_returns_the_winners_membership(
        productive, state, monkeypatch):
    connector, _ = productive
    project = state.add_project("Alpha")
    person = state.add_person("Sara", "Novak", "sara@projecthub.example")
    winner = state.add_membership(project.id, person.id)
    lookups = iter([None])
    real_lookup = connector._project_membership

    async def stale_then_real(project_id, person_id):
        return next(lookups, None) or await real_lookup(project_id, person_id)

    monkeypatch.setattr(connector, "_project_membership", stale_then_real)
    assert (await connector.add_project_member(project.id, person.id)).id == winner.id


async def test_budgets_are_created_found_and_read_as_money_and_minutes(productive, state):
    connector, transport = productive
    project = state.add_project("Alpha")
    created = await connector.create_budget(
        name="Alpha 2026", project_id=project.id, company_id=project.company_id,
        responsible_id=state.owner.id, subsidiary_id=state.subsidiary.id,
        deal_type=DealType.INTERNAL, currency="USD")
    assert created.total == Money(0, "USD") and created.open
    state.add_deal("Alpha support", company_id=project.company_id, project_id=project.id,
                   budget_total=1_250_050, budget_used=250_000, budgeted_time=6_000,
                   worked_time=1_500)
    state.add_deal("Alpha upsell", company_id=project.company_id, project_id=project.id,
                   budget=False)
    support = await connector.find_budget(project.id, "alpha support")
    assert (support.total, support.used, support.remaining) == (
        Money(1_250_050, "EUR"), Money(250_000, "EUR"), Money(1_000_050, "EUR"))
    assert str(support.total) == "12500.50 EUR"
    assert (support.budgeted_minutes, support.worked_minutes) == (6_000, 1_500)
    assert [b.name async for b in connector.iter_project_budgets(project.id)] == [
        "Alpha 2026", "Alpha support"]
    assert await connector.find_budget(project.id, "Alpha upsell") is None
    assert "POST /deals" in transport.validated


async def test_a_budget_gets_its_amount_from_a_service_of_quantity_and_price(productive,
                                                                             state):
    connector, transport = productive
    project = state.add_project("Alpha")
    budget = await connector.create_budget(
        name="Alpha 2026", project_id=project.id, company_id=project.company_id,
        responsible_id=state.owner.id, subsidiary_id=state.subsidiary.id, currency="EUR")
    [service_type] = [t async for t in connector.iter_service_types()]
    section = await connector.create_section(budget.id, "Work")
    line = await connector.create_service(
        budget_id=budget.id, section_id=section.id, service_type_id=service_type.id,
        name="Build", billing_type=BillingType.ACTUALS, unit=Unit.HOUR, quantity=40,
        price_cents=12_500)
    assert (line.budget_total, line.billing_type_id) == (500_000, BillingType.ACTUALS)
    assert (await connector.get_budget(budget.id)).total == Money(500_000, "EUR")
    assert [s.id async for s in connector.iter_budget_services(budget.id)] == [line.id]
    assert [s.id async for s in connector.iter_budget_sections(budget.id)] == [section.id]
    assert {"POST /sections", "POST /services", "GET /deals/{id}"} <= set(transport.validated)


async def test_a_service_in_another_budgets_section_is_refused(productive, state):
    connector, _ = productive
    project = state.add_project("Alpha")
    first, second = (state.add_deal(n, company_id=project.company_id, project_id=project.id)
                     for n in ("One", "Two"))
    section = state.add_section(first.id, "Work")
    service_type = next(iter(state.table("service_types").values()))
    with pytest.raises(Invalid) as caught:
        await connector.create_service(
            budget_id=second.id, section_id=section.id, service_type_id=service_type.id,
            name="Build", billing_type=BillingType.FIXED, unit=Unit.HOUR, quantity=1,
            price_cents=100)
    assert "section" in caught.value.field_errors


async def test_companies_are_created_and_a_forbidden_kind_is_permission_denied(productive,
                                                                            state):
    connector, _ = productive
    company = await connector.create_company("  Northwind Traders ")
    assert (await connector.find_company_by_name("northwind traders")).id == company.id
    state.forbidden.add("service_types")
    with pytest.raises(PermissionDenied):
        await anext(connector.iter_service_types())


async def test_task_counts_per_status_category(productive, state):
    connector, transport = productive
    project = state.add_project("Alpha")
    other = state.add_project("Beta")
    for category, count in ((1, 2), (STARTED, 3), (CLOSED, 4)):
        for n in range(count):
            state.add_task(project.id, f"Task {n}", category=category)
    state.add_task(other.id, "Elsewhere", category=STARTED)
    counts = await connector.task_counts(project.id)
    assert (counts.not_started, counts.started, counts.closed, counts.total) == (2, 3, 4, 9)
    assert transport.validated == ["GET /tasks"] * 3


async def test_ids_and_markers_are_checked_before_any_request(app, clock, productive, state):
    connector, transport = productive
    with pytest.raises(ValueError, match="not a Productive id"):
        await connector.get_project("1/../people")
    bare, _ = make_connector(app, clock)
    bare.marker_field_id = None
    async with bare:
        with pytest.raises(ValueError, match="marker_field_id"):
            await new_project(bare, state, marker="run-1")
    assert transport.validated == []
