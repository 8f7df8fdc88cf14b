"""Typed application errors; the API and the UI each turn them into messages in one place."""

from __future__ import annotations


class AppError(Exception):
    """Base of every error a person can be shown; ``message`` is safe to display."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(AppError):
    """Missing, or belonging to another organization: the two are indistinguishable on purpose."""

    status_code = 404


class PermissionDenied(AppError):
    """The principal may see the row but lacks the role to change it."""

    status_code = 403


class NotAuthenticated(AppError):
    """No valid session or token."""

    status_code = 401


class Conflict(AppError):
    """The request clashes with existing data (taken email, duplicate slug); ``fields`` names
    the input that clashes, so a form can show the message next to it."""

    status_code = 409

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Invalid(AppError):
    """Bad input; ``fields`` maps a field name to its message so forms can show it in place."""

    status_code = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class TooManyAttempts(AppError):
    """Throttled; ``retry_after`` is in seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OrganizationSuspended(AppError):
    """The organization exists and the person belongs to it, but an instance admin suspended it."""

    status_code = 403
