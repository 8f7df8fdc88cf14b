"""Shared factories for connector tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.clock import FakeClock
from projecthub.connectors.retry import RetryPolicy
from tests.connectors.scripted import ScriptedTransport


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
