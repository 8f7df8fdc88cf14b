"""Vendor connectors on one shared async HTTP base; they know nothing of the database."""

from projecthub.connectors.base import ConnectorClient, JsonResponse, VendorError
from projecthub.connectors.clock import Clock, FakeClock, SystemClock
from projecthub.connectors.errors import (
    AuthFailed,
    Conflict,
    ConnectorError,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
)
from projecthub.connectors.ratelimit import RateLimiter, Window
from projecthub.connectors.retry import RetryPolicy

__all__ = [
    "AuthFailed",
    "Clock",
    "Conflict",
    "ConnectorClient",
    "ConnectorError",
    "FakeClock",
    "Invalid",
    "JsonResponse",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "RateLimiter",
    "RetryPolicy",
    "ServerError",
    "SystemClock",
    "Timeout",
    "VendorError",
    "Window",
]
