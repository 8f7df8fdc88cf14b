"""The Confluence REST v1 operations the connector uses: who am I, user search, create space,
and update a space's status (archive and restore: v2 reads a space's status but cannot change it).

v1 is where v2 has gaps: the current user, CQL user search, and space creation on sites without
role-based access control (it answers 200, not 201). Errors use v1's envelope (see confluence.py).
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute, read_json
from projecthub.sandbox.confluence_state import Account, ConfluenceSite, space_problem
from projecthub.sandbox.confluence_views import (
    V1,
    ConfluenceJSON,
    query_int,
    root,
    space_v1,
    user_hit,
    user_v1,
    wiki_base,
)

# The user-search CQL the endpoint accepts: one clause on type, user, user.accountid or
# user.fullname (Cloud supports no user field beyond these, and no email field at all).
_USER_CQL = re.compile(
    r'^\s*(type|user|user\.accountid|user\.fullname)\s*(=|~)\s*(?:"([^"]*)"|(\S+))\s*$', re.I)
MAX_USER_RESULTS = 1000


async def current_user(request: Request, _site: ConfluenceSite) -> Response:
    return ConfluenceJSON(user_v1(request.state.account, request))


def _user_clause(cql: str) -> tuple[str, str]:
    """(field, value) of the one clause; anything else is Confluence's "could not parse" 400."""
    match = _USER_CQL.fullmatch(cql)
    if match is not None:
        field, operator = match.group(1).lower(), match.group(2)
        value = match.group(3) if match.group(3) is not None else match.group(4)
        allowed = {"type": operator == "=" and value.lower() == "user",
                   "user": operator == "=", "user.accountid": operator == "=",
                   "user.fullname": operator == "~"}
        if allowed[field]:
            return field, value
    raise SandboxHTTPError(400, f"Could not parse cql : {cql}")


def _matches(account: Account, field: str, value: str) -> bool:
    """``user.fullname~`` matches a prefix of the full name or of a word of it; the sandbox also
    matches a visible email there (our assumption about Cloud, which documents no email field)."""
    if field == "type":
        return True
    if field in ("user", "user.accountid"):
        return account.account_id == value
    term = value.casefold()
    words = [account.display_name.casefold(), *account.display_name.casefold().split()]
    if account.email_visible:
        words.append(account.email.casefold())
    return any(w.startswith(term) for w in words)


async def search_user(request: Request, site: ConfluenceSite) -> Response:
    """``/search/user``: offset paging (``start``/``limit``) with a context-relative next link."""
    cql = request.query_params.get("cql", "")
    field, value = _user_clause(cql)
    found = [a for a in site.accounts if a.active and _matches(a, field, value)]
    start = max(query_int(request, "start", 0), 0)
    limit = min(max(query_int(request, "limit", 25), 0), MAX_USER_RESULTS)
    page = found[start:start + limit]
    base = wiki_base(request)
    links = {"base": base, "context": f"{root(request)}/wiki",
             "self": f"{base}/rest/api/search/user?{request.url.query}"}
    if start + limit < len(found):
        query = urlencode({"cql": cql, "start": start + limit, "limit": limit})
        links["next"] = f"/rest/api/search/user?{query}"
    return ConfluenceJSON({
        "results": [user_hit(a, request, site.now()) for a in page], "start": start,
        "limit": limit, "size": len(page), "totalSize": len(found), "cqlQuery": cql,
        "searchDuration": 12, "_links": links,
    })


async def create_space(request: Request, site: ConfluenceSite) -> Response:
    """v1 create: works on every site; 403 without the global permission, 400 on a taken key."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid request payload.")
    if not site.can_create_spaces:
        raise SandboxHTTPError(403, "No permission to create spaces")
    problem = space_problem(site, body.get("key"), body.get("name"))
    if problem:
        raise SandboxHTTPError(400, problem)
    description = body.get("description") or {}
    plain = description.get("plain") if isinstance(description, dict) else None
    text = str(plain.get("value", "")) if isinstance(plain, dict) else ""
    space = site.add_space(body["key"], body["name"], request.state.account, description=text)
    return ConfluenceJSON(space_v1(space, site, request))


SPACE_STATUSES = ("current", "archived")


async def update_space(request: Request, site: ConfluenceSite) -> Response:
    """v1 update (``PUT /space/{spaceKey}``, ``SpaceUpdate``): only what ProjectHub sends, the
    name and the status (``current`` or ``archived``); 404 for an unknown key, 403 without the
    right to administer spaces."""
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid request payload.")
    space = site.space_by_key(request.path_params["key"])
    if space is None:
        raise SandboxHTTPError(404, f"No space with key : {request.path_params['key']}")
    if not site.can_create_spaces:
        raise SandboxHTTPError(403, "No permission to administer this space")
    status = body.get("status")
    if status is not None:
        if status not in SPACE_STATUSES:
            raise SandboxHTTPError(400, f"Unknown space status: {status}")
        space.status = str(status)
    if body.get("name"):
        space.name = str(body["name"])
    return ConfluenceJSON(space_v1(space, site, request))


async def delete_space(request: Request, site: ConfluenceSite) -> Response:
    """v1 ``DELETE /space/{spaceKey}``: 202 and a pointer to the long task that empties the
    space (the sandbox removes it at once, so the task is already complete)."""
    space = site.space_by_key(request.path_params["key"])
    if space is None:
        raise SandboxHTTPError(404, f"No space with key : {request.path_params['key']}")
    if not site.can_create_spaces:
        raise SandboxHTTPError(403, "No permission to administer this space")
    task_id = site.remove_space(space)
    return ConfluenceJSON({"ari": f"ari:cloud:confluence::longtask/{task_id}", "id": task_id,
                           "links": {"status": f"{V1}/longtask/{task_id}"}}, status_code=202)


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(f"{V1}/user/current", current_user),
    SandboxRoute(f"{V1}/search/user", search_user),
    SandboxRoute(f"{V1}/space", create_space, ("POST",)),
    SandboxRoute(f"{V1}/space/{{key}}", update_space, ("PUT",)),
    SandboxRoute(f"{V1}/space/{{key}}", delete_space, ("DELETE",)),
]

__all__ = ["ROUTES"]
