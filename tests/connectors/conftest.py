"""Fixtures for connector tests: the fake clock, a scripted base client, and a vendor's sandbox
and connector."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.clock import FakeClock
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.faults import FaultInjector
from tests.connectors.scripted import ScriptedTransport
from tests.connectors.vendors import CONTRACT_RETRY, VendorCase


def parse_generic_error(_status: int, body: Any) -> VendorError:
    """A neutral error body, ``{"message": ..., "fields": {...}}``, for base-level tests."""
    if not isinstance(body, dict):
        return VendorError("")
    return VendorError(str(body.get("message", "")), dict(body.get("fields") or {}))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(clock: FakeClock) -> Callable[..., ConnectorClient]:
    """Build a client over a scripted transport with the fake clock; kwargs override defaults."""
    def build(transport: ScriptedTransport, **overrides: Any) -> ConnectorClient:
        options: dict[str, Any] = {
            "tool": "acme", "base_url": "https://acme.test/api",
            "error_parser": parse_generic_error,
            "request_id_headers": ("x-request-id",), "transport": transport, "clock": clock,
            "retry": RetryPolicy(max_attempts=4, deadline=120.0),
        }
        options.update(overrides)
        return ConnectorClient(**options)
    return build


# The fixtures below serve a module that names its ``vendor`` (a ``VendorCase``): the contract
# suite parametrizes it over all four, a vendor's own error tests fix it to one.


@pytest.fixture
def app(vendor: VendorCase, clock: FakeClock) -> SandboxApp:
    return vendor.sandbox(clock)


@pytest.fixture
def faults(vendor: VendorCase, app: SandboxApp) -> FaultInjector:
    return vendor.faults(app)


@pytest.fixture
async def connected(vendor: VendorCase, app: SandboxApp,
                    clock: FakeClock) -> AsyncIterator[tuple[Any, Any]]:
    """The vendor's connector (at most three attempts within 120 s) and its checking transport."""
    connector, transport = vendor.connect(app, clock, retry=CONTRACT_RETRY)
    async with connector:
        yield connector, transport
