"""The Jira connector against the sandbox served by uvicorn on a real loopback socket.

The socket is bound and listening before the server thread starts, so the first request simply
waits in the kernel's backlog: no polling for readiness, no sleeps.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.jira import JiraConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors.jira_setup import JIRA_SPECS, TOKEN, make_sandbox
from tests.connectors.validating import ValidatingTransport
from tests.loopback import serve


@pytest.fixture
def served(clock: FakeClock) -> Iterator[tuple[str, object]]:
    app = make_sandbox(clock)
    with serve(app) as base:
        yield f"{base}/sandbox/jira", app


async def test_connector_works_over_a_real_socket_through_faults(served, clock):
    site, app = served
    app.vendors["jira"].faults.add(
        Fault(kind="rate_limit", retry_after=4, path_prefix="/rest/api/3/search"),
        Fault(kind="reset", path_prefix="/rest/agile/1.0/board"),
    )
    transport = ValidatingTransport(httpx.AsyncHTTPTransport(), JIRA_SPECS)
    connector = JiraConnector(site_url=site, email=SANDBOX_EMAIL, api_token=TOKEN,
                              transport=transport, clock=clock, retry=RetryPolicy(), rate_limits=())
    async with connector:
        me = await connector.current_user()
        counts = await connector.issue_counts("WEB")
        boards = [b async for b in connector.iter_boards("WEB")]
        issues = [i async for i in connector.iter_project_issues("WEB", page_size=3)]
    assert me.email_address == SANDBOX_EMAIL
    assert counts.total == 7 and len(issues) == 7
    assert [b.name for b in boards] == ["WEB board"]
    assert 4.0 in clock.sleeps
    assert app.vendors["jira"].faults.pending == []
