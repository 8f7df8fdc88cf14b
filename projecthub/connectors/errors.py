"""Typed connector errors, named by cause so callers branch on the class, not on status codes.

Every error carries the tool, the HTTP status (``None`` when no response arrived) and the vendor's
request id, which is what a vendor's support desk asks for. Messages come from the vendor's error
body or from us, never from request headers, so they hold no credentials.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 500


class ConnectorError(Exception):
    """Base of every failure a connector reports."""

    def __init__(
        self, tool: str, status: int | None, request_id: str | None, message: str
    ) -> None:
        self.tool = tool
        self.status = status
        self.request_id = request_id
        self.message = message[:MAX_MESSAGE_CHARS]
        super().__init__(self.message)

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        request = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.tool}{status}: {self.message}{request}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(tool={self.tool!r}, status={self.status!r}, "
            f"request_id={self.request_id!r}, message={self.message!r})"
        )


class AuthFailed(ConnectorError):
    """The credentials were rejected (401): wrong, expired or revoked."""


class PermissionDenied(ConnectorError):
    """The credentials are valid but may not do this (403)."""


class NotFound(ConnectorError):
    """The resource does not exist, or the vendor hides it from this caller (404, 410)."""


class Conflict(ConnectorError):
    """The resource already exists or changed concurrently (409, or a vendor's duplicate 400)."""


class Invalid(ConnectorError):
    """The vendor rejected the input (400, 422); ``field_errors`` maps vendor fields to text."""

    def __init__(
        self,
        tool: str,
        status: int | None,
        request_id: str | None,
        message: str,
        field_errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(tool, status, request_id, message)
        self.field_errors: dict[str, str] = dict(field_errors or {})


class RateLimited(ConnectorError):
    """The vendor throttled us and the wait did not fit the call's budget (429)."""

    def __init__(
        self,
        tool: str,
        status: int | None,
        request_id: str | None,
        message: str,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(tool, status, request_id, message)
        self.retry_after = retry_after


class ServerError(ConnectorError):
    """The vendor failed (5xx), answered garbage, or could not be reached."""


class Timeout(ConnectorError):
    """No answer in time: a connect/read timeout, or the vendor's 408/504."""


__all__ = [
    "AuthFailed",
    "Conflict",
    "ConnectorError",
    "Invalid",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "Timeout",
]
