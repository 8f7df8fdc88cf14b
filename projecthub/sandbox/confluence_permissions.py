"""Space permissions in the Confluence sandbox: v1 grants and revokes one permission per call
(``POST /space/{key}/permission``, ``DELETE /space/{key}/permission/{id}``), v2 lists them
(``GET /spaces/{id}/permissions``), as Confluence Cloud does. A repeated grant is v1's 400
"Permission already exists"; only the combinations Confluence documents are accepted.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute, read_json
from projecthub.sandbox.confluence_state import ConfluenceSite, Space, SpacePermission
from projecthub.sandbox.confluence_views import V1, V2, ConfluenceJSON, v2_list, wiki_base

# (operation, target) pairs a space permission may name (v1 SpacePermissionRequest docs).
COMBINATIONS = frozenset({
    ("read", "space"), ("administer", "space"), ("export", "space"),
    ("restrict_content", "space"), ("delete", "space"), ("archive", "page"),
    *((op, target) for op in ("create", "delete")
      for target in ("page", "blogpost", "comment", "attachment")),
})


def _space(site: ConfluenceSite, key: str) -> Space:
    space = site.space_by_key(key)
    if space is None:
        raise SandboxHTTPError(404, f"No space with key : {key}")
    return space


def _grant(body: Any, site: ConfluenceSite) -> tuple[str, str, str]:
    subject = body.get("subject") if isinstance(body, dict) else None
    operation = body.get("operation") if isinstance(body, dict) else None
    if not isinstance(subject, dict) or not isinstance(operation, dict):
        raise SandboxHTTPError(400, "Subject and operation are required.")
    if subject.get("type") != "user":
        raise SandboxHTTPError(400, "The sandbox grants space permissions to users only.")
    account_id = str(subject.get("identifier") or "")
    if site.account(account_id) is None:
        raise SandboxHTTPError(400, f"No user with accountId {account_id}")
    key, target = str(operation.get("key")), str(operation.get("target"))
    if (key, target) not in COMBINATIONS:
        raise SandboxHTTPError(400, f"Invalid operation {key} on target {target}")
    return account_id, key, target


def permission_v1(permission: SpacePermission, space: Space,
                  request: Request) -> dict[str, Any]:
    return {"id": permission.id,
            "subject": {"type": "user", "identifier": permission.account_id},
            "operation": {"key": permission.key, "target": permission.target},
            "_links": {"base": wiki_base(request),
                       "self": f"{wiki_base(request)}/rest/api/space/{space.key}/permission/"
                               f"{permission.id}"}}


def permission_v2(permission: SpacePermission) -> dict[str, Any]:
    return {"id": str(permission.id),
            "principal": {"type": "user", "id": permission.account_id},
            "operation": {"key": permission.key, "targetType": permission.target}}


async def add_permission(request: Request, site: ConfluenceSite) -> Response:
    space = _space(site, request.path_params["key"])
    if not site.can_create_spaces:
        raise SandboxHTTPError(403, "No permission to administer this space")
    account_id, key, target = _grant(await read_json(request), site)
    if any((p.account_id, p.key, p.target) == (account_id, key, target)
           for p in space.permissions):
        raise SandboxHTTPError(400, "Permission already exists.")
    return ConfluenceJSON(permission_v1(site.grant(space, account_id, key, target), space,
                                       request))


async def remove_permission(request: Request, site: ConfluenceSite) -> Response:
    space = _space(site, request.path_params["key"])
    if not site.can_create_spaces:
        raise SandboxHTTPError(403, "No permission to administer this space")
    ident = request.path_params["id"]
    found = next((p for p in space.permissions if str(p.id) == ident), None)
    if found is None:
        raise SandboxHTTPError(404, f"No permission with id {ident}")
    space.permissions.remove(found)
    return Response(status_code=204)


async def list_permissions(request: Request, site: ConfluenceSite) -> Response:
    raw = request.path_params["id"]
    space = site.spaces.get(int(raw)) if raw.isdigit() else None
    if space is None:
        raise SandboxHTTPError(404, "Not Found")
    return v2_list(request, list(space.permissions), permission_v2, f"permissions:{space.id}")


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(f"{V1}/space/{{key}}/permission", add_permission, ("POST",)),
    SandboxRoute(f"{V1}/space/{{key}}/permission/{{id}}", remove_permission, ("DELETE",)),
    SandboxRoute(f"{V2}/spaces/{{id}}/permissions", list_permissions),
]

__all__ = ["ROUTES"]
