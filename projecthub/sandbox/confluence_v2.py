"""The Confluence REST v2 operations the connector uses: spaces, pages in a space, users by id.

v2 lists page with an opaque ``cursor`` (``_links.next`` and a ``Link`` header); creating a space
answers 201, or 404 where the site has no role-based access control or the caller may not create
spaces; creating a page answers 200. Errors use v2's envelope (see confluence.py).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute, read_json
from projecthub.sandbox.confluence_state import ConfluenceSite, Page, Space, space_problem
from projecthub.sandbox.confluence_views import (
    V2,
    ConfluenceJSON,
    page_v2,
    space_v2,
    user_v2,
    v2_list,
    wiki_base,
)
from projecthub.sandbox.confluence_webhooks import announce_page

PAGE_SORTS = {"id": lambda p: p.id, "created-date": lambda p: (p.created_at, p.id),
              "modified-date": lambda p: (p.modified_at, p.id), "title": lambda p: p.title}
BODY_FORMATS = ("storage", "atlas_doc_format", "wiki")
DUPLICATE_TITLE = ("A page with this title already exists: A page already exists with the same "
                   "TITLE in this space")


def values(request: Request, name: str) -> list[str]:
    """A multi-valued query parameter, repeated (``keys=A&keys=B``) or comma-separated."""
    return [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]


async def list_spaces(request: Request, site: ConfluenceSite) -> Response:
    keys, ids = set(values(request, "keys")), set(values(request, "ids"))
    wanted_type = request.query_params.get("type")
    wanted_status = request.query_params.get("status")
    spaces = [s for s in sorted(site.spaces.values(), key=lambda s: s.id)
              if (not keys or s.key in keys) and (not ids or str(s.id) in ids)
              and wanted_type in (None, s.type) and wanted_status in (None, s.status)]
    description = request.query_params.get("description-format")
    scope = f"spaces:{sorted(keys)}:{sorted(ids)}:{wanted_type}:{wanted_status}"
    return v2_list(request, spaces, lambda s: space_v2(s, description_format=description), scope)


async def create_space(request: Request, site: ConfluenceSite) -> Response:
    if not (site.rbac and site.can_create_spaces):
        raise SandboxHTTPError(404, "Not Found")
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid request payload.")
    key = body.get("key") or body.get("alias")
    problem = space_problem(site, key, body.get("name"))
    if problem:
        raise SandboxHTTPError(400, problem)
    description = body.get("description")
    text = str(description.get("value", "")) if isinstance(description, dict) else ""
    space = site.add_space(str(key), body["name"], request.state.account, description=text)
    reply = space_v2(space)
    reply["_links"]["base"] = wiki_base(request)
    return ConfluenceJSON(reply, status_code=201)


def _space(site: ConfluenceSite, space_id: int) -> Space:
    space = site.spaces.get(space_id)
    if space is None:
        raise SandboxHTTPError(404, f"Space with id {space_id} not found")
    return space


async def list_pages(request: Request, site: ConfluenceSite) -> Response:
    """Pages of a space: current ones unless ``status`` says otherwise, sorted by ``sort``."""
    space = _space(site, request.path_params["id"])
    statuses = set(values(request, "status")) or {"current"}
    pages = site.pages_in(space, statuses)
    if request.query_params.get("depth") == "root":
        pages = [p for p in pages if p.parent_id is None]
    if title := request.query_params.get("title"):
        pages = [p for p in pages if p.title == title]
    order = request.query_params.get("sort", "id")
    if order.lstrip("-") not in PAGE_SORTS:
        raise SandboxHTTPError(400, f"Invalid sort order: {order}")
    pages.sort(key=PAGE_SORTS[order.lstrip("-")], reverse=order.startswith("-"))
    with_body = request.query_params.get("body-format") == "storage"
    scope = f"pages:{space.id}:{sorted(statuses)}:{order}:{title}"
    return v2_list(request, pages, lambda p: page_v2(p, site, with_body=with_body), scope)


def _storage(body: Any) -> str:
    """The page body's value, sent flat (``{representation, value}``) or nested by format."""
    if body is None:
        return ""
    if isinstance(body, dict) and "representation" not in body:
        # Nested by format (``{"storage": {"value": …}}``): the key names the representation.
        body = next(({"representation": f, **body[f]} for f in BODY_FORMATS
                     if isinstance(body.get(f), dict)), None)
    if not isinstance(body, dict) or body.get("representation") not in BODY_FORMATS:
        raise SandboxHTTPError(400, "Invalid body representation. Valid values are storage, "
                                    "atlas_doc_format and wiki")
    return str(body.get("value", ""))


def _parent(request: Request, site: ConfluenceSite, space: Space,
            body: dict[str, Any]) -> Page | None:
    """The explicit parent, else the space homepage (unless ``root-level=true``, then none)."""
    if request.query_params.get("root-level") == "true":
        if body.get("parentId"):
            raise SandboxHTTPError(400, "parentId may not be supplied when root-level is true")
        return None
    wanted = str(body.get("parentId") or space.homepage_id)
    parent = site.pages.get(int(wanted)) if wanted.isdigit() else None
    if parent is None or parent.space_id != space.id:
        raise SandboxHTTPError(400, f"Parent page with id {wanted} was not found in the space")
    return parent


async def create_page(request: Request, site: ConfluenceSite) -> Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid request payload.")
    space_id = str(body.get("spaceId") or "")
    space = _space(site, int(space_id)) if space_id.isdigit() else None
    if space is None:
        raise SandboxHTTPError(404, f"Space with id {space_id} not found")
    status, title = body.get("status", "current"), str(body.get("title") or "").strip()
    if status not in ("current", "draft"):
        raise SandboxHTTPError(400, f"Invalid status: {status}")
    if status == "current" and not title:
        raise SandboxHTTPError(400, "Title is required when creating a published page")
    if len(title) > 255:
        raise SandboxHTTPError(400, "Title cannot be longer than 255 characters")
    if status == "current" and any(p.title.casefold() == title.casefold()
                                   for p in site.pages_in(space, {"current"})):
        raise SandboxHTTPError(400, DUPLICATE_TITLE)
    parent, text = _parent(request, site, space, body), _storage(body.get("body"))
    page = site.add_page(space, title, request.state.account, parent=parent, body=text)
    page.status = status
    if status == "current":
        announce_page(request, site, space, page, "page_created")
    reply = page_v2(page, site, with_body=True)
    reply["_links"]["base"] = wiki_base(request)
    return ConfluenceJSON(reply)


async def users_bulk(request: Request, site: ConfluenceSite) -> Response:
    body = await read_json(request)
    ids = body.get("accountIds") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= 250:
        raise SandboxHTTPError(400, "accountIds must hold between 1 and 250 account ids")
    found = [site.account(str(i)) for i in dict.fromkeys(ids)]
    return ConfluenceJSON({"results": [user_v2(a) for a in found if a is not None],
                           "_links": {"base": wiki_base(request)}})


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(f"{V2}/spaces", list_spaces),
    SandboxRoute(f"{V2}/spaces", create_space, ("POST",)),
    SandboxRoute(f"{V2}/spaces/{{id:int}}/pages", list_pages),
    SandboxRoute(f"{V2}/pages", create_page, ("POST",)),
    SandboxRoute(f"{V2}/users-bulk", users_bulk, ("POST",)),
]

__all__ = ["DUPLICATE_TITLE", "ROUTES"]
