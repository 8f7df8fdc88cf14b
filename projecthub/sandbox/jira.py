"""A fake Jira Cloud site: the platform v3 and Agile 1.0 operations ProjectHub's connector uses.

Credentials: basic auth ``<email>:sandbox-<tenant>``; the email must be an active user of that
tenant (the demo admin is ``demo@projecthub.example``). Errors use Jira's ``ErrorCollection``; a
wrong token gets the plain-text 401 Atlassian sends for a non-token password, a duplicate project
key a 400 (not 409). Replies carry ``X-Arequestid``, ``Atl-Traceid`` and ``Atl-Request-Id``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import (
    SandboxHTTPError,
    SandboxOptions,
    SandboxRoute,
    VendorSandbox,
    read_json,
)
from projecthub.sandbox.jira_catalog import (
    int_param,
    list_fields,
    list_projects,
    search_projects,
    server_info,
    site_base,
)
from projecthub.sandbox.jira_http import (
    TOKEN,
    WRONG_TOKEN,
    authenticate,
    render_error,
    reply_headers,
)
from projecthub.sandbox.jira_issues import create_issue, get_issue, transitions
from projecthub.sandbox.jira_jql import Searcher, parse
from projecthub.sandbox.jira_jql_values import JqlError
from projecthub.sandbox.jira_state import ROLES, Issue, JiraState, Project, User, seed_demo
from projecthub.sandbox.jira_validation import create_problems, key_problem, suggest_key
from projecthub.sandbox.jira_views import (
    JiraJSON,
    board_json,
    issue_json,
    page_json,
    project_json,
    role_json,
    sprint_json,
    user_json,
)
from projecthub.sandbox.jira_webhooks import PATH as WEBHOOKS_PATH
from projecthub.sandbox.jira_webhooks import webhook, webhooks


def _project(state: JiraState, key: str) -> Project:
    project = state.project(key)
    if project is None:
        raise SandboxHTTPError(404, f"No project could be found with key '{key}'.")
    return project


async def myself(request: Request, _state: JiraState) -> Response:
    return JiraJSON(user_json(request.state.user, site_base(request), full=True))


async def user_search(request: Request, state: JiraState) -> Response:
    """Prefix match on display-name words and email, as Jira's ``query`` does."""
    query = (request.query_params.get("query") or "").casefold()
    account = request.query_params.get("accountId")
    if not query and not account:
        raise SandboxHTTPError(400, "The query parameter 'query' or 'accountId' is required.")

    def hit(user: User) -> bool:
        if account:
            return user.account_id == account
        words = [user.email.casefold(), *user.display_name.casefold().split()]
        return any(w.startswith(query) for w in words)

    start, size = int_param(request, "startAt", 0), int_param(request, "maxResults", 50)
    found = [user_json(u, site_base(request)) for u in state.users if hit(u)]
    return JiraJSON(found[start:start + size])


async def validate_key(request: Request, state: JiraState) -> Response:
    problem = key_problem(state, request.query_params.get("key", ""))
    return JiraJSON({"errorMessages": [], "errors": {"projectKey": problem} if problem else {}})


async def valid_project_key(request: Request, state: JiraState) -> Response:
    return JiraJSON(suggest_key(state, request.query_params.get("key", "")))


async def valid_project_name(request: Request, state: JiraState) -> Response:
    name = request.query_params.get("name")
    if not name:
        raise SandboxHTTPError(400, "The project name must not be empty.")
    taken = {p.name.casefold() for p in state.projects.values()}
    candidate, n = name[:80], 1
    while candidate.casefold() in taken:
        suffix = f" {n}"
        candidate, n = name[: 80 - len(suffix)] + suffix, n + 1
    return JiraJSON(candidate)


async def get_project(request: Request, state: JiraState) -> Response:
    """GET reads the project; PUT renames it (the one update the sandbox models)."""
    project = _project(state, request.path_params["key"])
    if request.method == "PUT":
        body = await read_json(request)
        name = body.get("name") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise SandboxHTTPError(400, "", {"projectName": "You must specify a valid project "
                                                            "name."})
        if any(p.name.casefold() == name.casefold() and p is not project
               for p in state.projects.values()):
            raise SandboxHTTPError(400, "", {"projectName": "A project with that name already "
                                                            "exists."})
        project.name = name
    return JiraJSON(project_json(project, state, site_base(request)))


async def create_project(request: Request, state: JiraState) -> Response:
    body = await read_json(request)
    user: User = request.state.user
    if not user.site_admin:
        raise SandboxHTTPError(403, "You must have global administrator rights in order to "
                                    "create projects.")
    lead, fields = create_problems(state, body)
    if fields:
        raise SandboxHTTPError(400, "", fields)
    project = state.add_project(body["key"], body["name"], lead,
                                type_key=body.get("projectTypeKey", "software"),
                                template_key=body.get("projectTemplateKey"),
                                description=body.get("description", ""))
    return JiraJSON({"self": f"{site_base(request)}/rest/api/3/project/{project.id}",
                     "id": project.id, "key": project.key}, status_code=201)


async def archive_project(request: Request, state: JiraState) -> Response:
    """Jira answers 204; an archived project cannot be archived again (400), and only a site
    admin may archive (403)."""
    project = _project(state, request.path_params["key"])
    if not request.state.user.site_admin:
        raise SandboxHTTPError(403, "You don't have permission to archive this project.")
    if project.archived:
        raise SandboxHTTPError(400, f"Project {project.key} is already archived.")
    project.archived = True
    return Response(status_code=204)


async def delete_project(request: Request, state: JiraState) -> Response:
    """``DELETE /project/{key}``: 204 for a site admin; the project leaves every read (Jira keeps
    it in its trash for 60 days with ``enableUndo``, which the sandbox does not model)."""
    project = _project(state, request.path_params["key"])
    if not request.state.user.site_admin:
        raise SandboxHTTPError(403, "You don't have permission to delete this project.")
    del state.projects[project.key]
    return Response(status_code=204)


async def restore_project(request: Request, state: JiraState) -> Response:
    """Restoring answers the project (200); restoring a live one is a 400, as in Jira."""
    project = _project(state, request.path_params["key"])
    if not project.archived:
        raise SandboxHTTPError(400, f"Project {project.key} is not archived or deleted.")
    project.archived = False
    return JiraJSON(project_json(project, state, site_base(request)))


async def list_roles(request: Request, state: JiraState) -> Response:
    project = _project(state, request.path_params["key"])
    base = site_base(request)
    return JiraJSON({name: f"{base}/rest/api/3/project/{project.id}/role/{role_id}"
                     for role_id, name in ROLES.items()})


async def project_role(request: Request, state: JiraState) -> Response:
    """GET reads a role; POST adds user actors (a duplicate actor is a 400, as in Jira); DELETE
    removes the ``user`` actor (404 when it does not hold the role)."""
    project = _project(state, request.path_params["key"])
    role_id = int(request.path_params["role_id"])
    if role_id not in ROLES:
        raise SandboxHTTPError(404, f"No project role with id '{role_id}' exists.")
    if request.method == "POST":
        body = await read_json(request)
        if not isinstance(body, dict) or body.get("group") or body.get("groupId"):
            raise SandboxHTTPError(400, "The sandbox models user actors only.")
        ids = body.get("user") or []
        for account_id in ids:
            user = state.user(str(account_id))
            if user is None:
                raise SandboxHTTPError(400, "", {"user": f"We couldn't find the user with key "
                                                          f"'{account_id}'."})
            if user.account_id in project.roles[role_id]:
                raise SandboxHTTPError(400, f"'{user.display_name}' is already a member of the "
                                            "project role.")
        project.roles[role_id].extend(str(a) for a in ids)
    if request.method == "DELETE":
        account_id = request.query_params.get("user") or ""
        if account_id not in project.roles[role_id]:
            raise SandboxHTTPError(404, f"The user '{account_id}' is not a member of the "
                                        "project role.")
        project.roles[role_id].remove(account_id)
        return Response(status_code=204)
    return JiraJSON(role_json(project, role_id, state, site_base(request)))


async def _jql_request(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        query = request.query_params
        fields = [f for v in query.getlist("fields") for f in v.split(",") if f]
        return {"jql": query.get("jql", ""), "nextPageToken": query.get("nextPageToken"),
                "maxResults": int_param(request, "maxResults", 50), "fields": fields}
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("maxResults", 50), int) \
            or not isinstance(body.get("fields", []), list):
        raise SandboxHTTPError(400, "Invalid request payload. Refer to the REST API "
                                    "documentation and try again.")
    return body


async def search_jql(request: Request, state: JiraState) -> Response:
    """Pages chained by an opaque ``nextPageToken`` bound to the query; no total, no startAt."""
    ask = await _jql_request(request)
    jql = str(ask.get("jql") or "")
    hits = _search(request, state, jql)
    fields = [str(f) for f in ask.get("fields") or ["id"]]
    cap = 5000 if fields == ["id"] else 100
    size = max(1, min(int(ask.get("maxResults") or 50), cap))
    start = _decode_token(ask.get("nextPageToken"), jql)
    page = hits[start:start + size]
    base = site_base(request)
    body: dict[str, Any] = {"issues": [issue_json(p, i, fields, base) for p, i in page]}
    if start + size < len(hits):
        body["nextPageToken"] = _encode_token(start + size, jql)
    body["isLast"] = start + size >= len(hits)
    return JiraJSON(body)


async def approximate_count(request: Request, state: JiraState) -> Response:
    body = await read_json(request)
    jql = body.get("jql") if isinstance(body, dict) else None
    return JiraJSON({"count": len(_search(request, state, str(jql or "")))})


def _search(request: Request, state: JiraState, jql: str) -> list[tuple[Project, Issue]]:
    """Issues matching ``jql`` as the caller sees them (dates in the caller's time zone)."""
    try:
        return parse(jql, Searcher.of(state, request.state.user)).run(state)
    except JqlError as exc:
        raise SandboxHTTPError(400, str(exc)) from None


def _encode_token(offset: int, jql: str) -> str:
    raw = json.dumps({"o": offset, "q": hashlib.sha256(jql.encode()).hexdigest()[:12]})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_token(token: object, jql: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(str(token) + "=" * (-len(str(token)) % 4)))
        if data["q"] == hashlib.sha256(jql.encode()).hexdigest()[:12]:
            return int(data["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise SandboxHTTPError(400, "The provided next page token is invalid or expired.")


async def removed_search(_request: Request, _state: JiraState) -> Response:
    """The old search answers 410 on every Cloud site since 2025 (CHANGE-2046)."""
    raise SandboxHTTPError(410, "The requested API has been removed. Please migrate to the "
                                "/rest/api/3/search/jql API. A full migration guideline is "
                                "available at https://developer.atlassian.com/changelog/"
                                "#CHANGE-2046")


async def list_boards(request: Request, state: JiraState) -> Response:
    wanted = request.query_params.get("projectKeyOrId")
    project = _project(state, wanted) if wanted else None
    boards = [b for b in state.boards.values() if project is None or b.project_key == project.key]
    start, size = int_param(request, "startAt", 0), min(int_param(request, "maxResults", 50), 50)
    base = site_base(request)
    values = [board_json(b, state.projects[b.project_key], base)
              for b in boards[start:start + size]]
    return JiraJSON(page_json(values, start, size, len(boards)))


async def list_sprints(request: Request, state: JiraState) -> Response:
    board = state.boards.get(int(request.path_params["board_id"]))
    if board is None:
        raise SandboxHTTPError(404, "Board does not exist or you do not have permission to see it.")
    if board.type != "scrum":
        raise SandboxHTTPError(400, "The board does not support sprints")
    states = {s for s in (request.query_params.get("state") or "").split(",") if s}
    if states - {"future", "active", "closed"}:
        raise SandboxHTTPError(400, "The 'state' parameter must be future, active or closed.")
    sprints = [s for s in state.sprints.values()
               if s.board_id == board.id and (not states or s.state in states)]
    start, size = int_param(request, "startAt", 0), min(int_param(request, "maxResults", 50), 50)
    values = [sprint_json(s, site_base(request)) for s in sprints[start:start + size]]
    return JiraJSON(page_json(values, start, size, len(sprints), with_total=False))


PLATFORM: list[SandboxRoute[JiraState]] = [
    SandboxRoute("/rest/api/3/serverInfo", server_info),
    SandboxRoute("/rest/api/3/field", list_fields),
    SandboxRoute("/rest/api/3/myself", myself),
    SandboxRoute("/rest/api/3/user/search", user_search),
    SandboxRoute("/rest/api/3/projectvalidate/key", validate_key),
    SandboxRoute("/rest/api/3/projectvalidate/validProjectKey", valid_project_key),
    SandboxRoute("/rest/api/3/projectvalidate/validProjectName", valid_project_name),
    SandboxRoute("/rest/api/3/project", list_projects),
    SandboxRoute("/rest/api/3/project", create_project, ("POST",)),
    SandboxRoute("/rest/api/3/project/search", search_projects),
    SandboxRoute("/rest/api/3/project/{key}", get_project, ("GET", "PUT")),
    SandboxRoute("/rest/api/3/project/{key}", delete_project, ("DELETE",)),
    SandboxRoute("/rest/api/3/project/{key}/archive", archive_project, ("POST",)),
    SandboxRoute("/rest/api/3/project/{key}/restore", restore_project, ("POST",)),
    SandboxRoute("/rest/api/3/project/{key}/role", list_roles),
    SandboxRoute("/rest/api/3/project/{key}/role/{role_id:int}", project_role,
                 ("GET", "POST", "DELETE")),
    SandboxRoute("/rest/api/3/search/jql", search_jql, ("GET", "POST")),
    SandboxRoute("/rest/api/3/search/approximate-count", approximate_count, ("POST",)),
    SandboxRoute("/rest/api/3/search", removed_search, ("GET", "POST")),
    SandboxRoute("/rest/api/3/issue", create_issue, ("POST",)),
    SandboxRoute("/rest/api/3/issue/{key}", get_issue),
    SandboxRoute("/rest/api/3/issue/{key}/transitions", transitions, ("GET", "POST")),
]
# Jira Cloud serves platform v2 beside v3 with the same paths (v2 takes plain-text rich text), and
# general-purpose clients (pycontribs ``jira``, ``atlassian-python-api``) default to v2.
ROUTES: list[SandboxRoute[JiraState]] = [
    *PLATFORM,
    *(SandboxRoute(r.path.replace("/rest/api/3/", "/rest/api/2/", 1), r.handler, r.methods)
      for r in PLATFORM),
    SandboxRoute(WEBHOOKS_PATH, webhooks, ("GET", "POST")),
    SandboxRoute(WEBHOOKS_PATH + "/{hook_id:int}", webhook, ("GET", "DELETE")),
    SandboxRoute("/rest/agile/1.0/board", list_boards),
    SandboxRoute("/rest/agile/1.0/board/{board_id:int}/sprint", list_sprints),
]


def create_jira_sandbox(options: SandboxOptions) -> VendorSandbox[JiraState]:
    """The Jira fake, with the demo site seeded into each new tenant unless told otherwise."""
    return VendorSandbox(
        name="jira", routes=ROUTES, new_state=JiraState, authenticate=authenticate,
        render_error=render_error, reply_headers=reply_headers,
        seed=seed_demo if options.seed_demo else None, sleep=options.sleep,
        admin_token=options.admin_token,
    )


# TOKEN and WRONG_TOKEN are shared with the Confluence sandbox (same Atlassian accounts).
__all__ = ["ROUTES", "TOKEN", "WRONG_TOKEN", "create_jira_sandbox"]
