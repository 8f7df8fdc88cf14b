"""Jira Cloud JSON shapes for the sandbox's state, checked against the v3 and Agile specs by tests.

``base`` is the URL the sandbox is reached at (e.g. ``http://host/sandbox/jira``), so every
``self`` link in a reply leads back into the sandbox, as Jira's lead back into the site.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.responses import Response

from projecthub.sandbox.jira_state import (
    CATEGORY_COLORS,
    CATEGORY_IDS,
    CATEGORY_NAMES,
    ISSUE_TYPES,
    ROLES,
    STATUSES,
    Board,
    Issue,
    JiraState,
    Project,
    Sprint,
    User,
)


class JiraJSON(Response):
    """Jira's content type and compact JSON."""

    media_type = "application/json;charset=UTF-8"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def jira_time(moment: datetime) -> str:
    """Jira's timestamp format: milliseconds and a ``+0000`` style offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")


def avatar_urls(base: str, kind: str, ident: str) -> dict[str, str]:
    return {f"{n}x{n}": f"{base}/secure/{kind}avatar?size={n}&id={ident}"
            for n in (16, 24, 32, 48)}


def user_json(user: User, base: str, *, full: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "self": f"{base}/rest/api/3/user?accountId={user.account_id}",
        "accountId": user.account_id, "accountType": "atlassian",
        "emailAddress": user.email, "avatarUrls": avatar_urls(base, "user", user.account_id),
        "displayName": user.display_name, "active": user.active, "timeZone": user.time_zone,
        "locale": "en_US",
    }
    if full:
        body |= {"groups": {"size": 1, "items": []}, "applicationRoles": {"size": 1, "items": []},
                 "expand": "groups,applicationRoles"}
    return body


def project_json(project: Project, state: JiraState, base: str) -> dict[str, Any]:
    lead = state.user(project.lead_account_id)
    return {
        "expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
        "self": f"{base}/rest/api/3/project/{project.id}", "id": str(project.id),
        "key": project.key, "name": project.name, "description": project.description,
        "lead": user_json(lead, base) if lead else {}, "projectTypeKey": project.type_key,
        "avatarUrls": avatar_urls(base, "project", str(project.id)), "simplified": False,
        "style": "classic", "isPrivate": False, "properties": {}, "archived": project.archived,
    }


def role_json(project: Project, role_id: int, state: JiraState, base: str) -> dict[str, Any]:
    actors = []
    for n, account_id in enumerate(project.roles[role_id]):
        user = state.user(account_id)
        actors.append({
            "id": 10000 + n, "displayName": user.display_name if user else account_id,
            "type": "atlassian-user-role-actor", "actorUser": {"accountId": account_id},
        })
    return {"self": f"{base}/rest/api/3/project/{project.id}/role/{role_id}",
            "name": ROLES[role_id], "id": role_id,
            "description": f"Project {ROLES[role_id].lower()}", "actors": actors}


def issue_json(project: Project, issue: Issue, fields: list[str], base: str) -> dict[str, Any]:
    """Only ``id`` unless fields are asked for, as ``/search/jql`` does by default."""
    wanted = {f for f in fields if f != "id"}
    if not wanted:
        return {"id": str(issue.id)}
    everything = "*all" in wanted or "*navigable" in wanted
    values: dict[str, Any] = {
        "summary": issue.summary, "status": status_json(issue.status, base),
        "created": jira_time(issue.created), "updated": jira_time(issue.updated or issue.created),
        "duedate": issue.due.isoformat() if issue.due else None,
        "issuetype": issue_type_json(issue.type_id, base), "description": issue.description,
        "project": {"self": f"{base}/rest/api/3/project/{project.id}", "id": str(project.id),
                    "key": project.key, "name": project.name},
    }
    return {"expand": "", "id": str(issue.id), "self": f"{base}/rest/api/3/issue/{issue.id}",
            "key": issue.key,
            "fields": {k: v for k, v in values.items() if everything or k in wanted}}


def issue_type_json(type_id: str, base: str) -> dict[str, Any]:
    return {"self": f"{base}/rest/api/3/issuetype/{type_id}", "id": type_id,
            "name": ISSUE_TYPES[type_id], "description": "", "subtask": False,
            "hierarchyLevel": 0, "iconUrl": f"{base}/images/icons/issuetypes/task.svg"}


def status_json(name: str, base: str) -> dict[str, Any]:
    status_id, category = STATUSES[name]
    return {
        "self": f"{base}/rest/api/3/status/{status_id}", "description": "",
        "iconUrl": f"{base}/images/icons/statuses/generic.png", "name": name, "id": status_id,
        "statusCategory": {
            "self": f"{base}/rest/api/3/statuscategory/{CATEGORY_IDS[category]}",
            "id": CATEGORY_IDS[category], "key": category,
            "colorName": CATEGORY_COLORS[category], "name": CATEGORY_NAMES[category],
        },
    }


def board_json(board: Board, project: Project, base: str) -> dict[str, Any]:
    return {
        "id": board.id, "self": f"{base}/rest/agile/1.0/board/{board.id}", "name": board.name,
        "type": board.type,
        "location": {"projectId": project.id, "displayName": f"{project.name} ({project.key})",
                     "projectName": project.name, "projectKey": project.key,
                     "projectTypeKey": project.type_key, "name": f"{project.name} ({project.key})",
                     "avatarURI": f"{base}/secure/projectavatar?size=small&id={project.id}"},
    }


def sprint_json(sprint: Sprint, base: str) -> dict[str, Any]:
    body: dict[str, Any] = {"id": sprint.id, "self": f"{base}/rest/agile/1.0/sprint/{sprint.id}",
                            "state": sprint.state, "name": sprint.name}
    for name, moment in (("startDate", sprint.start), ("endDate", sprint.end),
                         ("completeDate", sprint.complete)):
        if moment is not None:
            body[name] = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    body["originBoardId"] = sprint.board_id
    if sprint.goal:
        body["goal"] = sprint.goal
    return body


def page_json(values: list[Any], start: int, size: int, total: int,
              with_total: bool = True) -> dict[str, Any]:
    """Jira's offset page envelope."""
    body: dict[str, Any] = {"maxResults": size, "startAt": start}
    if with_total:
        body["total"] = total
    body |= {"isLast": start + len(values) >= total, "values": values}
    return body
