"""The Reflex app: pages, the REST API, the sandbox and lifespan tasks are wired together here."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable

import httpx
import reflex as rx
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from projecthub.api.main import create_api
from projecthub.api.origin_check import with_origin_check
from projecthub.api.security_headers import with_security_headers
from projecthub.core.async_reads import reads_lifespan
from projecthub.core.config import settings
from projecthub.core.logging import configure_logging
from projecthub.jobs.runtime import BackgroundJobs
from projecthub.sandbox import DEMO_POLL_SECONDS, SANDBOX_PREFIX, create_sandbox_app
from projecthub.services import dispatch, microsoft_signin
from projecthub.ui import clients, styles
from projecthub.ui.landing import landing_page
from projecthub.ui.layout import CONTRAST_STYLESHEET, favicon
from projecthub.ui.pages import ROUTES, page_title
from projecthub.ui.pages.errors import (
    DEFAULT_ERROR_BOUNDARY_WRAP,
    ERROR_BOUNDARY_WRAP,
    NOT_FOUND_TITLE,
    error_boundary,
    not_found_page,
)


def _sandbox_transformer() -> Callable[[ASGIApp], ASGIApp]:
    """Serve the fake vendor tools' ``/sandbox/...`` paths ahead of everything else; Sign in
    with Microsoft reaches the sandbox's Entra ID in process (see ``microsoft_signin``)."""
    sandbox = create_sandbox_app(graph_poll_seconds=DEMO_POLL_SECONDS)
    microsoft_signin.transport = lambda: httpx.ASGITransport(app=sandbox)

    def transform(inner: ASGIApp) -> ASGIApp:
        async def route(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            is_sandbox = path == SANDBOX_PREFIX or path.startswith(SANDBOX_PREFIX + "/")
            await (sandbox if is_sandbox else inner)(scope, receive, send)

        return route

    return transform


def _api_transformers() -> list[Starlette | Callable[[ASGIApp], ASGIApp]]:
    """Applied in order, each around the previous: ``/api/v1/...`` (FastAPI, which mounts Reflex
    at its root), then the sandbox in front when enabled."""
    transformers: list[Starlette | Callable[[ASGIApp], ASGIApp]] = [create_api()]
    if settings.sandbox_enabled:
        transformers.append(_sandbox_transformer())
    transformers.append(with_origin_check)  # says which setting admits a refused origin
    transformers.append(with_security_headers)  # outermost: every response gets them
    return transformers


@contextlib.asynccontextmanager
async def background_jobs() -> AsyncIterator[None]:
    """Provisioning runs, status sync, mail and the periodic tasks (docs/architecture.md §12):
    the job engine on a thread of its own, with a worker unless ``PROJECTHUB_WORKERS=off``
    (then ``projecthub worker`` processes do the work; SQLite always works in process)."""
    jobs = BackgroundJobs(run_worker=settings.WORKERS == "on" or not settings.uses_job_engine)
    dispatch.install(await asyncio.to_thread(jobs.start))
    try:
        yield
    finally:
        dispatch.install(None)
        await asyncio.to_thread(jobs.stop)


@contextlib.asynccontextmanager
async def frozen_startup_heap() -> AsyncIterator[None]:
    """Everything built at startup (Reflex's pages and components, the API's routes) lives as
    long as the process: frozen out of the garbage collector, which otherwise walked all of it
    in every full collection, about 0.4 s each under load (README "Performance"). Reflex
    freezes it the same way only when it forks workers."""
    gc.collect()
    gc.freeze()
    yield


def _lifespan_tasks() -> list[Callable[..., object]]:
    """Backend startup/shutdown work. Register it here: FastAPI's own ``lifespan=`` never runs,
    because Reflex mounts the API. The API's token reads keep a connection pool on the server's
    event loop (``core.async_reads``)."""
    return [background_jobs, reads_lifespan, frozen_startup_heap]


configure_logging()  # the secret-masking filter on every handler, before anything logs

app = rx.App(
    api_transformer=_api_transformers(),
    style=styles.GLOBAL_STYLE,
    head_components=[favicon()],
    stylesheets=[CONTRAST_STYLESHEET],
    html_lang="en",
)

# A crashed page shows the app's own error screen, inside the theme (see ui/pages/errors.py).
app.app_wraps.pop(DEFAULT_ERROR_BOUNDARY_WRAP, None)
app.app_wraps[ERROR_BOUNDARY_WRAP] = error_boundary

clients.watch(app)  # background pollers stop when their tab is gone

for task in _lifespan_tasks():
    app.register_lifespan_task(task)

# Pages: always app.add_page(..., on_load=...); @rx.page(on_load=...) warns under --env prod.
app.add_page(landing_page, route="/", title=styles.PRODUCT_NAME, description=styles.TAGLINE)
app.add_page(not_found_page, route="404", title=f"{NOT_FOUND_TITLE} · {styles.PRODUCT_NAME}")
for route in ROUTES:
    app.add_page(route.component, route=route.path, title=page_title(route),
                 on_load=route.on_load)
