"""The Productive sandbox's wire behaviour as any client would see it, checked against the
recorded traffic and, through the validating transport, against the resource schema."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.productive_state import ORGANIZATION_ID, OWNER_EMAIL
from projecthub.sandbox.productive_views import VIEWS
from projecthub.sandbox.productive_writes import REQUIRED
from tests.connectors.productive_schema import load_schema
from tests.connectors.productive_validating import SANDBOX_API, ProductiveValidatingTransport

CASSETTES = Path(__file__).resolve().parents[1] / "vendor_fixtures" / "productive" / "cassettes"
BASE = f"http://sandbox.test{SANDBOX_API}"
AUTH = {"X-Auth-Token": "sandbox-demo", "X-Organization-Id": ORGANIZATION_ID}
WRITE = {"Content-Type": "application/vnd.api+json"}


@pytest.fixture
def app():
    return create_sandbox_app(sleep=FakeClock().sleep, admin_token="admin")


@pytest.fixture
def state(app):
    return app.vendors["productive"].tenant("demo")


@pytest.fixture
async def http(app):
    """A client whose every exchange must satisfy the schema and the recorded envelope."""
    transport = ProductiveValidatingTransport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, headers=AUTH) as client:
        yield client


@pytest.fixture
async def raw(app):
    """A client that checks nothing, for replies the schema has no say in (auth failures)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                 headers=AUTH) as client:
        yield client


def recorded_body(name: str) -> dict:
    exchange = json.loads((CASSETTES / name).read_text())["http_interactions"][0]
    return json.loads(exchange["response"]["body"]["string"])


def project_body(state, **attributes) -> dict:
    return {"data": {"type": "projects",
                     "attributes": {"name": "Gamma", "project_type_id": 1, **attributes},
                     "relationships": {
                         "company": {"data": {"type": "companies",
                                              "id": state.organization.company_id}},
                         "project_manager": {"data": {"type": "people", "id": state.owner.id}},
                         "workflow": {"data": {"type": "workflows",
                                               "id": state.default_workflow.id}}}}}


async def test_every_resource_of_the_demo_tenant_validates_with_every_include(http):
    schema = load_schema()
    for kind, view in VIEWS.items():
        if kind == "organizations":
            continue
        includable = sorted(view.relationships & (set(schema.relationships(kind))
                                                  | {"organization"}))
        params = {"page[size]": 200, **({"include": ",".join(includable)} if includable else {})}
        listed = (await http.get(f"/{kind}", params=params)).json()
        assert listed["data"], kind
        one = await http.get(f"/{kind}/{listed['data'][0]['id']}", params=params)
        assert one.json()["data"]["id"] == listed["data"][0]["id"]
        assert set(one.json()["meta"]) == {"settings"}


async def test_the_404_is_byte_for_byte_the_recorded_one(http):
    response = await http.get("/projects/999999999")
    assert response.json() == recorded_body("errors_404.json")
    assert response.headers["cache-control"] == "no-cache" and "etag" not in response.headers


async def test_a_blank_create_gets_one_422_entry_per_required_field(raw):
    response = await raw.post("/projects", json={"data": {"type": "projects",
                                                           "attributes": {}}}, headers=WRITE)
    recorded = recorded_body("errors_422.json")["errors"][0]
    errors = response.json()["errors"]
    assert response.status_code == 422
    assert [e["source"]["pointer"] for e in errors] == [
        f"data/attributes/{n}" for n in REQUIRED["projects"]]
    assert all(e | {"source": {}} == recorded | {"source": {}} for e in errors)


@pytest.mark.parametrize("kind", sorted(REQUIRED))
def test_required_fields_match_the_vendor_schema(kind):
    assert set(REQUIRED[kind]) == load_schema().required(kind)


async def test_create_answers_201_without_location_and_normalises_ids(http, state):
    response = await http.post("/projects", json=project_body(state), headers=WRITE)
    assert response.status_code == 201 and "location" not in response.headers
    body = response.json()
    assert body["data"]["attributes"]["name"] == "Gamma" and "settings" in body["meta"]
    assert body["data"]["relationships"]["company"] == {"meta": {"included": False}}
    again = await http.post("/projects", json=project_body(state), headers=WRITE)
    assert again.json()["data"]["id"] != body["data"]["id"]


async def test_memberships_accept_the_documented_id_attributes_and_refuse_duplicates(raw, state):
    project = state.add_project("Delta")
    body = {"data": {"type": "memberships", "attributes": {
        "type_id": 1, "access_type_id": 5, "person_id": int(state.owner.id),
        "project_id": int(project.id)}}}
    assert (await raw.post("/memberships", json=body, headers=WRITE)).status_code == 201
    taken = await raw.post("/memberships", json=body, headers=WRITE)
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["detail"] == "has already been taken"


@pytest.mark.parametrize(("headers", "path"), [
    ({"X-Auth-Token": "wrong"}, "/projects"),
    ({"X-Organization-Id": "1"}, "/projects"),
    ({"X-Auth-Token": ""}, "/people/1"),
])
async def test_bad_credentials_get_a_json_api_401(raw, headers, path):
    response = await raw.get(path, headers=headers)
    assert response.status_code == 401
    assert response.json()["errors"][0]["status"] == "401"
    assert response.headers["content-type"] == "application/vnd.api+json; charset=utf-8"
    assert len(response.headers["x-request-id"]) == 36


async def test_writes_need_the_json_api_content_type(raw, state):
    response = await raw.post("/projects", content=json.dumps(project_body(state)),
                              headers={"Content-Type": "application/vnd.api+json; charset=utf-8"})
    assert response.status_code == 201
    plain = await raw.post("/projects", json=project_body(state))
    assert plain.status_code == 415 and plain.json()["errors"][0]["status"] == "415"


async def test_rate_limit_fault_is_a_429_without_retry_after(http, app):
    app.vendors["productive"].faults.add(Fault(kind="rate_limit"))
    response = await http.get("/projects")
    assert response.status_code == 429 and "retry-after" not in response.headers
    assert response.json()["errors"][0]["status"] == "429"
    assert (await http.get("/projects")).status_code == 200


async def test_paging_links_and_meta_follow_the_recordings(http):
    first = (await http.get("/tasks", params={"page[size]": 4, "sort": "-created_at"})).json()
    assert "prev" not in first["links"]
    assert first["links"]["next"] == (
        f"{BASE}/tasks?page%5Bnumber%5D=2&page%5Bsize%5D=4&sort=-created_at")
    last_page = first["meta"]["total_pages"]
    last = (await http.get("/tasks", params={"page[size]": 4, "page[number]": last_page})).json()
    assert "next" not in last["links"] and last["links"]["prev"].count("page%5Bnumber%5D") == 1
    seen = []
    for number in range(1, last_page + 1):
        page = await http.get("/tasks", params={"page[size]": 4, "page[number]": number})
        seen += [t["id"] for t in page.json()["data"]]
    assert len(set(seen)) == len(seen) == first["meta"]["total_count"]
    capped = (await http.get("/tasks", params={"page[size]": 200})).json()["meta"]
    assert (capped["page_size"], capped["max_page_size"]) == (200, 200)
    beyond = (await http.get("/tasks", params={"page[number]": 99})).json()
    assert beyond["data"] == [] and beyond["meta"]["current_page"] == 99


async def test_unsupported_filters_sorts_and_includes_are_400s(raw):
    unsupported = await raw.get("/projects", params={"filter[colour]": "red"})
    assert unsupported.status_code == 400
    assert unsupported.json() == {"errors": [{
        "status": 400, "title": "Unsupported Filter",
        "detail": "Filter 'colour' is not supported on this endpoint"}]}
    for params in ({"sort": "colour"}, {"include": "tasks"}, {"filter[$op]": "or"},
                   {"filter[status][gt]": "1"}):
        assert (await raw.get("/projects", params=params)).status_code == 400


async def test_filters_select_like_productive(http, state):
    people = (await http.get("/people", params={"filter[email]": OWNER_EMAIL.upper()})).json()
    assert [p["id"] for p in people["data"]] == [state.owner.id]
    archived = (await http.get("/companies", params={"filter[status]": "2"})).json()["data"]
    assert [c["attributes"]["name"] for c in archived] == ["Old Client Co"]
    not_budgets = await http.get("/deals", params={"filter[type][not_eq]": "2"})
    assert [d["attributes"]["budget"] for d in not_budgets.json()["data"]] == [False]


async def test_tenants_are_isolated_and_only_seeded_when_asked(raw, state):
    assert (await raw.post("/projects", json=project_body(state), headers=WRITE)).is_success
    demo = (await raw.get("/projects")).json()["meta"]["total_count"]
    other = await raw.get("/projects", headers={"X-Auth-Token": "sandbox-other"})
    assert (demo, other.json()["meta"]["total_count"]) == (4, 3)
    empty_app = create_sandbox_app(sleep=FakeClock().sleep, seed_demo=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=empty_app), base_url=BASE,
                                 headers=AUTH) as client:
        assert (await client.get("/projects")).json()["meta"]["total_count"] == 0
        assert (await client.get("/workflows")).json()["meta"]["total_count"] == 1
