"""Confluence REST v2 reads that general-purpose clients make and the connector does not: one
space or page by id, and pages across spaces (``GET /pages?space-id=…``), which
``atlassian-python-api``'s Cloud client uses for ``get_pages`` and ``get_page_by_title``.

Ids are numbers on the wire; anything else is v2's 400 (not a 404), as Confluence answers.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute
from projecthub.sandbox.confluence_state import ConfluenceSite
from projecthub.sandbox.confluence_v2 import PAGE_SORTS, values
from projecthub.sandbox.confluence_views import V2, ConfluenceJSON, page_v2, space_v2, v2_list


def _id(request: Request) -> int:
    raw = request.path_params["id"]
    if not raw.isdigit():
        raise SandboxHTTPError(400, f"Invalid id: {raw}")
    return int(raw)


async def get_space(request: Request, site: ConfluenceSite) -> Response:
    space = site.spaces.get(_id(request))
    if space is None:
        raise SandboxHTTPError(404, "Not Found")
    return ConfluenceJSON(space_v2(
        space, description_format=request.query_params.get("description-format")))


async def get_page(request: Request, site: ConfluenceSite) -> Response:
    page = site.pages.get(_id(request))
    if page is None or page.status == "deleted":
        raise SandboxHTTPError(404, "Not Found")
    with_body = request.query_params.get("body-format") in ("storage", "editor")
    return ConfluenceJSON(page_v2(page, site, with_body=with_body))


async def list_pages(request: Request, site: ConfluenceSite) -> Response:
    """Pages of any space (or of ``space-id``s), current unless ``status`` says otherwise."""
    spaces = {int(s) for s in values(request, "space-id") if s.isdigit()}
    ids = {int(i) for i in values(request, "id") if i.isdigit()}
    statuses = set(values(request, "status")) or {"current"}
    title = request.query_params.get("title")
    order = request.query_params.get("sort", "id")
    if order.lstrip("-") not in PAGE_SORTS:
        raise SandboxHTTPError(400, f"Invalid sort order: {order}")
    pages = [p for p in site.pages.values()
             if (not spaces or p.space_id in spaces) and (not ids or p.id in ids)
             and p.status in statuses and (title is None or p.title == title)]
    pages.sort(key=PAGE_SORTS[order.lstrip("-")], reverse=order.startswith("-"))
    with_body = request.query_params.get("body-format") == "storage"
    scope = f"all-pages:{sorted(spaces)}:{sorted(ids)}:{sorted(statuses)}:{order}:{title}"
    return v2_list(request, pages, lambda p: page_v2(p, site, with_body=with_body), scope)


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(f"{V2}/spaces/{{id}}", get_space),
    SandboxRoute(f"{V2}/pages", list_pages),
    SandboxRoute(f"{V2}/pages/{{id}}", get_page),
]

__all__ = ["ROUTES"]
