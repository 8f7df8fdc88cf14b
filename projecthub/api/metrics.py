"""``GET /metrics`` (Prometheus text format) and the middleware that counts HTTP requests.

``/metrics`` exists only when ``PROJECTHUB_METRICS_TOKEN`` is set, and then answers only to
``Authorization: Bearer <that token>``: organization slugs and traffic are not public."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projecthub.api.deps import DbDep
from projecthub.core import metrics
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.services import job_stats
from projecthub.services.status.lag import sync_lag_seconds

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def scrape(request: Request, db: DbDep) -> Response:
    """Everything recorded, plus what is read from the database at scrape time."""
    token = settings.METRICS_TOKEN
    if not token:
        raise HTTPException(404, "Not Found")
    given = request.headers.get("authorization", "")
    if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise HTTPException(401, "A metrics token is required.",
                            headers={"WWW-Authenticate": "Bearer"})
    lag = metrics.gauge_exposition(
        "projecthub_status_sync_lag_seconds",
        "Age of the oldest stored figure of each organization", "organization",
        sync_lag_seconds(db, utcnow()))
    jobs = (job_stats.queue_stats(db) if db.get_bind().dialect.name == "postgresql"
            else metrics.local_job_stats())
    depth = metrics.gauge_exposition(
        "projecthub_job_queue_depth", "Background jobs ready to run and not started, by queue",
        "queue", {queue: count for queue, (count, _) in jobs.items()})
    oldest = metrics.gauge_exposition(
        "projecthub_job_oldest_age_seconds",
        "How long the oldest job ready to run has waited, by queue", "queue",
        {queue: age for queue, (_, age) in jobs.items()})
    return Response(metrics.exposition() + lag + depth + oldest,
                    media_type=CONTENT_TYPE_LATEST)


class HttpMetrics:
    """ASGI middleware: count and time each HTTP request by method, route template and status
    (the time until the response is complete, a streamed download's included)."""

    def __init__(self, app: ASGIApp, *, api_paths: Callable[[], Iterable[str]]) -> None:
        self.app = app
        self._api_paths = api_paths
        self._templates: list[tuple[re.Pattern[str], str]] | None = None
        self._by_route: dict[int, str] = {}  # routes live as long as the app: one lookup each

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets when the app raises before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = self.route_template(scope)
            metrics.http_request(scope["method"], route, status)
            metrics.http_request_took(scope["method"], route, time.perf_counter() - started)

    def route_template(self, scope: Scope) -> str:
        """The template of the route that answered (``/api/v1/orgs/{org_slug}``), never the raw
        path: ids would make a series per row. Pages and static files fall under their mount."""
        route = scope.get("route")
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            return "unmatched"
        if isinstance(route, Mount):
            return f"{path}/{{path}}"
        known = self._by_route.get(id(route))
        if known is not None:
            return known
        # A route of an included router knows only its part of the path; the schema has it all.
        found = next((template for pattern, template in self._api_templates()
                      if pattern.fullmatch(scope["path"])), path or "/")
        self._by_route[id(route)] = found
        return found

    def _api_templates(self) -> list[tuple[re.Pattern[str], str]]:
        if self._templates is None:
            templates = sorted(self._api_paths(), key=lambda t: (t.count("{"), t))
            self._templates = [(re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(t))), t)
                               for t in templates]  # literal segments before parameters
        return self._templates
