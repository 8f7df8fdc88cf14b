"""What a general-purpose Jira client reads before its first real call: the server's identity
(``serverInfo``, where ``deploymentType: Cloud`` switches clients such as pycontribs ``jira`` to
Cloud's endpoints), the field catalogue (which those clients map JQL names with) and the project
lists, the old unpaged ``GET /project`` (deprecated, still served) and the paged
``/project/search`` that import screens page through.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError
from projecthub.sandbox.jira_state import JiraState, Project
from projecthub.sandbox.jira_views import JiraJSON, project_json

SERVER_TITLE = "ProjectHub sandbox"
# The build a Jira Cloud site reported in 2026; clients compare versionNumbers, not the text.
VERSION = (1001, 0, 0)
SEARCH_MAX = 100
# The system fields the sandbox's issues carry, as ``GET /field`` describes them.
FIELDS: tuple[tuple[str, str, str, bool], ...] = (
    ("summary", "Summary", "string", True), ("status", "Status", "status", True),
    ("duedate", "Due date", "date", True), ("created", "Created", "datetime", False),
    ("updated", "Updated", "datetime", False), ("project", "Project", "project", True),
    ("issuetype", "Issue Type", "issuetype", True), ("description", "Description", "string", True),
)
ORDERS = {"key": lambda p: p.key, "name": lambda p: p.name.casefold(), "id": lambda p: p.id}


def site_base(request: Request) -> str:
    """Where this site is reached, mount prefix included (``base_url`` drops it)."""
    return str(request.url.replace(path=request.scope.get("root_path", ""), query=""))


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SandboxHTTPError(400, f"The '{name}' parameter must be an integer.") from None


async def server_info(request: Request, state: JiraState) -> Response:
    base = site_base(request)
    return JiraJSON({
        "baseUrl": base, "displayUrl": base, "version": ".".join(map(str, VERSION)),
        "versionNumbers": list(VERSION), "deploymentType": "Cloud", "buildNumber": 100_283,
        # RFC 3339 as the spec types them (Jira itself writes +0000, which the spec refuses).
        "buildDate": "2026-11-30T00:00:00.000+00:00",
        "serverTime": state.now().isoformat(timespec="milliseconds"),
        "scmInfo": "0f3b1c6a5d8e2f4a9b7c0d1e2f3a4b5c6d7e8f90", "serverTitle": SERVER_TITLE,
        "serverTimeZone": "Etc/UTC",
    })


async def list_fields(_request: Request, _state: JiraState) -> Response:
    return JiraJSON([
        {"id": ident, "key": ident, "name": name, "custom": False, "orderable": orderable,
         "navigable": True, "searchable": True, "clauseNames": [ident],
         "schema": {"type": kind, "system": ident}}
        for ident, name, kind, orderable in FIELDS])


async def list_projects(request: Request, state: JiraState) -> Response:
    """Every project at once, in key order, as the deprecated ``GET /project`` answers."""
    base = site_base(request)
    return JiraJSON([project_json(p, state, base)
                     for p in sorted(state.projects.values(), key=lambda p: p.key)])


async def search_projects(request: Request, state: JiraState) -> Response:
    """A page of projects: ``query`` matches key (exactly) or name (substring), any case;
    ``keys``/``id`` pick projects; ``orderBy`` key, name or id, ``-`` for descending."""
    query = (request.query_params.get("query") or "").casefold()
    keys = {k for raw in request.query_params.getlist("keys") for k in raw.split(",") if k}
    ids = {i for raw in request.query_params.getlist("id") for i in raw.split(",") if i}
    order = request.query_params.get("orderBy", "key").lstrip("+")
    if order.lstrip("-") not in ORDERS:
        raise SandboxHTTPError(400, f"Invalid orderBy value: {order}")
    start = max(0, int_param(request, "startAt", 0))
    size = max(1, min(int_param(request, "maxResults", 50), SEARCH_MAX))

    def hit(project: Project) -> bool:
        return ((not query or project.key.casefold() == query or query in project.name.casefold())
                and (not keys or project.key in keys) and (not ids or str(project.id) in ids))

    found = sorted((p for p in state.projects.values() if hit(p)),
                   key=ORDERS[order.lstrip("-")], reverse=order.startswith("-"))
    page = found[start:start + size]
    base = site_base(request)
    link = f"{base}/rest/api/3/project/search"
    params = {k: v for k, v in request.query_params.items() if k not in ("startAt", "maxResults")}

    def at(offset: int) -> str:
        return f"{link}?{urlencode({**params, 'startAt': offset, 'maxResults': size})}"

    body: dict[str, Any] = {
        "self": at(start),
        "maxResults": size, "startAt": start, "total": len(found),
        "isLast": start + size >= len(found),
        "values": [project_json(p, state, base) for p in page],
    }
    if not body["isLast"]:
        body["nextPage"] = at(start + size)
    return JiraJSON(body)


__all__ = ["int_param", "list_fields", "list_projects", "search_projects", "server_info",
           "site_base"]
