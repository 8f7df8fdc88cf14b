"""The Productive sandbox's activity feed: every write that moves a project's figures leaves an
activity with its item, parent and root, served newest first with the documented filters and
paging, each exchange checked against the resource schema."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.productive_state import CLOSED, ORGANIZATION_ID
from tests.connectors.productive_validating import SANDBOX_API, ProductiveValidatingTransport

BASE = f"http://sandbox.test{SANDBOX_API}"
AUTH = {"X-Auth-Token": "sandbox-feed", "X-Organization-Id": ORGANIZATION_ID}
WRITE = {"Content-Type": "application/vnd.api+json"}


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def app(clock):
    return create_sandbox_app(sleep=clock.sleep, admin_token="admin", seed_demo=False)


@pytest.fixture
def state(app, clock):
    tenant = app.vendors["productive"].tenant("feed")
    tenant.clock = clock.now
    return tenant


@pytest.fixture
async def http(app):
    transport = ProductiveValidatingTransport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=AUTH) as client:
        yield client


@pytest.fixture
async def raw(app):
    """No schema check: a filter the schema lacks is what the 400 is about."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                 headers=AUTH) as client:
        yield client


def budget_with_line(state, project):
    deal = state.add_deal("Budget", company_id=project.company_id, project_id=project.id)
    section = state.add_section(deal.id, "Work")
    service = state.add_service(section, "Development", service_type_id="1", billing_type_id=2,
                                unit_id=1, quantity=10, price=10_000, billable=True)
    return deal, service


async def feed(http, **filters):
    params = {f"filter[{k}]": v for k, v in filters.items()}
    reply = await http.get("/activities", params={**params, "page[size]": 200})
    assert reply.status_code == 200, reply.text
    return [a["attributes"] for a in reply.json()["data"]]


def summary(activity):
    return (activity["event"], activity["item_type"], activity["parent_type"],
            activity["root_type"], str(activity["root_id"]))


async def test_task_writes_are_rooted_at_their_project(http, state):
    project = state.add_project("Alpha")
    task = state.add_task(project.id, "Write docs")
    before = task.workflow_status_id
    state.move_task(task, CLOSED)
    state.delete(task)
    listed = await feed(http, task_id=task.id)
    assert [summary(a) for a in listed] == [
        ("delete", "Task", "Project", "Project", project.id),
        ("update", "Task", "Project", "Project", project.id),
        ("create", "Task", "Project", "Project", project.id)]
    assert listed[1]["changeset"] == {"workflow_status_id": [
        before, state.default_workflow.status_ids[-1]]}
    assert listed[0]["item_deleted_at"] is not None and listed[2]["item_deleted_at"] is None


async def test_budget_lines_and_tracked_time_are_rooted_at_their_deal(http, state):
    project = state.add_project("Alpha")
    deal, service = budget_with_line(state, project)
    state.track_time(service.id, 90)
    listed = await feed(http, deal_id=deal.id)
    assert [summary(a) for a in listed] == [
        ("create", "TimeEntry", "Service", "Deal", deal.id),
        ("create", "Service", "Deal", "Deal", deal.id),
        ("create", "Section", "Deal", "Deal", deal.id),
        ("create", "Deal", None, "Deal", deal.id)]
    assert {a["deal_is_budget"] for a in listed} == {True}
    assert await feed(http, project_id=project.id) == [
        a for a in await feed(http) if a["item_type"] == "Project"]


async def test_api_writes_record_their_changes(http, state):
    project = state.add_project("Alpha")
    person = state.add_person("Ana", "Kovač", "ana@example.com")
    deal, _ = budget_with_line(state, project)
    await http.patch(f"/projects/{project.id}", headers=WRITE, json={"data": {
        "type": "projects", "id": project.id, "attributes": {"name": "Beta"}}})
    await http.patch(f"/projects/{project.id}/archive")
    await http.patch(f"/projects/{project.id}/archive")  # already archived: no change
    await http.patch(f"/deals/{deal.id}", headers=WRITE, json={"data": {
        "type": "deals", "id": deal.id, "attributes": {"name": "Budget 2027"}}})
    created = await http.post("/memberships", headers=WRITE, json={"data": {
        "type": "memberships", "attributes": {"type_id": 1, "access_type_id": 5},
        "relationships": {"person": {"data": {"type": "people", "id": person.id}},
                          "project": {"data": {"type": "projects", "id": project.id}}}}})
    assert (await http.delete(f"/memberships/{created.json()['data']['id']}")).status_code == 204
    on_project = await feed(http, project_id=project.id)
    assert [(a["event"], a["item_type"], a["changeset"]) for a in on_project[:4]] == [
        ("delete", "Membership", {}),
        ("create", "Membership", {}),
        ("update", "Project", {"archived_at": [None, on_project[2]["changeset"][
            "archived_at"][1]]}),
        ("update", "Project", {"name": ["Alpha", "Beta"]})]
    assert on_project[2]["changeset"]["archived_at"][1] is not None
    renamed = (await feed(http, deal_id=deal.id))[0]
    assert (renamed["event"], renamed["changeset"]) == ("update",
                                                        {"name": ["Budget", "Budget 2027"]})


async def test_after_and_before_bound_the_window_newest_first(http, state, clock):
    project = state.add_project("Alpha")
    start = clock.now()
    clock.advance(600)
    state.add_task(project.id, "Later")
    clock.advance(600)
    state.add_task(project.id, "Latest")
    since = (start + timedelta(seconds=300)).isoformat()
    assert [a["item_name"] for a in await feed(http, after=since)] == ["Latest", "Later"]
    until = (start + timedelta(seconds=900)).isoformat()
    assert [a["item_name"] for a in await feed(http, after=since, before=until)] == ["Later"]
    # A bare date counts its whole day.
    assert len(await feed(http, after=start.date().isoformat())) == 3


async def test_the_feed_pages_and_refuses_an_unknown_filter(http, raw, state):
    project = state.add_project("Alpha")
    for n in range(4):
        state.add_task(project.id, f"Task {n}")
    first = (await http.get("/activities", params={"page[size]": 2})).json()
    second = (await http.get("/activities", params={"page[size]": 2,
                                                     "page[number]": 3})).json()
    assert first["meta"]["total_count"] == 5 and first["meta"]["total_pages"] == 3
    assert [a["attributes"]["item_name"] for a in first["data"]] == ["Task 3", "Task 2"]
    assert [a["attributes"]["item_name"] for a in second["data"]] == ["Alpha"]
    refused = await raw.get("/activities", params={"filter[root_id]": project.id})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["title"] == "Unsupported Filter"
    bad = await http.get("/activities", params={"filter[after]": "yesterday"})
    assert bad.status_code == 400
