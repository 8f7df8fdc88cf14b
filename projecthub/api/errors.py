"""The API's one place where errors become responses: ``{"detail": ...}`` with the right status,
and a correlation id instead of a stack trace when something unexpected happens."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from projecthub.core.errors import AppError, Conflict, Invalid, TooManyAttempts

log = logging.getLogger("projecthub.api")


class ErrorPublic(BaseModel):
    """Every error body: a readable ``detail`` (a list of issues when the request does not match
    the schema), per-field messages for forms, and a reference for unexpected failures."""

    detail: str | list[dict[str, Any]]
    fields: dict[str, str] | None = None
    correlation_id: str | None = None


_ERROR_MEANINGS = {
    400: "The body is not valid JSON.",
    401: "No valid API token (or credentials).",
    403: "The token's role may not do this, or the organization is suspended.",
    404: "Not found, or in another organization.",
    409: "Conflicts with existing data.",
    422: "The request is malformed, or a field breaks a rule (see ``fields``).",
    429: "Too many attempts; see ``Retry-After``.",
}
# Documented on every route but the health probe, so clients (and schema checks) know them.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorPublic, "description": meaning}
    for status, meaning in _ERROR_MEANINGS.items()}


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    body: dict[str, object] = {"detail": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, Invalid | Conflict) and exc.fields:
        body["fields"] = exc.fields
    if isinstance(exc, TooManyAttempts):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=exc.status_code, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    correlation_id = uuid.uuid4().hex[:12]
    log.error("unhandled error %s on %s %s: %s", correlation_id, request.method,
              request.url.path, type(exc).__name__, exc_info=exc)
    return JSONResponse(
        {"detail": f"Something went wrong on our side (reference {correlation_id}).",
         "correlation_id": correlation_id}, status_code=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    """A 405 lists every documented method of the path: FastAPI has one route per method, and
    Starlette's ``Allow`` names only the first route's."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        paths = request.app.openapi()["paths"]
        allowed = {method.upper() for template, operations in paths.items()
                   if compile_path(template)[0].fullmatch(request.url.path)
                   for method in operations}
        if allowed:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(allowed))}
    return await http_exception_handler(request, exc)


# Path ids are parsed once, here at the edge: a malformed one names no row, so it is answered
# exactly like a missing or foreign row (the scoping rule), never a 422 or a 500.
_PATH_ID_LABELS = {"member_id": "Member", "invitation_id": "Invitation",
                   "api_token_id": "API token", "connection_id": "Connection",
                   "template_id": "Template", "project_id": "Project", "run_id": "Run",
                   "drift_id": "Drift", "notification_id": "Notification"}


def _malformed_path_id(exc: RequestValidationError) -> str | None:
    """The not-found message for the first path id that is not a UUID, if any."""
    for issue in exc.errors():
        location = tuple(issue.get("loc", ()))
        if len(location) == 2 and location[0] == "path" and str(location[1]).endswith("_id"):
            label = _PATH_ID_LABELS.get(str(location[1]))
            return f"{label} not found." if label else "Not found."
    return None


async def _malformed(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 without the ``input`` it echoes: a secret sent in the wrong field or shape
    must not come back in an error body (nor land in whatever logs that body)."""
    assert isinstance(exc, RequestValidationError)
    not_found = _malformed_path_id(exc)
    if not_found is not None:
        return JSONResponse({"detail": not_found}, status_code=404)
    issues = [{key: value for key, value in issue.items() if key != "input"}
              for issue in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(issues)}, status_code=422)


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(AppError, _app_error)
    api.add_exception_handler(HTTPException, _http_error)
    api.add_exception_handler(RequestValidationError, _malformed)
    api.add_exception_handler(Exception, _unexpected)
