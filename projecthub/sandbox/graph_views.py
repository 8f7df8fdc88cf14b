"""Graph v1.0 JSON for the sandbox's state, and Graph's error envelope; checked against the spec.

Links inside bodies (``@odata.context``, ``webUrl``, plan containers) name the real services, as
Graph's do: they are identifiers a client stores, not places the sandbox serves.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_state import (
    Channel,
    ChannelMessage,
    GraphState,
    Group,
    Member,
    Operation,
    Plan,
    Task,
    Team,
    User,
)

GRAPH = "https://graph.microsoft.com/v1.0"
METADATA = f"{GRAPH}/$metadata"
TEAMS_WEB = "https://teams.microsoft.com/l"
DIAGNOSTIC = ('{"ServerInfo":{"DataCenter":"West Europe","Slice":"E","Ring":"5",'
              '"ScaleUnit":"003","RoleInstance":"AM2PEPF0001B4C1"}}')


class GraphJSON(Response):
    """Graph's OData content type; compact JSON."""

    media_type = ("application/json;odata.metadata=minimal;odata.streaming=true;"
                  "IEEE754Compatible=false;charset=utf-8")

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


class GraphError(Exception):
    """Raised by a handler: answered as ``{"error": {code, message, details, innerError}}``."""

    def __init__(self, status: int, code: str, message: str, *,
                 details: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or []
        self.headers = headers or {}


def error_response(error: GraphError, request: Request | None = None) -> Response:
    """The error envelope; its ``innerError`` ids are the reply's ``request-id`` headers."""
    request_id = str(uuid.uuid4())
    client_id = (request.headers.get("client-request-id") if request else None) or request_id
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    body["innerError"] = {"date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                          "request-id": request_id, "client-request-id": client_id}
    return GraphJSON({"error": body}, status_code=error.status,
                     headers={"request-id": request_id, "client-request-id": client_id,
                              **error.headers})


def require_roles(request: Request, accepted: tuple[str, ...], *,
                  directory: bool = False) -> None:
    """403 unless the token carries one of ``accepted``, worded as the directory or Teams does."""
    roles: frozenset[str] = request.state.claims.roles
    if roles.isdisjoint(accepted):
        if directory:
            raise GraphError(403, "Authorization_RequestDenied",
                             "Insufficient privileges to complete the operation.")
        raise GraphError(403, "Forbidden",
                         f"Missing role permissions on the request. API requires one of "
                         f"'{', '.join(accepted)}'. Roles on the request "
                         f"'{', '.join(sorted(roles))}'.")


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure "
                                            "Content-Type header is set and payload is of valid "
                                            "JSON format.")
    return body


def graph_time(moment: datetime | None) -> str | None:
    """Graph's UTC timestamps: ISO 8601 with a ``Z``."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def entity(context: str, body: dict[str, Any]) -> dict[str, Any]:
    """A single entity as a reply body: its ``@odata.context`` first (collection items have
    none; the collection carries it)."""
    return {"@odata.context": f"{METADATA}#{context}", **body}


def user_json(user: User) -> dict[str, Any]:
    """Every property a client may ``$select``; callers trim to Graph's default set."""
    return {"businessPhones": [], "displayName": user.display_name, "givenName": user.given_name,
            "jobTitle": user.job_title, "mail": user.mail, "mobilePhone": None,
            "officeLocation": None, "preferredLanguage": None, "surname": user.surname,
            "userPrincipalName": user.user_principal_name, "id": user.id,
            "accountEnabled": user.account_enabled}


USER_DEFAULT_FIELDS = ("businessPhones", "displayName", "givenName", "jobTitle", "mail",
                       "mobilePhone", "officeLocation", "preferredLanguage", "surname",
                       "userPrincipalName", "id")


def group_json(group: Group) -> dict[str, Any]:
    created = graph_time(group.created)
    return {"id": group.id, "deletedDateTime": None, "classification": None,
            "createdDateTime": created, "creationOptions": ["Team"] if group.is_team else [],
            "description": group.description, "displayName": group.display_name,
            "expirationDateTime": None, "groupTypes": ["Unified"], "isAssignableToRole": None,
            "mail": group.mail, "mailEnabled": True, "mailNickname": group.mail_nickname,
            "membershipRule": None, "membershipRuleProcessingState": None,
            "preferredDataLocation": None, "preferredLanguage": None,
            "proxyAddresses": [f"SMTP:{group.mail}"], "renewedDateTime": created,
            "resourceBehaviorOptions": [],
            "resourceProvisioningOptions": ["Team"] if group.is_team else [],
            "securityEnabled": False, "theme": None, "visibility": group.visibility,
            "onPremisesProvisioningErrors": [], "serviceProvisioningErrors": []}


def team_json(team: Team, group: Group, state: GraphState) -> dict[str, Any]:
    return {"id": team.id,
            "createdDateTime": graph_time(team.created), "displayName": group.display_name,
            "description": group.description, "internalId": team.internal_id,
            "classification": None, "specialization": "none",
            "visibility": group.visibility.lower(), "webUrl": team_url(team, state),
            "isArchived": team.archived, "tenantId": state.directory_id}


def team_url(team: Team, state: GraphState) -> str:
    return (f"{TEAMS_WEB}/team/{_thread(team.internal_id)}/conversations"
            f"?groupId={team.id}&tenantId={state.directory_id}")


def channel_json(channel: Channel, team: Team, state: GraphState) -> dict[str, Any]:
    web = (f"{TEAMS_WEB}/channel/{_thread(channel.id)}/{quote(channel.display_name)}"
           f"?groupId={team.id}&tenantId={state.directory_id}")
    return {"id": channel.id, "createdDateTime": graph_time(channel.created),
            "displayName": channel.display_name, "description": channel.description,
            "isFavoriteByDefault": None, "email": "", "tenantId": state.directory_id,
            "webUrl": web, "membershipType": channel.membership_type, "isArchived": False}


def message_json(message: ChannelMessage, team: Team, channel: Channel) -> dict[str, Any]:
    """A ``chatMessage`` as Graph answers a post: the sender is the application."""
    return {"id": message.id, "replyToId": None, "etag": message.id, "messageType": "message",
            "createdDateTime": graph_time(message.created), "lastModifiedDateTime":
            graph_time(message.created), "lastEditedDateTime": None, "deletedDateTime": None,
            "subject": message.subject, "summary": None, "chatId": None, "importance": "normal",
            "locale": "en-us",
            "webUrl": f"{TEAMS_WEB}/message/{_thread(channel.id)}/{message.id}"
                      f"?groupId={team.id}&parentMessageId={message.id}",
            # Graph sends null for the absent sender kinds; the spec's schema refuses null for
            # them (and for policyViolation, eventDetail), so they are left out.
            "from": {"application": {"@odata.type": "#microsoft.graph.teamworkApplicationIdentity",
                                     "id": message.app_id, "displayName": None,
                                     "applicationIdentityType": "bot"}},
            "body": {"contentType": message.content_type, "content": message.content},
            "channelIdentity": {"teamId": team.id, "channelId": channel.id},
            "attachments": [], "mentions": [], "reactions": [], "messageHistory": []}


def member_json(member: Member, state: GraphState) -> dict[str, Any]:
    user = state.users[member.user_id]
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember", "id": member.id,
            "roles": list(member.roles), "displayName": user.display_name,
            "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z", "userId": user.id,
            "email": user.mail, "tenantId": state.directory_id}


def operation_json(operation: Operation) -> dict[str, Any]:
    """``error`` is left out unless the operation failed (the spec does not allow null)."""
    body: dict[str, Any] = {
        "id": operation.id, "operationType": operation.operation_type,
        "createdDateTime": graph_time(operation.created), "status": operation.status,
        "lastActionDateTime": graph_time(operation.last_action or operation.created),
        "attemptsCount": operation.attempts, "targetResourceId": operation.team_id,
        "targetResourceLocation": f"/teams('{operation.team_id}')"}
    if operation.status == "failed":
        body["error"] = {"code": "InternalServerError",
                         "message": "Team creation failed. Please retry the operation."}
    return body


def plan_json(plan: Plan) -> dict[str, Any]:
    return {"@odata.etag": plan_etag(plan), "createdDateTime": graph_time(plan.created),
            "owner": plan.group_id, "title": plan.title, "id": plan.id,
            "createdBy": {"application": {"id": plan.created_by_app}},
            "container": {"@odata.type": "#microsoft.graph.plannerPlanContainer",
                          "url": f"{GRAPH}/groups/{plan.group_id}",
                          "containerId": plan.group_id, "type": "group"}}


def task_json(task: Task) -> dict[str, Any]:
    return {"@odata.etag": _etag(task.id), "planId": task.plan_id, "bucketId": None,
            "title": task.title, "orderHint": "8585269241124331069", "assigneePriority": "",
            "percentComplete": task.percent_complete, "startDateTime": None,
            "createdDateTime": graph_time(task.created), "dueDateTime": graph_time(task.due),
            "hasDescription": False, "previewType": "automatic",
            "completedDateTime": graph_time(task.completed), "referenceCount": 0,
            "checklistItemCount": 0, "activeChecklistItemCount": 0,
            "conversationThreadId": None, "priority": 5, "id": task.id,
            "appliedCategories": {}, "assignments": {}}


def _thread(thread_id: str) -> str:
    """Teams links escape the colon of thread ids in lower case (``19%3a…%40thread.tacv2``)."""
    return quote(thread_id, safe="").replace("%3A", "%3a")


def _etag(entity_id: str, version: int = 0) -> str:
    return f'W/"{entity_id[:8]}{str(version or "").rjust(26, "A")}="'


def plan_etag(plan: Plan) -> str:
    """A plan's etag changes with every change, as Planner's does."""
    return _etag(plan.id, plan.version)


__all__ = [
    "DIAGNOSTIC",
    "GRAPH",
    "METADATA",
    "USER_DEFAULT_FIELDS",
    "GraphError",
    "GraphJSON",
    "channel_json",
    "entity",
    "error_response",
    "graph_time",
    "group_json",
    "json_body",
    "member_json",
    "message_json",
    "operation_json",
    "plan_etag",
    "plan_json",
    "require_roles",
    "task_json",
    "team_json",
    "team_url",
    "user_json",
]
