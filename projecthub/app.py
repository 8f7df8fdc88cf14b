"""The Reflex app: pages, the REST API, the sandbox and lifespan tasks are wired together here."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

import reflex as rx
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from projecthub.api.main import api_app
from projecthub.core.config import settings
from projecthub.ui import styles
from projecthub.ui.landing import landing_page
from projecthub.ui.layout import favicon
from projecthub.ui.pages import ROUTES, page_title


def _sandbox_transformer() -> Callable[[ASGIApp], ASGIApp] | None:
    """Serve the fake vendor tools' ``/sandbox/...`` paths ahead of everything else.

    ``projecthub.sandbox`` is optional at import time (it is built alongside), hence find_spec.
    """
    if importlib.util.find_spec("projecthub.sandbox") is None:
        return None
    sandbox_module = importlib.import_module("projecthub.sandbox")
    sandbox = sandbox_module.create_sandbox_app()
    prefix = sandbox_module.SANDBOX_PREFIX

    def transform(inner: ASGIApp) -> ASGIApp:
        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            path = scope.get("path", "")
            target = sandbox if path == prefix or path.startswith(prefix + "/") else inner
            await target(scope, receive, send)

        return dispatch

    return transform


def _api_transformers() -> list[Starlette | Callable[[ASGIApp], ASGIApp]]:
    """Applied in order, each around the previous: ``/api/v1/...`` (FastAPI, which mounts Reflex
    at its root), then the sandbox in front when enabled."""
    transformers: list[Starlette | Callable[[ASGIApp], ASGIApp]] = [api_app]
    if settings.sandbox_enabled and (sandbox := _sandbox_transformer()) is not None:
        transformers.append(sandbox)
    return transformers


def _lifespan_tasks() -> list[Callable[..., object]]:
    """Backend startup/shutdown work (asynccontextmanagers or coroutines).

    Register it here: FastAPI's own ``lifespan=`` never runs, because Reflex mounts the API.
    """
    return []


app = rx.App(
    api_transformer=_api_transformers(),
    style=styles.GLOBAL_STYLE,
    head_components=[favicon()],
    html_lang="en",
)

for task in _lifespan_tasks():
    app.register_lifespan_task(task)

# Pages: always app.add_page(..., on_load=...); @rx.page(on_load=...) warns under --env prod.
app.add_page(landing_page, route="/", title=styles.PRODUCT_NAME, description=styles.TAGLINE)
for route in ROUTES:
    app.add_page(route.component, route=route.path, title=page_title(route),
                 on_load=route.on_load)
