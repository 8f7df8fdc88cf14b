"""One Planner plan in the sandbox: ``GET /planner/plans/{id}`` and ``PATCH`` with Planner's
optimistic concurrency. A change needs the plan's current etag in ``If-Match`` (400 without it,
412 when the plan changed since), answers 204, or 200 with the plan when the caller asks
``Prefer: return=representation``; every change gives the plan a new etag.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_state import GraphState, Plan
from projecthub.sandbox.graph_teams import READ_TASKS, WRITE_TASKS
from projecthub.sandbox.graph_views import (
    GraphError,
    GraphJSON,
    entity,
    json_body,
    plan_etag,
    plan_json,
    require_roles,
)

# What the sandbox lets a PATCH change; Planner refuses read-only properties.
READ_ONLY = frozenset({"id", "createdDateTime", "createdBy", "owner", "container"})


def _plan(request: Request, state: GraphState) -> Plan:
    plan = state.plans.get(request.path_params["plan"])
    if plan is None:
        raise GraphError(404, "NotFound", "The requested item is not found.")
    return plan


async def get_plan(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_TASKS)
    return GraphJSON(entity("planner/plans/$entity", plan_json(_plan(request, state))))


async def update_plan(request: Request, state: GraphState) -> Response:
    require_roles(request, WRITE_TASKS)
    plan = _plan(request, state)
    match = request.headers.get("if-match")
    if not match:
        raise GraphError(400, "BadRequest",
                         "The If-Match header must be specified for this kind of request.")
    if match != plan_etag(plan):
        raise GraphError(412, "PreconditionFailed",
                         "The If-Match header value does not match the current ETag of the "
                         "resource.")
    body = await json_body(request)
    if READ_ONLY & body.keys():
        raise GraphError(400, "BadRequest",
                         f"The property '{sorted(READ_ONLY & body.keys())[0]}' is read-only.")
    if "title" in body:
        title = str(body.get("title") or "").strip()
        if not title or len(title) > 255:
            raise GraphError(400, "BadRequest", "The plan title must be 1 to 255 characters.")
        plan.title = title
    plan.version += 1
    if "return=representation" in request.headers.get("prefer", ""):
        return GraphJSON(entity("planner/plans/$entity", plan_json(plan)))
    return Response(status_code=204)


__all__ = ["get_plan", "update_plan"]
