"""A route whose usual request skips FastAPI's dependency solving, for the hottest read.

FastAPI still declares, documents and matches the route, and still serves every request the
shortcut does not recognise; the shortcut only builds the endpoint's arguments itself, with the
same dependencies called directly, then calls the same endpoint. Solving the project list's
dependencies (a bearer header, a slug, ten query parameters through FastAPI's generic
extraction) cost more CPU than everything else the list does once its answer is cached
(README "Performance")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

# The endpoint's keyword arguments for a request it recognises, else None (FastAPI serves it).
Arguments = Callable[[Request], Awaitable[dict[str, Any] | None]]


def direct_route(arguments: Arguments) -> type[APIRoute]:
    """An ``APIRoute`` class (``APIRouter(route_class=...)``) whose handler asks ``arguments``
    first. A test's ``dependency_overrides`` always take FastAPI's way, which honours them."""

    class DirectRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            solved = super().get_route_handler()
            endpoint = self.endpoint

            async def handler(request: Request) -> Response:
                if getattr(request.app, "dependency_overrides", None):
                    return await solved(request)
                found = await arguments(request)
                if found is None:
                    return await solved(request)
                response: Response = await endpoint(**found)
                return response

            return handler

    return DirectRoute
