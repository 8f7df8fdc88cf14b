"""Point every place the API and the UI open tool connectors at one in-process sandbox, whatever
base URL a connection saved: fuzzed or canary requests never leave the process."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox import SandboxApp
from projecthub.services.principal import Principal
from projecthub.services.status.sync import SyncConfig
from projecthub.services.tool_clients import ToolClients
from projecthub.services.wiring import new_session

_TOOL_CLIENTS = ("projecthub.api.routes.connections.tool_clients",
                 "projecthub.api.routes.projects.tool_clients",
                 "projecthub.api.routes.webhooks.tool_clients",
                 "projecthub.ui.state.connections.tool_clients")


def route_tools_to(monkeypatch: pytest.MonkeyPatch, sandbox: SandboxApp,
                   clock: FakeClock) -> Callable[[Principal], ToolClients]:
    """Patch the API routes' and the connections page's connector factory (and the status
    refresh's); returns the factory, for driving runs the same way."""
    transport = httpx.ASGITransport(app=sandbox)

    def tools(principal: Principal) -> ToolClients:
        return ToolClients(new_session, principal, transport_factory=lambda _url: transport,
                           clock=clock)

    for target in _TOOL_CLIENTS:
        monkeypatch.setattr(target, tools)
    monkeypatch.setattr("projecthub.api.routes.projects.sync_config",
                        lambda: SyncConfig(session_factory=new_session, tools_factory=tools))
    return tools
