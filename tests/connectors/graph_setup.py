"""Factories for Graph connector tests: the real connector, MSAL included, against the sandbox.

Graph calls go through :class:`ValidatingTransport` (every request and reply checked against the
Graph v1.0 specs); MSAL's calls to the fake Entra ID go straight to the app (no spec exists for
it; ``tests/sandbox/test_graph_login.py`` checks those replies). No tests live here.
"""

from __future__ import annotations

import httpx
import msal

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.common import SandboxOptions
from projecthub.sandbox.graph import GraphSandbox, create_graph_sandbox
from projecthub.sandbox.graph_state import GraphState
from tests.connectors.validating import SpecBinding, ValidatingTransport

SITE = "http://sandbox.test/sandbox/graph"
GRAPH_URL = f"{SITE}/v1.0"
LOGIN_URL = f"{SITE}/login"
SECRET = "sandbox-acme"
TENANT_ID = "contoso.onmicrosoft.com"
CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"
POLL_INTERVAL = 5.0
# First match wins: a group's own paths (``/groups/{id}/…``) are only used for Planner, while
# ``/groups`` itself belongs to the Groups module.
GRAPH_SPECS = tuple(
    SpecBinding(f"msgraph/{name}.v1.0.yml", "/sandbox/graph", "https://graph.microsoft.com",
                prefix)
    for name, prefix in (("Users", "/v1.0/users"), ("Planner", "/v1.0/groups/"),
                         ("Groups", "/v1.0/groups"), ("Teams", "/v1.0/teams"),
                         ("Planner", "/v1.0/planner")))


class AcceptedWithoutBody(httpx.AsyncBaseTransport):
    """Bridges one gap between Graph's generated spec and Graph itself.

    The spec declares the created team as the body of every 2XX to ``POST /teams``; the service
    answers 202 with no body (docs sample, recorded mock). This shim, below the validator, checks
    the body really is empty and shows the validator ``{}`` (a team with no properties), so the
    status, headers and request are still validated.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not (request.method == "POST" and request.url.path.endswith("/v1.0/teams")
                and response.status_code == 202):
            return response
        assert await response.aread() == b"", "POST /teams must answer 202 without a body"
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() != "content-length"]
        return httpx.Response(202, headers=headers, content=b"{}", request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def make_sandbox(clock: FakeClock, *, seed_demo: bool = True) -> SandboxApp:
    """Only the Graph fake (with its Entra ID), sleeping on the test's clock."""
    options = SandboxOptions(sleep=clock.sleep, admin_token="admin", seed_demo=seed_demo)
    return SandboxApp({"graph": create_graph_sandbox(options)})


def graph_sandbox(app: SandboxApp) -> GraphSandbox:
    sandbox = app.vendors["graph"]
    assert isinstance(sandbox, GraphSandbox)
    return sandbox


def graph_state(app: SandboxApp, tenant: str = "acme") -> GraphState:
    return graph_sandbox(app).tenant(tenant)


def make_connector(
    app: SandboxApp, clock: FakeClock, *, secret: str = SECRET, tenant_id: str = TENANT_ID,
    client_id: str = CLIENT_ID, authority: str = "https://login.microsoftonline.com",
    retry: RetryPolicy | None = None, token_cache: msal.TokenCache | None = None,
    poll_timeout: float = 300.0,
) -> tuple[GraphConnector, ValidatingTransport]:
    """A connector whose Graph traffic is checked against the spec and whose MSAL instance
    talks to the sandbox's Entra ID in process."""
    inner = httpx.ASGITransport(app=app)
    transport = ValidatingTransport(AcceptedWithoutBody(inner), GRAPH_SPECS)
    connector = GraphConnector(
        tenant_id=tenant_id, client_id=client_id, client_secret=secret, graph_url=GRAPH_URL,
        authority=authority, login_url=LOGIN_URL, transport=transport, login_transport=inner,
        clock=clock, retry=retry or RetryPolicy(), rate_limits=(), token_cache=token_cache,
        poll_interval=POLL_INTERVAL, poll_timeout=poll_timeout)
    return connector, transport
