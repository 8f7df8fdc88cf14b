"""One MSAL application per connection: OpenID discovery and the token are fetched once for many
connectors of a connection, including connectors running on other event loops (the status sync's
worker, a provisioning run, a page's test-connection each run on their own)."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import AuthFailed
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.graph_auth import MsalApplications
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from tests.connectors.graph_setup import (
    CLIENT_ID,
    GRAPH_URL,
    LOGIN_URL,
    SECRET,
    TENANT_ID,
    make_sandbox,
)

CONNECTORS = 12


class CountingTransport(httpx.AsyncBaseTransport):
    """Entra ID's traffic, counted by kind (discovery or token), then served by the sandbox.

    A fresh ASGI transport per request, so it works on whichever loop calls it."""

    def __init__(self, app: SandboxApp) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        kind = ("discovery" if path.endswith("/openid-configuration")
                else "token" if path.endswith("/token") else path)
        with self._lock:
            self.counts[kind] += 1
        return await httpx.ASGITransport(app=self.app).handle_async_request(request)


def connector(app: SandboxApp, clock: FakeClock, login: CountingTransport,
              applications: MsalApplications, *, connection: str = "conn-1",
              secret: str = SECRET) -> GraphConnector:
    return GraphConnector(
        tenant_id=TENANT_ID, client_id=CLIENT_ID, client_secret=secret, graph_url=GRAPH_URL,
        login_url=LOGIN_URL, transport=httpx.ASGITransport(app=app), login_transport=login,
        clock=clock, retry=RetryPolicy(), rate_limits=(), msal_applications=applications,
        share_key=connection)


async def use(made: GraphConnector) -> None:
    async with made:
        await made.test_connection()


async def test_many_connectors_of_one_connection_discover_once(clock: FakeClock) -> None:
    app = make_sandbox(clock)
    login, applications = CountingTransport(app), MsalApplications()
    await asyncio.gather(*(use(connector(app, clock, login, applications))
                           for _ in range(CONNECTORS)))
    for _ in range(3):
        await use(connector(app, clock, login, applications))
    assert login.counts == {"discovery": 1, "token": 1}
    assert len(applications) == 1


async def test_without_the_registry_each_connector_discovers(clock: FakeClock) -> None:
    """The cost the registry removes: one discovery per connector."""
    app = make_sandbox(clock)
    login = CountingTransport(app)
    for _ in range(3):
        made = GraphConnector(
            tenant_id=TENANT_ID, client_id=CLIENT_ID, client_secret=SECRET, graph_url=GRAPH_URL,
            login_url=LOGIN_URL, transport=httpx.ASGITransport(app=app), login_transport=login,
            clock=clock, retry=RetryPolicy(), rate_limits=())
        await use(made)
    assert login.counts["discovery"] == 3


def test_connectors_on_other_event_loops_share_the_application(clock: FakeClock) -> None:
    app = make_sandbox(clock)
    login, applications = CountingTransport(app), MsalApplications()

    def on_own_loop() -> None:
        asyncio.run(use(connector(app, clock, login, applications)))

    on_own_loop()
    on_own_loop()  # the first loop is closed by now
    threads = [threading.Thread(target=on_own_loop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert login.counts == {"discovery": 1, "token": 1}


async def test_each_connection_and_secret_has_its_own_application(clock: FakeClock) -> None:
    app = make_sandbox(clock)
    login, applications = CountingTransport(app), MsalApplications()
    await use(connector(app, clock, login, applications, connection="conn-1"))
    await use(connector(app, clock, login, applications, connection="conn-2"))
    with pytest.raises(AuthFailed):  # a new secret is never served the old one's tokens
        await use(connector(app, clock, login, applications, connection="conn-1",
                            secret="Rt58Q~not-the-secret-value"))
    await use(connector(app, clock, login, applications, connection="conn-1"))
    assert len(applications) == 3
    assert login.counts["discovery"] == 3
    assert login.counts["token"] == 3
