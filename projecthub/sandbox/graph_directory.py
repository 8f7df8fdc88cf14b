"""Graph's directory in the sandbox: users (read) and Microsoft 365 groups (read, create).

Lookups use ``$filter``/``$select``/paging as the directory does (``graph_odata``); a taken mail
nickname is a 400 ``Request_BadRequest`` with an ``ObjectConflict`` detail, never a 409.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_odata import collection, entity_set_context, filtered, selected
from projecthub.sandbox.graph_state import GraphState
from projecthub.sandbox.graph_views import (
    USER_DEFAULT_FIELDS,
    GraphError,
    GraphJSON,
    entity,
    group_json,
    json_body,
    require_roles,
    user_json,
)

# Application permissions that allow each operation (least privileged first).
READ_USERS = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All")
READ_GROUPS = ("Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All")
CREATE_GROUPS = ("Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All")
NICKNAME_TAKEN = "Another object with the same value for property mailNickname already exists."


async def list_users(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_USERS, directory=True)
    found = filtered(request, [user_json(u) for u in state.users.values()], "User",
                     ("id", "mail", "userPrincipalName", "displayName", "givenName", "surname",
                      "accountEnabled", "jobTitle"))
    page = [selected(request, item, USER_DEFAULT_FIELDS) for item in found]
    context = entity_set_context(request, "users")
    return GraphJSON(collection(request, page, context, default_size=100,
                                page_size=state.page_size))


async def get_user(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_USERS, directory=True)
    key = request.path_params["user"]
    user = state.user(key)
    if user is None:
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{key}' does not exist or one of its queried "
                         "reference-property objects are not present.")
    body = selected(request, user_json(user), USER_DEFAULT_FIELDS)
    return GraphJSON({"@odata.context": entity_set_context(request, "users") + "/$entity",
                      **body})


async def list_groups(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_GROUPS, directory=True)
    found = filtered(request, [group_json(g) for g in state.groups.values()], "Group",
                     ("id", "mail", "mailNickname", "displayName"))
    page = [selected(request, item) for item in found]
    context = entity_set_context(request, "groups")
    return GraphJSON(collection(request, page, context, default_size=100,
                                page_size=state.page_size))


async def create_group(request: Request, state: GraphState) -> Response:
    """``POST /groups``: a unified group; a taken mail nickname is a 400, as in Graph."""
    require_roles(request, CREATE_GROUPS, directory=True)
    body = await json_body(request)
    for name in ("displayName", "mailNickname", "mailEnabled", "securityEnabled"):
        if body.get(name) in (None, ""):
            raise GraphError(400, "Request_BadRequest",
                             f"Invalid value specified for property '{name}' of resource "
                             "'Group'.")
    if state.nickname_taken(str(body["mailNickname"])):
        raise GraphError(400, "Request_BadRequest", NICKNAME_TAKEN, details=[
            {"code": "ObjectConflict", "message": NICKNAME_TAKEN, "target": "mailNickname"}])
    group = state.add_group(str(body["displayName"]), str(body["mailNickname"]),
                            description=body.get("description"),
                            visibility=str(body.get("visibility") or "Public"))
    location = (f"https://graph.microsoft.com/v2/{state.directory_id}/directoryObjects/"
                f"{group.id}/Microsoft.DirectoryServices.Group")
    return GraphJSON(entity("groups/$entity", group_json(group)), status_code=201,
                     headers={"Location": location})


__all__ = ["create_group", "get_user", "list_groups", "list_users"]


DELETE_GROUPS = ("Group.ReadWrite.All", "Directory.ReadWrite.All")


async def delete_group(request: Request, state: GraphState) -> Response:
    """``DELETE /groups/{id}``: 204; the group's team, plans and tasks go with it (Entra ID
    would keep the group restorable for 30 days; the sandbox has no recycle bin)."""
    require_roles(request, DELETE_GROUPS, directory=True)
    key = request.path_params["group"]
    if not state.remove_group(key):
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{key}' does not exist or one of its queried "
                         "reference-property objects are not present.")
    return Response(status_code=204)

