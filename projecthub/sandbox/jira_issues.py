"""Creating and reading single issues, as general-purpose Jira clients do.

``POST /issue`` takes ``fields.project`` (key or id), ``fields.summary`` and ``fields.issuetype``
(id or name); anything missing is a 400 ``ErrorCollection`` naming the field, as Jira answers.
A description is kept as sent: ADF on v3, plain text on v2.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, read_json
from projecthub.sandbox.jira_catalog import site_base
from projecthub.sandbox.jira_state import ISSUE_TYPES, Issue, JiraState, Project
from projecthub.sandbox.jira_views import JiraJSON, issue_json, status_json
from projecthub.sandbox.jira_webhooks import announce_issue


def _issue_type(wanted: object) -> str | None:
    if not isinstance(wanted, dict):
        return None
    ident, name = str(wanted.get("id") or ""), str(wanted.get("name") or "").casefold()
    return next((i for i, n in ISSUE_TYPES.items() if ident == i or name == n.casefold()), None)


async def create_issue(request: Request, state: JiraState) -> Response:
    body = await read_json(request)
    fields: Any = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, dict):
        raise SandboxHTTPError(400, "", {"fields": "The fields of the issue are required."})
    wanted = fields.get("project")
    project = state.project(str(wanted.get("key") or wanted.get("id") or "")) \
        if isinstance(wanted, dict) else None
    problems: dict[str, str] = {}
    if project is None:
        problems["project"] = "valid project is required"
    type_id = _issue_type(fields.get("issuetype"))
    if type_id is None:
        problems["issuetype"] = "Specify a valid issue type"
    raw_summary = fields.get("summary")
    summary = raw_summary.strip() if isinstance(raw_summary, str) else ""
    if not summary:
        problems["summary"] = "You must specify a summary of the issue."
    if problems or project is None or type_id is None:
        raise SandboxHTTPError(400, "", problems)
    issue = state.add_issue(project, summary, created=state.now())
    issue.type_id, issue.description = type_id, fields.get("description")
    announce_issue(request, state, project, issue, "jira:issue_created")
    return JiraJSON({"id": str(issue.id), "key": issue.key,
                     "self": f"{site_base(request)}/rest/api/3/issue/{issue.id}"},
                    status_code=201)


def _find(state: JiraState, wanted: str) -> tuple[Project, Issue]:
    found = next(((p, i) for p in state.projects.values() for i in p.issues
                  if wanted in (i.key, str(i.id))), None)
    if found is None:
        raise SandboxHTTPError(404, "Issue does not exist or you do not have permission to see "
                                    "it.")
    return found


async def get_issue(request: Request, state: JiraState) -> Response:
    found = _find(state, request.path_params["key"])
    fields = [f for raw in request.query_params.getlist("fields") for f in raw.split(",") if f]
    return JiraJSON(issue_json(*found, fields or ["*all"], site_base(request)))


# One global transition into each status, as a simplified workflow has.
TRANSITIONS = {"11": "To Do", "21": "In Progress", "31": "In Review", "41": "Done"}


async def transitions(request: Request, state: JiraState) -> Response:
    """GET: the transitions open to the issue (into every other status); POST
    ``{"transition": {"id": ...}}`` moves it (204) and tells the webhooks."""
    project, issue = _find(state, request.path_params["key"])
    base = site_base(request)
    if request.method == "GET":
        return JiraJSON({"expand": "transitions", "transitions": [
            {"id": tid, "name": name, "to": status_json(name, base), "hasScreen": False,
             "isGlobal": True, "isInitial": False, "isAvailable": True,
             "isConditional": False, "isLooped": False}
            for tid, name in TRANSITIONS.items() if name != issue.status]})
    body = await read_json(request)
    wanted = body.get("transition") if isinstance(body, dict) else None
    tid = str(wanted.get("id") or "") if isinstance(wanted, dict) else ""
    if TRANSITIONS.get(tid) in (None, issue.status):
        raise SandboxHTTPError(400, f"Transition id '{tid}' is not valid for this issue.")
    issue.status = TRANSITIONS[tid]
    announce_issue(request, state, project, issue, "jira:issue_updated")
    return Response(status_code=204)


__all__ = ["TRANSITIONS", "create_issue", "get_issue", "transitions"]
