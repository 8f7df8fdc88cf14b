"""The Confluence sandbox's wire behaviour, as a client other than our connector would see it.

``checked`` validates every exchange against the v1/v2 specs; ``raw`` is for what no spec covers
(unknown paths, and the 401 the 2021 v1 spec does not declare).
"""

from __future__ import annotations

import re

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.confluence_state import SANDBOX_EMAIL
from projecthub.sandbox.faults import Fault
from tests.connectors.confluence_setup import CONFLUENCE_SPECS
from tests.connectors.validating import ValidatingTransport

BASE = "http://sandbox.test/sandbox/confluence"
V1, V2 = "/wiki/rest/api", "/wiki/api/v2"


@pytest.fixture
def app():
    return create_sandbox_app(sleep=FakeClock().sleep, admin_token="admin")


def _client(transport: httpx.AsyncBaseTransport, tenant: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport, base_url=BASE,
                             auth=(SANDBOX_EMAIL, f"sandbox-{tenant}"))


@pytest.fixture
async def checked(app):
    transport = ValidatingTransport(httpx.ASGITransport(app=app), CONFLUENCE_SPECS)
    async with _client(transport, "demo") as client:
        yield client


@pytest.fixture
async def raw(app):
    async with _client(httpx.ASGITransport(app=app), "demo") as client:
        yield client


async def test_every_reply_carries_atlassians_edge_headers(checked, raw):
    for response in (await checked.get(f"{V1}/user/current"), await raw.get(f"{V2}/nope")):
        headers = response.headers
        assert re.fullmatch(r"[0-9a-f]{32}", headers["atl-traceid"])
        assert headers["atl-request-id"].replace("-", "") == headers["atl-traceid"]
        assert headers["server"] == "AtlassianEdge"
        assert headers["content-type"] == "application/json;charset=UTF-8"


async def test_errors_use_the_envelope_of_the_api_called(raw):
    v2 = await raw.get(f"{V2}/nope")
    assert v2.status_code == 404
    assert v2.json() == {"errors": [{"status": 404, "code": "NOT_FOUND", "title": "Not Found",
                                     "detail": None}]}
    v1 = (await raw.get(f"{V1}/nope")).json()
    assert v1["statusCode"] == 404 and v1["data"]["successful"] is False
    assert v1["message"] == ("com.atlassian.confluence.api.service.exceptions."
                             "NotFoundException: Not Found")


async def test_missing_and_wrong_credentials_get_confluences_401s(raw):
    anonymous = await raw.get(f"{V2}/spaces", auth=None)
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["code"] == "UNAUTHORIZED"
    anonymous_v1 = await raw.get(f"{V1}/user/current", auth=None)
    assert anonymous_v1.json()["statusCode"] == 401
    for auth in ((SANDBOX_EMAIL, "api-token"), ("stranger@example.com", "sandbox-demo")):
        wrong = await raw.get(f"{V1}/user/current", auth=auth)
        assert wrong.status_code == 401 and wrong.text.startswith("Basic authentication with")
        assert wrong.headers["content-type"].startswith("text/plain")


async def test_demo_tenant_is_seeded_and_tenants_are_isolated(app, checked):
    spaces = (await checked.get(f"{V2}/spaces")).json()["results"]
    assert [s["key"] for s in spaces] == ["WEB", "OPS"]
    created = await checked.post(f"{V2}/spaces", json={"name": "Mine", "key": "MINE"})
    assert created.status_code == 201 and created.json()["_links"]["base"] == f"{BASE}/wiki"
    transport = ValidatingTransport(httpx.ASGITransport(app=app), CONFLUENCE_SPECS)
    async with _client(transport, "other") as other:
        keys = [s["key"] for s in (await other.get(f"{V2}/spaces")).json()["results"]]
    assert keys == ["WEB", "OPS"]


async def test_v2_lists_link_the_next_page_in_body_and_header(checked):
    first = await checked.get(f"{V2}/spaces", params={"limit": 1})
    nxt = first.json()["_links"]["next"]
    assert nxt.startswith("/sandbox/confluence/wiki/api/v2/spaces?limit=1&cursor=")
    assert first.headers["link"] == (f'<{nxt}>; rel="next", <{BASE}/wiki>; rel="base"')
    second = await checked.get(nxt.removeprefix("/sandbox/confluence"))
    assert [s["key"] for s in second.json()["results"]] == ["OPS"]
    assert "next" not in second.json()["_links"] and "link" not in second.headers


async def test_a_cursor_only_works_for_the_list_it_came_from(checked):
    first = await checked.get(f"{V2}/spaces", params={"limit": 1})
    cursor = re.search(r"cursor=([^&]+)", first.json()["_links"]["next"]).group(1)
    space_id = first.json()["results"][0]["id"]
    wrong = await checked.get(f"{V2}/spaces/{space_id}/pages", params={"cursor": cursor})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["title"] == "Invalid cursor"


async def test_v1_user_search_pages_with_offsets(checked):
    found = await checked.get(f"{V1}/search/user", params={"cql": "type=user", "limit": 2})
    body = found.json()
    assert (body["size"], body["totalSize"], body["start"]) == (2, 3, 0)
    assert body["_links"]["next"] == "/rest/api/search/user?cql=type%3Duser&start=2&limit=2"
    assert body["results"][0]["user"]["accountId"].startswith("712020:")
    bad = await checked.get(f"{V1}/search/user", params={"cql": "user.email = 'x'"})
    assert bad.status_code == 400 and "Could not parse cql" in bad.json()["message"]


async def test_v2_space_create_is_404_without_rbac_and_v1_answers_200(app):
    transport = ValidatingTransport(httpx.ASGITransport(app=app), CONFLUENCE_SPECS)
    async with _client(transport, "demo-norbac") as client:
        refused = await client.post(f"{V2}/spaces", json={"name": "New", "key": "NEW"})
        assert refused.status_code == 404
        created = await client.post(f"{V1}/space", json={"name": "New", "key": "NEW"})
        assert created.status_code == 200 and isinstance(created.json()["id"], int)
        again = await client.post(f"{V1}/space", json={"name": "New", "key": "NEW"})
    assert again.status_code == 400
    assert again.json()["message"].endswith("BadRequestException: A space already exists with "
                                            "key NEW")


async def test_page_create_defaults_to_the_homepage_and_rejects_bad_input(checked):
    web = (await checked.get(f"{V2}/spaces", params={"keys": "WEB"})).json()["results"][0]
    nested = {"storage": {"representation": "storage", "value": "<p>hi</p>"}}
    page = await checked.post(f"{V2}/pages", json={"spaceId": web["id"], "title": "Hi",
                                                   "body": nested})
    assert page.status_code == 200 and page.json()["parentId"] == web["homepageId"]
    root = await checked.post(f"{V2}/pages", params={"root-level": "true"},
                              json={"spaceId": web["id"], "title": "Top"})
    assert "parentId" not in root.json()
    untitled = await checked.post(f"{V2}/pages", json={"spaceId": web["id"]})
    assert untitled.status_code == 400
    wrong_format = await checked.post(f"{V2}/pages", json={
        "spaceId": web["id"], "title": "X", "body": {"representation": "html", "value": "x"}})
    assert wrong_format.status_code == 400


async def test_faults_answer_in_the_envelope_of_the_api_called(app, raw):
    faults = app.vendors["confluence"].faults
    faults.add(Fault(kind="rate_limit", retry_after=5), Fault(kind="rate_limit", retry_after=5))
    v2 = await raw.get(f"{V2}/spaces")
    v1 = await raw.get(f"{V1}/user/current")
    assert (v2.status_code, v2.headers["retry-after"], v1.status_code) == (429, "5", 429)
    assert v2.json()["errors"][0]["code"] == "TOO_MANY_REQUESTS"
    assert v1.json()["statusCode"] == 429


async def test_one_person_has_the_same_account_id_in_jira_and_confluence(app):
    jira = app.vendors["jira"].tenant("demo")
    confluence = app.vendors["confluence"].tenant("demo")
    assert {u.email: u.account_id for u in jira.users if u.email == SANDBOX_EMAIL} == {
        a.email: a.account_id for a in confluence.accounts if a.email == SANDBOX_EMAIL}


async def _content_search(client: httpx.AsyncClient, cql: str, **params: str) -> httpx.Response:
    return await client.get(f"{V1}/content/search", params={"cql": cql, **params})


@pytest.mark.parametrize(("cql", "titles"), [
    # The demo's last edits: WEB pages edited by Ben from 8 January (start + n + 3 days).
    ('type = page AND space = WEB AND lastmodified >= "2026-01-10"', 2),
    ('type = page AND space in ("WEB") AND lastmodified > "2026/01/10 09:00"', 1),
    ('space = OPS AND lastmodified < now("-1w")', 4),
    ("type = page AND lastmodified >= now()", 0),
])
async def test_content_search_filters_pages_by_space_and_last_modification(checked, app, cql,
                                                                          titles):
    app.vendors["confluence"].tenant("demo")  # seeded on first use
    body = (await _content_search(checked, cql)).json()
    assert body["size"] == len(body["results"]) == titles


async def test_content_search_expands_the_space_and_pages_by_cursor(checked, app):
    site = app.vendors["confluence"].tenant("demo")
    ops = next(s for s in site.spaces.values() if s.key == "OPS")
    for n in range(3):
        site.add_page(ops, f"Fresh {n}", site.accounts[0])
    first = (await _content_search(checked, 'type = page AND lastmodified >= now("-5m")',
                                   limit="2", expand="space")).json()
    assert [r["space"]["key"] for r in first["results"]] == ["OPS", "OPS"]
    assert first["_links"]["next"].startswith("/rest/api/content/search?")
    cursor = httpx.URL(first["_links"]["next"]).params["cursor"]
    rest = (await _content_search(checked, 'type = page AND lastmodified >= now("-5m")',
                                  limit="2", cursor=cursor)).json()
    assert [r["title"] for r in rest["results"]] == ["Fresh 2"]
    assert "space" not in rest["results"][0] and "next" not in rest["_links"]


@pytest.mark.parametrize("cql", [
    "lastmodified >= yesterday", 'type = page OR space = WEB', "title ~ charter",
    'lastmodified >= now("-5x")'])
async def test_cql_the_sandbox_does_not_know_gets_confluences_400(checked, cql):
    response = await _content_search(checked, cql)
    assert response.status_code == 400
    assert response.json()["message"].endswith(f"Could not parse cql : {cql}")
