"""Connectors share one SSL context: building one parses the CA bundle (about 50 ms of CPU on the
event loop), which made the status sync and provisioning wait on TLS set-up, not on vendors."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.clock import FakeClock
from projecthub.connectors.graph_auth import GraphTokens
from projecthub.connectors.hosts import HostPolicy, PinnedTransport
from projecthub.connectors.tls import shared_ssl_context


def _parse(_status: int, _body: Any) -> VendorError:
    return VendorError("error")


async def test_clients_transports_and_token_clients_build_no_ssl_context_of_their_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared_ssl_context()  # the process's one context exists before the connectors below
    built: list[ssl.SSLContext] = []
    original = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(original(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    clients = [ConnectorClient(tool="jira", base_url="https://example.atlassian.net",
                               error_parser=_parse) for _ in range(2)]
    pinned = [PinnedTransport(HostPolicy()) for _ in range(2)]
    tokens = GraphTokens(tool="graph", tenant_id="t", client_id="c", client_secret="s",
                         clock=FakeClock())
    for closable in (*clients, *pinned, tokens):
        await closable.aclose()
    assert built == []
