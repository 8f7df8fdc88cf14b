"""Factories for Productive connector tests: the real connector over HTTP against the sandbox."""

from __future__ import annotations

import httpx

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.productive import ProductiveConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.common import SandboxOptions
from projecthub.sandbox.productive import ORGANIZATION_ID, create_productive_sandbox
from projecthub.sandbox.productive_state import ProductiveState
from tests.connectors.productive_validating import ProductiveValidatingTransport

BASE_URL = "http://sandbox.test/sandbox/productive"
TOKEN = "sandbox-acme"


def make_sandbox(clock: FakeClock, *, seed_demo: bool = False) -> SandboxApp:
    """Only the Productive fake, tenants empty but for what every organization has."""
    options = SandboxOptions(sleep=clock.sleep, admin_token="admin", seed_demo=seed_demo)
    return SandboxApp({"productive": create_productive_sandbox(options)})


def productive_state(app: SandboxApp, tenant: str = "acme") -> ProductiveState:
    state = app.vendors["productive"].tenant(tenant)
    assert isinstance(state, ProductiveState)
    return state


def make_connector(
    app: SandboxApp, clock: FakeClock, *, token: str = TOKEN,
    organization_id: str = ORGANIZATION_ID, retry: RetryPolicy | None = None,
    page_size: int = 200, validate: bool = True,
) -> tuple[ProductiveConnector, ProductiveValidatingTransport | None]:
    """A connector whose every request and reply is checked against Productive's schema
    (``validate=False`` for faults that break the reply on purpose)."""
    inner = httpx.ASGITransport(app=app)
    transport = ProductiveValidatingTransport(inner) if validate else None
    marker_field = productive_state(app).marker_field.id
    connector = ProductiveConnector(
        api_token=token, organization_id=organization_id, base_url=BASE_URL,
        marker_field_id=marker_field, transport=transport or inner, clock=clock,
        retry=retry, page_size=page_size)
    return connector, transport
