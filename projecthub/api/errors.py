"""The API's one place where errors become responses: ``{"detail": ...}`` with the right status,
and a correlation id instead of a stack trace when something unexpected happens."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from projecthub.core.errors import AppError, Invalid, TooManyAttempts

log = logging.getLogger("projecthub.api")


async def _app_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    body: dict[str, object] = {"detail": exc.message}
    headers: dict[str, str] = {}
    if isinstance(exc, Invalid) and exc.fields:
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


def install_error_handlers(api: FastAPI) -> None:
    api.add_exception_handler(AppError, _app_error)
    api.add_exception_handler(Exception, _unexpected)
