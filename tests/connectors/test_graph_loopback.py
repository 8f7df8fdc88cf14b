"""The Graph connector, MSAL included, against the sandbox served by uvicorn on a loopback socket.

This is how demo mode runs: MSAL's discovery and token calls and the Graph calls all cross a real
socket. The socket listens before the server thread starts, so no readiness polling is needed.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.faults import Fault
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import (
    CLIENT_ID,
    GRAPH_SPECS,
    SECRET,
    TENANT_ID,
    AcceptedWithoutBody,
    graph_sandbox,
    make_sandbox,
)
from tests.connectors.validating import ValidatingTransport
from tests.loopback import serve


@pytest.fixture
def served(clock: FakeClock) -> Iterator[tuple[str, SandboxApp]]:
    app = make_sandbox(clock)
    with serve(app) as base:
        yield f"{base}/sandbox/graph", app


async def test_msal_and_graph_calls_cross_a_real_socket(served, clock):
    site, app = served
    graph_sandbox(app).faults.add(Fault(kind="rate_limit", retry_after=4,
                                        path_prefix="/v1.0/users"))
    transport = ValidatingTransport(AcceptedWithoutBody(httpx.AsyncHTTPTransport()), GRAPH_SPECS)
    connector = GraphConnector(
        tenant_id=TENANT_ID, client_id=CLIENT_ID, client_secret=SECRET,
        graph_url=f"{site}/v1.0", login_url=f"{site}/login", transport=transport, clock=clock,
        retry=RetryPolicy(), rate_limits=(), poll_interval=1.0)
    async with connector:
        identity = await connector.test_connection()
        owner = await connector.get_user(SANDBOX_EMAIL)
        team_id = await connector.create_team("Over the wire", owner_id=owner.id)
        url = await connector.team_web_url(team_id)
    assert identity.app_id == CLIENT_ID and team_id in url
    assert clock.sleeps[0] == 4 and graph_sandbox(app).issuer.issued == 1
