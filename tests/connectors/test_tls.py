"""One SSL context per process: connectors' clients and the vetted transport never parse the CA
bundle again (10-50 ms of CPU on the event loop each time)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import pytest

from projecthub.connectors.base import ConnectorClient
from projecthub.connectors.clock import FakeClock
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.hosts import HostPolicy, PinnedTransport
from projecthub.connectors.tls import ssl_context
from tests.connectors.conftest import parse_generic_error


def pool_context(transport: Any) -> ssl.SSLContext:
    return transport._pool._ssl_context  # type: ignore[no-any-return]


@pytest.fixture
def contexts_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many SSL contexts get built from now on (the shared ones are rebuilt once)."""
    built: list[int] = []
    real: Callable[..., ssl.SSLContext] = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    ssl_context.cache_clear()
    return built


async def test_clients_and_transports_share_one_context(contexts_built: list[int],
                                                        clock: FakeClock) -> None:
    policy = HostPolicy(allow_loopback=True, resolver=lambda _host: ["127.0.0.1"])
    transports = [PinnedTransport(policy) for _ in range(10)]
    clients = [ConnectorClient(tool="acme", base_url="https://acme.test",
                               error_parser=parse_generic_error, clock=clock)
               for _ in range(10)]
    graphs = [GraphConnector(tenant_id="t", client_id="c", client_secret="s", clock=clock,
                             transport=PinnedTransport(policy)) for _ in range(5)]
    assert len(contexts_built) == 2  # one without trust_env (vetted hosts), one with
    assert {id(pool_context(t)) for t in transports} == {id(ssl_context(trust_env=False))}
    assert {id(pool_context(c._http._transport)) for c in clients} == {
        id(ssl_context(trust_env=True))}
    assert {id(pool_context(g._tokens._http._transport)) for g in graphs} == {
        id(ssl_context(trust_env=True))}
    for closing in (*transports, *clients, *graphs):
        await closing.aclose()


def test_the_shared_context_verifies_certificates() -> None:
    context = ssl_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
