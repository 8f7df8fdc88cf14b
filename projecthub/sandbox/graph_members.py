"""Changing and ending team memberships in the Graph sandbox: ``PATCH`` a membership's roles
(owner or none) and ``DELETE`` it, as ``/teams/{id}/members/{membership-id}`` does in Graph. A
team keeps at least one owner, as Teams insists.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_state import GraphState, Member, Team
from projecthub.sandbox.graph_teams import ADD_MEMBERS, MEMBER_TYPE, team_of
from projecthub.sandbox.graph_views import (
    GraphError,
    GraphJSON,
    entity,
    json_body,
    member_json,
    require_roles,
)


def _membership(team: Team, member_id: str) -> Member:
    member = next((m for m in team.members if m.id == member_id), None)
    if member is None:
        raise GraphError(404, "NotFound", f"Member {member_id} not found in team {team.id}.")
    return member


async def update_member(request: Request, state: GraphState) -> Response:
    """``PATCH /teams/{id}/members/{membership}``: a member's roles (owner or none)."""
    require_roles(request, ADD_MEMBERS)
    team, _group = team_of(state, request.path_params["team"])
    member = _membership(team, request.path_params["member"])
    body = await json_body(request)
    if body.get("@odata.type") != MEMBER_TYPE:
        raise GraphError(400, "BadRequest", f"Member type must be '{MEMBER_TYPE}'.")
    roles = body.get("roles")
    if not isinstance(roles, list) or set(roles) - {"owner", "guest"}:
        raise GraphError(400, "BadRequest", "Roles can only be 'owner' or 'guest'.")
    if "owner" not in roles and _last_owner(team, member):
        raise GraphError(400, "BadRequest", "A team must keep at least one owner.")
    member.roles = [str(r) for r in roles]
    state.changes.touched(team.id, "members")
    return GraphJSON(entity(f"teams('{team.id}')/members/$entity", member_json(member, state)))


async def remove_member(request: Request, state: GraphState) -> Response:
    """``DELETE /teams/{id}/members/{membership}``: 204; the last owner cannot leave."""
    require_roles(request, ADD_MEMBERS)
    team, _group = team_of(state, request.path_params["team"])
    member = _membership(team, request.path_params["member"])
    if _last_owner(team, member):
        raise GraphError(400, "BadRequest", "A team must keep at least one owner.")
    team.members.remove(member)
    state.changes.touched(team.id, "members")
    return Response(status_code=204)


def _last_owner(team: Team, member: Member) -> bool:
    owners = [m for m in team.members if "owner" in m.roles]
    return owners == [member]


__all__ = ["remove_member", "update_member"]
