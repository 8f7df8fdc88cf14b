"""A faithful fake of Productive's API v2 (JSON:API), mounted at ``/sandbox/productive``.

Point a connector at ``http://<host>/sandbox/productive`` (it adds ``/api/v2``). Credentials:
``X-Auth-Token: sandbox-<tenant>`` selects the tenant and ``X-Organization-Id`` must be ``1000``
(every sandbox tenant is organization 1000); anything else gets a JSON:API 401. Writes need
``Content-Type: application/vnd.api+json`` (else 415). The token acts as the seeded owner,
demo@projecthub.example.

Served: lists and single records of people, companies, subsidiaries, workflows, workflow statuses,
custom fields, projects, memberships, deals, sections, services, service types, tasks and the
activity feed (``productive_activities``: newest first, ``filter[after]`` / ``filter[before]`` and
the records it concerns), the token's organization memberships, and creating companies, projects,
memberships, deals, sections and services (a budget's totals are computed from its services, price
x quantity), renaming projects and deals (``PATCH``, 200 with the record), and the project custom
actions ``PATCH /projects/{id}/archive`` and ``/restore`` (the schema's ``customActions``; 200 with
the project). A kind listed in a tenant's ``forbidden`` answers 403, as Productive does for a
person whose permission set lacks it. Lists page with ``page[number]`` and ``page[size]`` (default
30, at most 200), filter with ``filter[<name>]`` (``[eq]``/``[not_eq]``), sort with ``sort=`` and
include relationships with ``include=``. Productive sends no rate-limit headers and no
``Retry-After``; queue a ``rate_limit`` fault to get its 429, or build the sandbox to enforce the
published limits (100 requests per 10 s and 4000 per 30 min, per token).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import (
    Handler,
    SandboxOptions,
    SandboxRoute,
    VendorSandbox,
    read_json,
)
from projecthub.sandbox.productive_jsonapi import (
    JsonApiError,
    error_response,
    listing,
    page_of,
    render_error,
    reply_headers,
    single,
    timestamp,
)
from projecthub.sandbox.productive_seed import seed_demo
from projecthub.sandbox.productive_state import ORGANIZATION_ID, ProductiveState, now
from projecthub.sandbox.productive_updates import DELETABLE, UPDATERS
from projecthub.sandbox.productive_views import VIEWS, View, included, render
from projecthub.sandbox.productive_webhooks import announce, webhooks
from projecthub.sandbox.productive_writes import WRITERS, parse_payload
from projecthub.sandbox.traffic import RateWindow

TOKEN = re.compile(r"^sandbox-([a-z0-9-]{1,32})$")
JSON_API = "application/vnd.api+json"
_FILTER = re.compile(r"^filter\[([^\]]+)\](?:\[([^\]]+)\])?$")


def authenticate(request: Request, tenant: Callable[[str], ProductiveState],
                 ) -> ProductiveState | Response:
    """Both headers must match; Productive's 401 body was not recorded, so it takes the 404's
    JSON:API shape."""
    match = TOKEN.fullmatch(request.headers.get("x-auth-token", ""))
    if match is None or request.headers.get("x-organization-id") != ORGANIZATION_ID:
        return render_error(401, "Invalid authentication credentials", {})
    return tenant(match.group(1))


async def collection(request: Request, state: ProductiveState) -> Response:
    kind = request.path_params["kind"]
    view = _view(kind, state)
    if request.method == "POST":
        return await _create(request, state, kind, view)
    include = _include(request, view)
    rows = _sorted(request, view, _filtered(request, state, view))
    number, size = page_of(request)
    page = rows[(number - 1) * size:number * size]
    return listing(request, [render(view, r, state, include) for r in page], number, size,
                   len(rows), included(view, page, state, include))


async def member(request: Request, state: ProductiveState) -> Response:
    """Read one record; ``PATCH`` the kinds the sandbox updates, ``DELETE`` those it deletes
    (others answer 404, as an unknown route does)."""
    kind = request.path_params["kind"]
    view = _view(kind, state)
    record = state.get(view.kind, request.path_params["ident"])
    if record is None:
        raise JsonApiError.not_found()
    if request.method == "DELETE":
        if kind not in DELETABLE:
            raise JsonApiError.not_found()
        state.delete(record)
        return Response(status_code=204, headers={"cache-control": "no-cache"})
    if request.method == "PATCH":
        if kind not in UPDATERS:
            raise JsonApiError.not_found()
        _require_json_api(request)
        UPDATERS[kind](state, record, parse_payload(await read_json(request), kind))
    include = _include(request, view)
    return single(render(view, record, state, include),
                  included(view, [record], state, include))


async def _create(request: Request, state: ProductiveState, kind: str, view: View) -> Response:
    if kind not in WRITERS:
        raise JsonApiError.not_found()
    _require_json_api(request)
    record = WRITERS[kind](state, parse_payload(await read_json(request), kind))
    # A delivery names its related records (the project above all), as Productive's do.
    announce(request, state, kind, render(view, record, state, list(view.relationships)))
    return single(render(view, record, state), status=201)


def _require_json_api(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != JSON_API:
        raise JsonApiError.bad_request(f"Content-Type must be {JSON_API}", 415)


# Custom actions the sandbox serves: (kind, action) -> archived afterwards.
ACTIONS = {("projects", "archive"): True, ("projects", "restore"): False}


async def custom_action(request: Request, state: ProductiveState) -> Response:
    """``PATCH /{kind}/{id}/{action}``: archive or restore a record (``archived_at`` set or
    cleared); repeating an action changes nothing."""
    kind, action = request.path_params["kind"], request.path_params["action"]
    view = _view(kind, state)
    if (kind, action) not in ACTIONS:
        raise JsonApiError.not_found()
    record = state.get(kind, request.path_params["ident"])
    if record is None:
        raise JsonApiError.not_found()
    before = record.archived_at
    record.archived_at = (record.archived_at or now()) if ACTIONS[(kind, action)] else None
    if before != record.archived_at:
        state.changed(record, {"archived_at": [timestamp(before), timestamp(record.archived_at)]})
    return single(render(view, record, state))


def _view(kind: str, state: ProductiveState) -> View:
    view = VIEWS.get(kind)
    if view is None or kind == "organizations":
        raise JsonApiError.not_found()
    if kind in state.forbidden:
        # Productive's 403 body was not recorded: the 404's JSON:API shape, as for 401.
        raise JsonApiError.bad_request("You are not authorized to perform this action", 403)
    return view


def _filtered(request: Request, state: ProductiveState, view: View) -> list[Any]:
    rows = sorted(state.table(view.kind).values(), key=lambda r: int(r.id))
    for key, value in request.query_params.multi_items():
        if not key.startswith("filter["):
            continue
        match = _FILTER.fullmatch(key)
        name, op = (match.group(1), match.group(2) or "eq") if match else (key, "eq")
        if name == "$op" or name.isdigit():
            raise JsonApiError.bad_request("Logical filter groups are not modelled by the "
                                           "sandbox")
        predicate = view.filters.get(name)
        if predicate is None:
            raise JsonApiError.unsupported_filter(name)
        if op not in ("eq", "not_eq"):
            raise JsonApiError.bad_request(f"Filter operation '{op}' is not modelled by the "
                                           "sandbox")
        rows = [r for r in rows if predicate(r, state, value) == (op == "eq")]
    return rows


def _sorted(request: Request, view: View, rows: list[Any]) -> list[Any]:
    fields = [f for f in request.query_params.get("sort", "").split(",") if f]
    if not fields and view.newest_first:
        return sorted(rows, key=lambda r: (r.created_at, int(r.id)), reverse=True)
    for field in reversed(fields):
        key = view.sorts.get(field.removeprefix("-"))
        if key is None:
            raise JsonApiError.bad_request(f"Sort '{field}' is not supported on this endpoint")
        rows = sorted(rows, key=key, reverse=field.startswith("-"))
    return rows


def _include(request: Request, view: View) -> list[str]:
    names = [n for n in request.query_params.get("include", "").split(",") if n]
    unknown = [n for n in names if n not in view.relationships]
    if unknown:
        raise JsonApiError.bad_request(f"Include '{unknown[0]}' is not supported on this "
                                       "endpoint")
    return names


def _jsonapi(handler: Handler[ProductiveState]) -> Handler[ProductiveState]:
    """Answer a handler's JsonApiError with its exact error list."""
    async def run(request: Request, state: ProductiveState) -> Response:
        try:
            return await handler(request, state)
        except JsonApiError as exc:
            return error_response(exc.status, exc.errors)
    return run


# Published per API token: 100 requests per 10 s and 4000 per 30 min (docs: rate limits).
RATE_WINDOWS = (RateWindow(10.0, 100), RateWindow(1800.0, 4000))
ROUTES = (
    SandboxRoute("/api/v2/webhooks", _jsonapi(webhooks), ("GET", "POST")),
    SandboxRoute("/api/v2/{kind}", _jsonapi(collection), ("GET", "POST")),
    SandboxRoute("/api/v2/{kind}/{ident}", _jsonapi(member), ("GET", "PATCH", "DELETE")),
    SandboxRoute("/api/v2/{kind}/{ident}/{action}", _jsonapi(custom_action), ("PATCH",)),
)


def create_productive_sandbox(options: SandboxOptions) -> VendorSandbox[ProductiveState]:
    """The Productive fake; ``options.seed_demo`` fills every new tenant with the demo agency."""
    return VendorSandbox(
        name="productive", routes=ROUTES, new_state=ProductiveState, authenticate=authenticate,
        render_error=render_error, reply_headers=reply_headers,
        seed=seed_demo if options.seed_demo else None, sleep=options.sleep,
        admin_token=options.admin_token, rate_windows=RATE_WINDOWS,
    )


__all__ = ["ORGANIZATION_ID", "RATE_WINDOWS", "create_productive_sandbox"]
