"""The FastAPI application that Reflex mounts through ``api_transformer``; ``app.py`` builds it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from projecthub.api.admission import AdmissionLimit
from projecthub.api.errors import ERROR_RESPONSES, install_error_handlers
from projecthub.api.metrics import HttpMetrics
from projecthub.api.metrics import router as metrics_router
from projecthub.api.request_context import REQUEST_ID_HEADER, RequestContext
from projecthub.api.routes import (
    admin,
    api_tokens,
    approvals,
    audit,
    auth,
    connections,
    drift,
    email_change,
    invitations,
    me,
    members,
    microsoft,
    notifications,
    orgs,
    project_edit,
    project_import,
    projects,
    readiness,
    recovery,
    runs,
    templates,
    webhooks,
)
from projecthub.api.schemas import Health
from projecthub.core.async_reads import reads_lifespan
from projecthub.core.config import settings
from projecthub.core.web import API_PREFIX


def _include_v1(api: FastAPI) -> None:
    """Every ``/api/v1`` route, included straight into the app: FastAPI 0.165 walks a nested
    router's whole tree of included routers on every request it matches (``/api/v1/health``
    and the project list behind one cost about 0.1 ms each; README "Performance")."""

    @api.get(f"{API_PREFIX}/health", response_model=Health, tags=["health"])
    async def health() -> Health:
        """Liveness probe for load balancers; needs no token."""
        return Health(status="ok")  # async: touches nothing, so no hop to a worker thread

    api.include_router(projects.list_router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for module in (auth, microsoft, recovery, email_change, me, orgs, members, api_tokens,
                   invitations, audit, connections, templates, projects, project_edit, drift,
                   project_import, runs, approvals, admin, notifications, webhooks):
        api.include_router(module.router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    api.include_router(audit.session_router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    api.include_router(microsoft.org_router, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    api.include_router(webhooks.hooks_router, prefix=API_PREFIX)
    api.include_router(readiness.router, prefix=API_PREFIX)


def create_api() -> FastAPI:
    """Build the API app; routers are included here and nowhere else."""
    api = FastAPI(
        title="ProjectHub API",
        version="1.0",
        description="Set up and track projects across Productive, Jira, Confluence and "
                    "Microsoft 365. Authenticate with `Authorization: Bearer <API token>`.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=f"{API_PREFIX}/docs/oauth2-redirect",
        # Runs only where this app is served alone (tests); under Reflex, ``app.py`` registers
        # the same lifespan, since Reflex mounts this app and its lifespan never runs there.
        lifespan=lambda _api: reads_lifespan(),
    )
    api.add_middleware(CORSMiddleware, allow_origins=settings.origins, allow_credentials=True,
                       allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
                       allow_headers=["Authorization", "Content-Type", REQUEST_ID_HEADER],
                       expose_headers=[REQUEST_ID_HEADER])
    install_error_handlers(api)
    api.add_middleware(AdmissionLimit, limit=settings.API_CONCURRENCY)
    _include_v1(api)
    api.include_router(metrics_router)  # GET /metrics, outside the versioned API
    api.add_middleware(HttpMetrics, api_paths=lambda: api.openapi()["paths"])
    api.add_middleware(RequestContext)  # outermost: every log line of a request has its id
    return api

