"""The Jira sandbox's wire behaviour, as a client other than our connector would see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors.jira_setup import JIRA_SPECS
from tests.connectors.validating import ValidatingTransport

BASE = "http://sandbox.test/sandbox/jira"


@pytest.fixture
def app():
    return create_sandbox_app(sleep=FakeClock().sleep, admin_token="admin")


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                 auth=(SANDBOX_EMAIL, "sandbox-demo")) as client:
        yield client


async def test_every_reply_carries_jiras_request_headers(http):
    for response in (await http.get("/rest/api/3/myself"), await http.get("/rest/api/3/nope")):
        headers = response.headers
        assert re.fullmatch(r"[0-9a-f]{32}", headers["atl-traceid"])
        assert headers["atl-request-id"].replace("-", "") == headers["atl-traceid"]
        assert headers["x-arequestid"] and headers["server"] == "AtlassianEdge"
        assert headers["content-type"] == "application/json;charset=UTF-8"


async def test_missing_and_wrong_credentials_get_jiras_401s(http):
    anonymous = await http.get("/rest/api/3/myself", auth=None)
    assert anonymous.status_code == 401 and anonymous.json()["errorMessages"]
    wrong = await http.get("/rest/api/3/myself", auth=(SANDBOX_EMAIL, "guess"))
    assert wrong.status_code == 401
    assert wrong.text.startswith("Basic authentication with passwords is deprecated.")


async def test_tenants_are_chosen_by_token_and_isolated(http):
    lead = (await http.get("/rest/api/3/myself")).json()["accountId"]
    body = {"key": "ISO", "name": "Isolated", "leadAccountId": lead, "projectTypeKey": "business"}
    assert (await http.post("/rest/api/3/project", json=body)).status_code == 201
    other = await http.get("/rest/api/3/project/ISO", auth=(SANDBOX_EMAIL, "sandbox-other"))
    assert other.status_code == 404
    assert other.json() == {"errorMessages": ["No project could be found with key 'ISO'."],
                            "errors": {}}


async def test_create_answers_201_with_an_integer_id_and_duplicates_400(http):
    lead = (await http.get("/rest/api/3/myself")).json()["accountId"]
    body = {"key": "DUP", "name": "Dup", "leadAccountId": lead, "projectTypeKey": "software"}
    created = await http.post("/rest/api/3/project", json=body)
    assert created.status_code == 201
    assert set(created.json()) == {"self", "id", "key"} and isinstance(created.json()["id"], int)
    again = await http.post("/rest/api/3/project", json={**body, "name": "Other"})
    assert again.status_code == 400
    assert again.json() == {"errorMessages": [], "errors": {
        "projectKey": "A project with that project key already exists."}}


async def test_unknown_fields_in_a_create_are_rejected(http):
    response = await http.post("/rest/api/3/project", json={"key": "X1", "colour": "red"})
    assert response.status_code == 400 and "colour" in response.json()["errors"]


async def test_search_jql_get_returns_only_ids_by_default_and_rejects_foreign_tokens(http):
    first = (await http.get("/rest/api/3/search/jql",
                            params={"jql": "project = WEB", "maxResults": 2})).json()
    assert first["issues"] == [{"id": "10000"}, {"id": "10001"}] and first["isLast"] is False
    stolen = await http.get("/rest/api/3/search/jql", params={
        "jql": "project = OPS", "nextPageToken": first["nextPageToken"]})
    assert stolen.status_code == 400


async def test_the_removed_search_endpoint_answers_410(http):
    response = await http.post("/rest/api/3/search", json={"jql": "project = WEB"})
    assert response.status_code == 410
    assert "CHANGE-2046" in response.json()["errorMessages"][0]


async def test_kanban_boards_have_no_sprints_and_unknown_boards_404(http):
    boards = (await http.get("/rest/agile/1.0/board", params={"projectKeyOrId": "OPS"})).json()
    kanban = boards["values"][0]
    assert kanban["type"] == "kanban" and boards["isLast"] is True
    assert (await http.get(f"/rest/agile/1.0/board/{kanban['id']}/sprint")).status_code == 400
    assert (await http.get("/rest/agile/1.0/board/999/sprint")).status_code == 404


async def test_rate_limit_fault_uses_jiras_headers_and_admin_endpoint(http):
    queued = await http.post("/_sandbox/faults", headers={"X-Sandbox-Admin-Token": "admin"},
                             json={"kind": "rate_limit", "retry_after": 5})
    assert queued.status_code == 200
    limited = await http.get("/rest/api/3/myself")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "5"
    assert limited.headers["ratelimit-reason"] == "jira-burst-based"
    assert limited.json()["errorMessages"] == ["Rate limit exceeded."]


async def test_malformed_bodies_are_400s_not_crashes(http):
    for path, body in [("/rest/api/3/search/approximate-count", []),
                       ("/rest/api/3/search/jql", {"jql": "project = WEB", "maxResults": "x"}),
                       ("/rest/api/3/project/WEB/role/10003", {"groupId": ["g1"]})]:
        response = await http.post(path, json=body)
        assert response.status_code == 400, path
        assert response.json()["errorMessages"]


@pytest.fixture
def clock():
    return FakeClock(start=datetime(2026, 1, 26, 10, 0, tzinfo=UTC))


@pytest.fixture
async def jql(app, clock):
    """Counts (or a 400's message) for a JQL query, exchanges checked against the Jira spec."""
    app.vendors["jira"].tenant("demo").now = clock.now
    transport = ValidatingTransport(httpx.ASGITransport(app=app), JIRA_SPECS)
    async with httpx.AsyncClient(transport=transport, base_url=BASE,
                                 auth=(SANDBOX_EMAIL, "sandbox-demo")) as client:
        async def run(query: str) -> int | str:
            response = await client.post("/rest/api/3/search/approximate-count",
                                         json={"jql": query})
            body = response.json()
            return body["count"] if response.status_code == 200 else body["errorMessages"][0]
        yield run


@pytest.mark.parametrize(("clause", "count"), [
    ('duedate = "2026-01-23"', 1), ("duedate != 2026-01-23", 5), ('due < "2026/01/16"', 1),
    ('duedate <= "2026-01-16"', 3), ('duedate > "2026-01-30"', 1), ('duedate >= "2026-1-30"', 2),
    ('duedate in ("2026-01-09", "2026-02-02")', 2), ('duedate not in ("2026-01-09")', 5),
    ("duedate is EMPTY", 1), ("duedate is not EMPTY", 6), ("duedate = null", 1),
    ("duedate < now()", 4), ("duedate < startOfDay()", 4), ("duedate <= startOfDay()", 4),
    ("duedate >= -3d", 3), ('duedate < "-1w 1d"', 3),
])
async def test_due_date_clauses_follow_jiras_operators(jql, clause, count):
    assert await jql(f"project = WEB AND {clause}") == count


async def test_overdue_open_issues_are_counted_in_the_searchers_time_zone(jql, clock):
    overdue = "project = WEB AND duedate < startOfDay() AND statusCategory != Done"
    assert await jql(overdue) == 2
    clock.advance(12 * 3600 + 59 * 60)  # 23:59 in Berlin, where the demo account lives
    assert await jql(overdue) == 2
    clock.advance(60 + 4 * 86400)  # midnight of the 31st in Berlin: "Build landing page" slips
    assert await jql(overdue) == 3


async def test_sprint_clauses_combine_with_status_categories(jql):
    assert await jql('sprint = 2 AND statusCategory = "In Progress"') == 2
    assert await jql("sprint = 2 AND statusCategory != Done") == 3
    assert await jql('sprint = "WEB Sprint 1" AND statusCategory = Done') == 2
    assert await jql("project = WEB AND sprint != 2") == 2
    assert await jql("project = WEB AND sprint is EMPTY") == 2
    assert await jql("project = WEB AND sprint in openSprints()") == 3


@pytest.mark.parametrize(("query", "message"), [
    ('project = WEB AND duedate < "2026-01-26 10:00"',
     "Date value '2026-01-26 10:00' for field 'duedate' is invalid. Valid formats include: "
     "'YYYY/MM/DD', 'YYYY-MM-DD', or a period format e.g. '-5d', '4w 2d'."),
    ("project = WEB AND due > 2026-02-30", "Date value '2026-02-30' for field 'due' is invalid."),
    ("project = WEB AND duedate < endOfDay()", "Unable to find JQL function 'endOfDay()'."),
    ("project = WEB AND duedate < startOfDay(-1d)",
     "Unable to find JQL function 'startOfDay(-1d)'."),
    ("project < WEB", "The operator '<' is not supported by the 'project' field."),
    ("key is EMPTY", "The operator 'is' is not supported by the 'key' field."),
    ("key = EMPTY", "The field 'key' does not support searching for EMPTY values."),
    ("project = WEB AND duedate is 2026-01-01", "The operator 'is' only supports searching for "
                                                "EMPTY values on the field 'duedate'."),
    ("project WEB", "Error in the JQL Query: Expecting operator but got 'WEB'. The valid operators "
                    "are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and "
                    "'IS NOT'. (line 1, character 9)"),
])
async def test_unsupported_jql_gets_jiras_400_wording(jql, query, message):
    assert str(await jql(query)).startswith(message)


async def test_search_returns_due_dates_as_jira_dates(http):
    body = (await http.post("/rest/api/3/search/jql", json={
        "jql": "project = WEB ORDER BY key ASC", "fields": ["duedate"]})).json()
    assert [i["fields"]["duedate"] for i in body["issues"]][-3:] == [
        "2026-02-02", "2026-01-16", None]


@pytest.mark.parametrize(("clause", "count"), [
    # The demo's WEB issues were created hourly from 09:00 UTC on 5 January (10:00 in Berlin).
    ('updated >= "2026-01-05 11:00"', 6), ('updated > "2026/01/05 11:00"', 5),
    ('updated < "2026-01-05"', 0), ("updated < startOfDay()", 7), ("updated >= -1d", 0),
    ('updated <= "-3w"', 2), ("updated < now()", 7),
])
async def test_updated_clauses_take_instants_in_the_searchers_time_zone(jql, clause, count):
    assert await jql(f"project = WEB AND {clause}") == count


async def test_a_change_moves_updated_so_a_delta_query_finds_it(app, jql, clock):
    site = app.vendors["jira"].tenant("demo")
    changed = "project in (WEB, OPS) AND updated >= -15m"
    assert await jql(changed) == 0
    site.set_status("WEB-3", "Done")
    clock.advance(10 * 60)
    site.set_due_date("OPS-1", None)
    assert await jql(changed) == 2
    clock.advance(6 * 60)  # the status change is now 16 minutes old
    assert await jql(changed) == 1


async def test_search_returns_each_changed_issues_project_and_updated_time(app, http, clock):
    site = app.vendors["jira"].tenant("demo")
    site.now = clock.now
    site.set_status("OPS-2", "Done")
    body = (await http.post("/rest/api/3/search/jql", json={
        "jql": "updated >= -5m", "fields": ["project", "updated"]})).json()
    assert [(i["key"], i["fields"]["project"]["key"], i["fields"]["updated"])
            for i in body["issues"]] == [("OPS-2", "OPS", "2026-01-26T10:00:00.000+0000")]
    assert body["isLast"] is True


@pytest.mark.parametrize(("query", "message"), [
    ('project = WEB AND updated >= "2026-01-05 25:00"',
     "Date value '2026-01-05 25:00' for field 'updated' is invalid. Valid formats include: "
     "'YYYY/MM/DD HH:mm', 'YYYY-MM-DD HH:mm', 'YYYY/MM/DD', 'YYYY-MM-DD'"),
    ("project = WEB AND updated = -1d", "The operator '=' is not supported by the 'updated' "
                                        "field."),
    ("project = WEB AND updated > endOfDay()", "Unable to find JQL function 'endOfDay()'."),
])
async def test_unsupported_updated_clauses_get_jiras_400_wording(jql, query, message):
    assert str(await jql(query)).startswith(message)
