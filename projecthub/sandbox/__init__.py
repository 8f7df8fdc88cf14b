"""Faithful in-memory fakes of the vendor APIs, served as one ASGI app for demo mode and tests.

Each vendor is mounted at ``/sandbox/<vendor>`` and speaks the vendor's own paths below that
prefix, so a connector only needs its base URL pointed at e.g. ``http://host/sandbox/jira``.

Credentials (per vendor; each vendor module documents its exact headers):

- A token ``sandbox-<tenant>`` (``<tenant>``: 1-32 of ``a-z0-9-``) selects an isolated in-memory
  tenant, created and seeded with demo data on first use. The demo tenant is ``sandbox-demo``.
- Where a vendor also wants an identity (Jira/Confluence basic auth), it is the seeded admin,
  ``demo@projecthub.example``. Anything else gets the vendor's own 401.

Seeding: ``create_sandbox_app(seed_demo=False)`` starts tenants empty; tests then fill state
through ``app.vendors["jira"].tenant("acme")``. Faults: ``app.vendors[name].faults.add(Fault(...))``
in process, or ``POST /sandbox/<vendor>/_sandbox/faults`` with a Fault JSON body and the header
``X-Sandbox-Admin-Token`` (admin endpoints exist only when ``admin_token`` is given).
Traffic: each vendor counts requests per credential and window on its side
(``app.vendors[name].traffic``, or ``GET /sandbox/<vendor>/_sandbox/traffic``);
``enforce_rate_limits=True`` makes a vendor with published limits (Productive) answer its 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from projecthub.core.web import SANDBOX_PREFIX
from projecthub.sandbox.common import SandboxOptions, Sleep, VendorSandbox
from projecthub.sandbox.confluence import create_confluence_sandbox
from projecthub.sandbox.faults import Fault, FaultInjector
from projecthub.sandbox.graph import create_graph_sandbox
from projecthub.sandbox.jira import create_jira_sandbox
from projecthub.sandbox.productive import create_productive_sandbox
from projecthub.sandbox.webhooks import WebhookSender

VendorFactory = Callable[[SandboxOptions], VendorSandbox[Any]]

# Adding a vendor is one line here: its name (the mount point) and its factory.
VENDORS: dict[str, VendorFactory] = {
    "jira": create_jira_sandbox,
    "confluence": create_confluence_sandbox,
    "productive": create_productive_sandbox,
    "graph": create_graph_sandbox,
}


class SandboxApp:
    """The mounted vendors as one ASGI app; ``vendors`` gives tests the handles to each."""

    def __init__(self, vendors: dict[str, VendorSandbox[Any]]) -> None:
        self.vendors = vendors
        self._router = Starlette(routes=[
            Mount(f"{SANDBOX_PREFIX}/{name}", app=sandbox.app) for name, sandbox in vendors.items()
        ])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._router(scope, receive, send)


DEMO_POLL_SECONDS = 1


def create_sandbox_app(
    *, sleep: Sleep = asyncio.sleep, admin_token: str | None = None, seed_demo: bool = True,
    enforce_rate_limits: bool = False, webhook_transport: httpx.AsyncBaseTransport | None = None,
    graph_poll_seconds: int | None = None,
) -> SandboxApp:
    """Build fresh, independent fakes of every registered vendor. Webhook deliveries go over
    the network unless ``webhook_transport`` is given (tests: the app in process).
    ``graph_poll_seconds``: the ``Retry-After`` of Teams operations (demo: ``DEMO_POLL_SECONDS``,
    so a demo team takes seconds rather than the connector's ten-second default pace)."""
    options = SandboxOptions(sleep=sleep, admin_token=admin_token, seed_demo=seed_demo,
                             graph_poll_seconds=graph_poll_seconds)
    vendors = {name: factory(options) for name, factory in VENDORS.items()}
    for vendor in vendors.values():
        vendor.traffic.enforce = enforce_rate_limits
        vendor.webhooks = WebhookSender(webhook_transport)
    return SandboxApp(vendors)


__all__ = [
    "DEMO_POLL_SECONDS",
    "SANDBOX_PREFIX",
    "VENDORS",
    "Fault",
    "FaultInjector",
    "SandboxApp",
    "SandboxOptions",
    "VendorSandbox",
    "create_sandbox_app",
]
