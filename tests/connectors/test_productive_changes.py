"""``changed_project_ids``: the Productive connector asks the activity feed what changed in a
window and names the projects among those asked for, a budget's changes under its project,
each exchange checked against the resource schema."""

from __future__ import annotations

import pytest

from projecthub.sandbox.productive_state import STARTED
from tests.connectors.productive_setup import make_connector, make_sandbox, productive_state


@pytest.fixture
def app(clock):
    return make_sandbox(clock)


@pytest.fixture
def state(app, clock):
    tenant = productive_state(app)
    tenant.clock = clock.now
    return tenant


def budget_line(state, project, *, budget=True):
    deal = state.add_deal(f"{project.name} budget", company_id=project.company_id,
                          project_id=project.id, budget=budget)
    section = state.add_section(deal.id, "Work")
    return state.add_service(section, "Development", service_type_id="1", billing_type_id=2,
                             unit_id=1, quantity=10, price=10_000, billable=True)


async def test_tasks_and_budget_lines_name_their_projects_within_the_window(app, clock, state):
    alpha, beta, gamma, other = (state.add_project(n) for n in ("A", "B", "C", "Not ours"))
    old_task = state.add_task(gamma.id, "Old")
    service = budget_line(state, beta)
    clock.advance(3600)
    state.add_task(alpha.id, "New")
    state.track_time(service.id, 60)
    state.move_task(state.add_task(other.id, "Elsewhere"), STARTED)
    connector, transport = make_connector(app, clock)
    async with connector:
        changed = await connector.changed_project_ids(
            [alpha.id, beta.id, gamma.id], minutes=30)
        assert changed == {alpha.id, beta.id}
        assert transport.validated == ["GET /activities", "GET /deals/{id}"]
        clock.advance(120)
        state.move_task(old_task, STARTED)
        assert await connector.changed_project_ids([alpha.id, gamma.id], minutes=1) == {
            gamma.id}


async def test_the_feed_is_paged_and_each_budget_is_read_once(app, clock, state):
    projects = [state.add_project(f"P{n}") for n in range(3)]
    services = [budget_line(state, p) for p in projects[:2]]
    for service in services * 2:
        state.track_time(service.id, 30)
    connector, transport = make_connector(app, clock, page_size=2)
    async with connector:
        changed = await connector.changed_project_ids([p.id for p in projects], minutes=5)
    assert changed == {p.id for p in projects}
    assert transport.validated.count("GET /deals/{id}") == 2
    assert transport.validated.count("GET /activities") > 5


async def test_a_sales_deal_is_not_a_budget_and_is_not_looked_up(app, clock, state):
    project = state.add_project("Alpha")
    clock.advance(3600)
    budget_line(state, project, budget=False)
    connector, transport = make_connector(app, clock)
    async with connector:
        assert await connector.changed_project_ids([project.id], minutes=5) == set()
    assert transport.validated == ["GET /activities"]


async def test_nothing_asked_sends_nothing(app, clock, state):
    state.add_project("Alpha")
    connector, transport = make_connector(app, clock)
    async with connector:
        assert await connector.changed_project_ids([], minutes=5) == set()
    assert transport.validated == []
