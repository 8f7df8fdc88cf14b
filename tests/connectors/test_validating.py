"""The spec-checking transport is not vacuous: it rejects what the vendor spec forbids."""

from __future__ import annotations

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors.jira_setup import JIRA_SPECS, SITE, TOKEN, make_connector, make_sandbox
from tests.connectors.validating import ValidatingTransport

EVERY_JIRA_OPERATION = {
    "GET /rest/api/3/myself", "GET /rest/api/3/user/search",
    "GET /rest/api/3/projectvalidate/key", "GET /rest/api/3/projectvalidate/validProjectKey",
    "GET /rest/api/3/projectvalidate/validProjectName", "POST /rest/api/3/project",
    "GET /rest/api/3/project/{projectIdOrKey}", "GET /rest/api/3/project/{projectIdOrKey}/role",
    "GET /rest/api/3/project/{projectIdOrKey}/role/{id}",
    "POST /rest/api/3/project/{projectIdOrKey}/role/{id}",
    "POST /rest/api/3/search/approximate-count", "POST /rest/api/3/search/jql",
    "GET /rest/agile/1.0/board", "GET /rest/agile/1.0/board/{boardId}/sprint",
}


@pytest.fixture
async def raw(clock: FakeClock):
    transport = ValidatingTransport(httpx.ASGITransport(app=make_sandbox(clock)), JIRA_SPECS)
    async with httpx.AsyncClient(transport=transport, base_url=SITE,
                                 auth=(SANDBOX_EMAIL, TOKEN)) as client:
        yield client


async def test_every_connector_operation_passes_the_spec_check(clock):
    connector, transport = make_connector(make_sandbox(clock), clock)
    async with connector:
        me = await connector.current_user()
        await connector.find_users_by_email(SANDBOX_EMAIL)
        await connector.check_project_key("ZED")
        await connector.suggest_project_key("zed")
        await connector.suggest_project_name("Zed")
        await connector.create_project(key="ZED", name="Zed", lead_account_id=me.account_id)
        await connector.get_project("ZED")
        roles = await connector.project_roles("ZED")
        await connector.add_role_actors("ZED", roles["Member"], [me.account_id])
        await connector.issue_counts("WEB")
        [i async for i in connector.iter_project_issues("WEB")]
        boards = [b async for b in connector.iter_boards("WEB")]
        [s async for s in connector.iter_sprints(boards[0].id)]
    assert set(transport.validated) == EVERY_JIRA_OPERATION


async def test_a_body_the_spec_forbids_fails_the_test(raw):
    with pytest.raises(AssertionError, match="breaks the vendor spec"):
        await raw.post("/rest/api/3/project", json={"key": 12, "name": "Typed wrong"})


async def test_a_deprecated_operation_fails_the_test(raw):
    with pytest.raises(AssertionError, match="deprecated"):
        await raw.post("/rest/api/3/search", json={"jql": "project = WEB"})


async def test_a_path_outside_the_specs_fails_the_test(raw):
    with pytest.raises(AssertionError):
        await raw.get("/rest/api/3/no-such-operation")
