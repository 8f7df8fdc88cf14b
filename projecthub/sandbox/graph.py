"""A fake Microsoft Graph v1.0 (users, groups, Teams, Planner) together with its fake Entra ID.

Mounted at ``/sandbox/graph``: Graph answers under ``/v1.0/…`` and Entra ID under ``/login/…``
(credentials: see ``graph_login``). Graph wants ``Authorization: Bearer <token from /login>``
and checks the token's ``roles`` per operation, answering 401/403 with Graph's own bodies. Errors
use ``{"error": {code, message, details, innerError}}``; every reply carries ``request-id`` and
``client-request-id``. Display names may repeat, mail nicknames may not (400 ``ObjectConflict``,
not 409). ``POST /teams`` answers 202 with a relative ``Location`` and no body; the operation
stays in progress for ``GraphState.team_creation_polls`` requests to the tenant. A Planner plan
changes only with its current etag in ``If-Match`` (``graph_planner``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount

from projecthub.sandbox.common import Handler, SandboxOptions, SandboxRoute, VendorSandbox
from projecthub.sandbox.graph_delta import group_delta
from projecthub.sandbox.graph_directory import (
    create_group,
    delete_group,
    get_user,
    list_groups,
    list_users,
)
from projecthub.sandbox.graph_login import AUTHORITY, TokenIssuer, create_login_sandbox
from projecthub.sandbox.graph_members import remove_member, update_member
from projecthub.sandbox.graph_planner import get_plan, update_plan
from projecthub.sandbox.graph_state import GraphState, seed_demo
from projecthub.sandbox.graph_subscriptions import (
    create_subscription,
    subscription,
    update_group,
)
from projecthub.sandbox.graph_teams import (
    add_member,
    archive_team,
    create_channel,
    create_plan,
    create_team,
    get_operation,
    get_team,
    list_channels,
    list_group_plans,
    list_members,
    list_messages,
    list_tasks,
    list_teams,
    post_message,
    unarchive_team,
    update_team,
)
from projecthub.sandbox.graph_views import DIAGNOSTIC, GraphError, error_response

WWW_AUTHENTICATE = (f'Bearer realm="", authorization_uri="{AUTHORITY}/common/oauth2/authorize", '
                    'client_id="00000003-0000-0000-c000-000000000000"')
STATUS_CODES = {400: "BadRequest", 401: "InvalidAuthenticationToken", 403: "Forbidden",
                404: "NotFound", 405: "Request_BadRequest", 409: "Conflict",
                429: "TooManyRequests", 500: "generalException", 503: "serviceNotAvailable",
                504: "GatewayTimeout"}


def render_error(status: int, message: str, _fields: dict[str, str]) -> Response:
    """Errors the frame raises (faults, unknown paths) in Graph's envelope."""
    return error_response(GraphError(status, STATUS_CODES.get(status, "UnknownError"), message))


def reply_headers() -> dict[str, str]:
    request_id = str(uuid.uuid4())
    return {"request-id": request_id, "client-request-id": request_id,
            "x-ms-ags-diagnostic": DIAGNOSTIC, "OData-Version": "4.0",
            "Strict-Transport-Security": "max-age=31536000", "Cache-Control": "no-cache"}


def _graph(handler: Handler[GraphState]) -> Handler[GraphState]:
    """Let time pass in the tenant, answer ``GraphError`` in Graph's envelope and echo the
    caller's ``client-request-id``."""
    async def run(request: Request, state: GraphState) -> Response:
        state.tick()
        try:
            response = await handler(request, state)
        except GraphError as exc:
            return error_response(exc, request)
        if request.headers.get("client-request-id"):
            response.headers["client-request-id"] = request.headers["client-request-id"]
        return response
    return run


ROUTES: list[SandboxRoute[GraphState]] = [
    SandboxRoute(path, _graph(handler), methods) for path, handler, methods in (
        ("/v1.0/users", list_users, ("GET",)),
        ("/v1.0/users/{user}", get_user, ("GET",)),
        ("/v1.0/groups", list_groups, ("GET",)),
        ("/v1.0/groups", create_group, ("POST",)),
        ("/v1.0/groups/delta", group_delta, ("GET",)),
        ("/v1.0/groups/microsoft.graph.delta()", group_delta, ("GET",)),
        ("/v1.0/groups/{group}", delete_group, ("DELETE",)),
        ("/v1.0/teams", create_team, ("POST",)),
        ("/v1.0/teams", list_teams, ("GET",)),
        ("/v1.0/teams/{team}", get_team, ("GET",)),
        ("/v1.0/teams/{team}", update_team, ("PATCH",)),
        ("/v1.0/teams/{team}/operations/{operation}", get_operation, ("GET",)),
        ("/v1.0/teams/{team}/archive", archive_team, ("POST",)),
        ("/v1.0/teams/{team}/microsoft.graph.archive", archive_team, ("POST",)),
        ("/v1.0/teams/{team}/unarchive", unarchive_team, ("POST",)),
        ("/v1.0/teams/{team}/microsoft.graph.unarchive", unarchive_team, ("POST",)),
        ("/v1.0/teams/{team}/members", add_member, ("POST",)),
        ("/v1.0/teams/{team}/members", list_members, ("GET",)),
        ("/v1.0/teams/{team}/members/{member}", update_member, ("PATCH",)),
        ("/v1.0/teams/{team}/members/{member}", remove_member, ("DELETE",)),
        ("/v1.0/teams/{team}/channels", create_channel, ("POST",)),
        ("/v1.0/teams/{team}/channels", list_channels, ("GET",)),
        ("/v1.0/teams/{team}/channels/{channel}/messages", post_message, ("POST",)),
        ("/v1.0/teams/{team}/channels/{channel}/messages", list_messages, ("GET",)),
        ("/v1.0/groups/{group}", update_group, ("PATCH",)),
        ("/v1.0/groups/{group}/planner/plans", list_group_plans, ("GET",)),
        ("/v1.0/subscriptions", create_subscription, ("POST",)),
        ("/v1.0/subscriptions/{subscription}", subscription, ("GET", "PATCH", "DELETE")),
        ("/v1.0/planner/plans", create_plan, ("POST",)),
        ("/v1.0/planner/plans/{plan}", get_plan, ("GET",)),
        ("/v1.0/planner/plans/{plan}", update_plan, ("PATCH",)),
        ("/v1.0/planner/plans/{plan}/tasks", list_tasks, ("GET",)),
    )
]


class GraphSandbox(VendorSandbox[GraphState]):
    """Graph plus its Entra ID (``login``, a vendor sandbox with its own fault queue).

    ``issuer`` mints the tokens: ``issuer.revoke_all()`` invalidates every token handed out.
    """

    def __init__(self, options: SandboxOptions) -> None:
        super().__init__(
            name="graph", routes=ROUTES,
            new_state=partial(GraphState, poll_retry_after=options.graph_poll_seconds),
            authenticate=self._authenticate,
            render_error=render_error, reply_headers=reply_headers,
            seed=seed_demo if options.seed_demo else None, sleep=options.sleep,
            admin_token=options.admin_token)
        self.issuer = TokenIssuer(self.tenant)
        self.login = create_login_sandbox(self.issuer, options)
        self.app = Starlette(routes=[Mount("/login", app=self.login.app),
                                     Mount("", app=self.app)])

    def reset(self) -> None:
        super().reset()
        self.login.reset()
        self.issuer.revoke_all()

    def _authenticate(self, request: Request,
                      tenant: Callable[[str], GraphState]) -> GraphState | Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        claims = (self.issuer.verify(token.strip()) if scheme.lower() == "bearer"
                  and token.strip() else "Access token is empty.")
        if isinstance(claims, str):
            return error_response(GraphError(401, "InvalidAuthenticationToken", claims,
                                             headers={"WWW-Authenticate": WWW_AUTHENTICATE}),
                                  request)
        request.state.claims = claims
        return tenant(claims.tenant)


def create_graph_sandbox(options: SandboxOptions) -> GraphSandbox:
    """The Graph fake, with the demo directory seeded into each new tenant unless told not to."""
    return GraphSandbox(options)


__all__ = ["GraphSandbox", "create_graph_sandbox"]
