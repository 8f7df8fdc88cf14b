"""Teams and Planner in the sandbox: team creation as an async operation, members, channels,
plans and their tasks.

``POST /teams`` answers 202 with no body and a relative ``Location`` naming the operation; the team
exists once the operation has succeeded, ``GraphState.team_creation_polls`` requests later (each
request to the tenant is a tick of time, see ``GraphState.tick``), polled or not.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.graph_odata import collection, filtered, selected
from projecthub.sandbox.graph_state import (
    Channel,
    GraphState,
    Group,
    Operation,
    Team,
    User,
)
from projecthub.sandbox.graph_views import (
    GRAPH,
    METADATA,
    GraphError,
    GraphJSON,
    channel_json,
    entity,
    json_body,
    member_json,
    message_json,
    operation_json,
    plan_json,
    require_roles,
    task_json,
    team_json,
)

# Application permissions that allow each operation (least privileged first).
CREATE_TEAMS = ("Team.Create", "Teamwork.Migrate.All", "Group.ReadWrite.All",
                "Directory.ReadWrite.All")
READ_TEAMS = ("Team.ReadBasic.All", "TeamSettings.Read.All", "Group.Read.All",
              "Group.ReadWrite.All", "Directory.Read.All")
UPDATE_TEAMS = ("TeamSettings.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
ADD_MEMBERS = ("TeamMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All")
CREATE_CHANNELS = ("Channel.Create", "Teamwork.Migrate.All", "Group.ReadWrite.All",
                   "Directory.ReadWrite.All")
SEND_MESSAGES = ("ChannelMessage.Send", "Teamwork.Migrate.All")
READ_MESSAGES = ("ChannelMessage.Read.All",)
WRITE_TASKS = ("Tasks.ReadWrite.All",)
READ_TASKS = ("Tasks.Read.All", "Tasks.ReadWrite.All")
STANDARD_TEMPLATE = re.compile(r"/teamsTemplates\('standard'\)$", re.IGNORECASE)
USER_BIND = re.compile(r"/users\('([^']+)'\)$|/users/([^/]+)$")
MEMBER_TYPE = "#microsoft.graph.aadUserConversationMember"


def team_of(state: GraphState, team_id: str) -> tuple[Team, Group]:
    team = state.teams.get(team_id)
    if team is None:
        raise GraphError(404, "NotFound", f"No team found with Group Id {team_id}")
    return team, state.groups[team.id]


def _bound_user(state: GraphState, bind: object) -> User:
    match = USER_BIND.search(str(bind or ""))
    user = state.user(unquote(match.group(1) or match.group(2))) if match else None
    if user is None:
        raise GraphError(404, "NotFound", f"User not found: '{bind}'.")
    return user


async def create_team(request: Request, state: GraphState) -> Response:
    """``POST /teams``: 202, no body, the new team's operation in a relative ``Location``."""
    require_roles(request, CREATE_TEAMS)
    body = await json_body(request)
    if not STANDARD_TEMPLATE.search(str(body.get("template@odata.bind") or "")):
        raise GraphError(400, "BadRequest", "The template specified is not valid. Use "
                                            "teamsTemplates('standard') or another template.")
    name = str(body.get("displayName") or "").strip()
    if not name:
        raise GraphError(400, "BadRequest", "Team display name must not be empty.")
    visibility = str(body.get("visibility") or "private").lower()
    if visibility not in ("private", "public"):
        raise GraphError(400, "BadRequest", f"Visibility '{visibility}' is not supported.")
    members = body.get("members")
    owners = [_bound_user(state, m.get("user@odata.bind"))
              for m in (members if isinstance(members, list) else [])
              if isinstance(m, dict) and "owner" in (m.get("roles") or [])]
    if not owners:
        raise GraphError(400, "BadRequest", "A team owner must be provided when creating a team "
                                            "with application permissions.")
    return _operation_accepted(
        state, state.start_team(name, body.get("description"), visibility, owners[0]))


ARCHIVE_TEAMS = ("TeamSettings.ReadWrite.All", "Group.ReadWrite.All",
                 "Directory.ReadWrite.All")


async def archive_team(request: Request, state: GraphState) -> Response:
    """``POST /teams/{id}/archive``: 202, no body, the operation in ``Location`` (as for a
    creation). Graph names the action with or without its namespace (``microsoft.graph.``)."""
    require_roles(request, ARCHIVE_TEAMS)
    team, _ = team_of(state, request.path_params["team"])
    await json_body(request)
    return _operation_accepted(state, state.start_archiving(team, archive=True))


async def unarchive_team(request: Request, state: GraphState) -> Response:
    """``POST /teams/{id}/unarchive``: 202 and the operation, as for archiving."""
    require_roles(request, ARCHIVE_TEAMS)
    team, _ = team_of(state, request.path_params["team"])
    return _operation_accepted(state, state.start_archiving(team, archive=False))


def _operation_accepted(state: GraphState, operation: Operation) -> Response:
    """202 with the operation to poll; ``Retry-After`` when the tenant sets a poll pace (Graph's
    long-running operations may send it with the 202 and with each in-progress poll)."""
    team = f"/teams('{operation.team_id}')"
    headers = {"Location": f"{team}/operations('{operation.id}')", "Content-Location": team,
               **_pace(state)}
    return Response(status_code=202, media_type="application/json", headers=headers)


def _pace(state: GraphState) -> dict[str, str]:
    return {} if state.poll_retry_after is None else {"Retry-After": str(state.poll_retry_after)}


async def get_operation(request: Request, state: GraphState) -> Response:
    require_roles(request, CREATE_TEAMS + READ_TEAMS)
    operation = state.operations.get(request.path_params["operation"])
    if operation is None or operation.team_id != request.path_params["team"]:
        raise GraphError(404, "NotFound", "The requested operation was not found.")
    headers = _pace(state) if operation.status == "inProgress" else {}
    return GraphJSON(entity(f"teams('{operation.team_id}')/operations/$entity",
                            operation_json(operation)), headers=headers)


async def get_team(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_TEAMS)
    team, group = team_of(state, request.path_params["team"])
    return GraphJSON(entity("teams/$entity", team_json(team, group, state)))


async def list_teams(request: Request, state: GraphState) -> Response:
    """``GET /teams``: every finished team (a team still being created is not listed yet)."""
    require_roles(request, READ_TEAMS)
    teams = [team_json(t, state.groups[t.id], state) for t in state.teams.values()]
    found = filtered(request, teams, "Team", ("id", "displayName"))
    return GraphJSON(collection(request, [selected(request, t) for t in found],
                                f"{METADATA}#teams", default_size=100,
                                page_size=state.page_size))


async def list_members(request: Request, state: GraphState) -> Response:
    """``GET /teams/{id}/members``: who is in the team, with their email."""
    require_roles(request, READ_TEAMS)
    team, _group = team_of(state, request.path_params["team"])
    members = [member_json(m, state) for m in team.members]
    return GraphJSON(collection(request, members, f"{METADATA}#teams('{team.id}')/members",
                                default_size=100, page_size=state.page_size))


async def add_member(request: Request, state: GraphState) -> Response:
    """Adding a present member updates their roles and answers with the same membership."""
    require_roles(request, ADD_MEMBERS)
    team, _group = team_of(state, request.path_params["team"])
    body = await json_body(request)
    if body.get("@odata.type") != MEMBER_TYPE:
        raise GraphError(400, "BadRequest", f"Member type must be '{MEMBER_TYPE}'.")
    roles = body.get("roles") or []
    if not isinstance(roles, list) or set(roles) - {"owner", "guest"}:
        raise GraphError(400, "BadRequest", "Roles can only be 'owner' or 'guest'.")
    user = _bound_user(state, body.get("user@odata.bind"))
    member = state.add_member(team, user, owner="owner" in roles)
    return GraphJSON(entity(f"teams('{team.id}')/members/$entity",
                            member_json(member, state)), status_code=201)


async def update_team(request: Request, state: GraphState) -> Response:
    """``PATCH /teams/{id}``: the sandbox changes the name and description (the team's group
    holds them); Graph answers 204 without a body."""
    require_roles(request, UPDATE_TEAMS)
    _team_row, group = team_of(state, request.path_params["team"])
    body = await json_body(request)
    if "displayName" in body:
        name = str(body.get("displayName") or "").strip()
        if not name or len(name) > 256:
            raise GraphError(400, "BadRequest", "Display name must be 1 to 256 characters long.")
        group.display_name = name
    if "description" in body:
        group.description = body.get("description") or None
    state.changes.touched(group.id, *(k for k in ("displayName", "description") if k in body))
    return Response(status_code=204)


async def create_channel(request: Request, state: GraphState) -> Response:
    require_roles(request, CREATE_CHANNELS)
    team, _group = team_of(state, request.path_params["team"])
    body = await json_body(request)
    name = str(body.get("displayName") or "").strip()
    if not name or len(name) > 50:
        raise GraphError(400, "BadRequest", "Channel name must be 1 to 50 characters long.")
    if str(body.get("membershipType") or "standard") != "standard":
        raise GraphError(400, "BadRequest", "The sandbox creates standard channels only.")
    if any(c.display_name.casefold() == name.casefold() for c in team.channels):
        raise GraphError(400, "BadRequest", "Channel name already existed, please use other name")
    channel = state.add_channel(team, name, body.get("description"))
    return GraphJSON(entity(f"teams('{team.id}')/channels/$entity",
                            channel_json(channel, team, state)), status_code=201)


def _channel(team: Team, channel_id: str) -> Channel:
    for channel in team.channels:
        if channel.id == channel_id:
            return channel
    raise GraphError(404, "NotFound", f"Channel {channel_id} not found in team {team.id}.")


async def post_message(request: Request, state: GraphState) -> Response:
    """``POST /teams/{id}/channels/{id}/messages``: a ``chatMessage`` with a text or HTML body;
    kept on the channel so tests and the sandbox page can read it."""
    require_roles(request, SEND_MESSAGES)
    team, _group = team_of(state, request.path_params["team"])
    channel = _channel(team, unquote(request.path_params["channel"]))
    body = await json_body(request)
    item = body.get("body")
    if not isinstance(item, dict) or not str(item.get("content") or "").strip():
        raise GraphError(400, "BadRequest", "Message body cannot be empty.")
    content_type = str(item.get("contentType") or "text").lower()
    if content_type not in {"text", "html"}:
        raise GraphError(400, "BadRequest", "Body contentType must be text or html.")
    if len(str(item["content"])) > 28_000:
        raise GraphError(413, "RequestEntityTooLarge", "Message is larger than 28 KB.")
    subject = body.get("subject")
    message = state.add_message(channel, subject=str(subject) if subject else None,
                                content_type=content_type, content=str(item["content"]),
                                app_id=request.state.claims.app_id)
    context = f"teams('{team.id}')/channels('{channel.id}')/messages/$entity"
    return GraphJSON(entity(context, message_json(message, team, channel)), status_code=201)


async def list_messages(request: Request, state: GraphState) -> Response:
    """``GET /teams/{id}/channels/{id}/messages``: what was posted, oldest first."""
    require_roles(request, (*READ_MESSAGES, *SEND_MESSAGES))
    team, _group = team_of(state, request.path_params["team"])
    channel = _channel(team, unquote(request.path_params["channel"]))
    messages = [message_json(m, team, channel) for m in channel.messages]
    context = f"{METADATA}#teams('{team.id}')/channels('{channel.id}')/messages"
    return GraphJSON(collection(request, messages, context, default_size=20,
                                page_size=state.page_size))


async def create_plan(request: Request, state: GraphState) -> Response:
    """``POST /planner/plans`` for a group container (201, as the docs say; see the report)."""
    require_roles(request, WRITE_TASKS)
    body = await json_body(request)
    container = body.get("container")
    if not isinstance(container, dict):
        container = {}
    url = str(container.get("url") or "")
    group_id = (url.removeprefix(f"{GRAPH}/groups/") if url.startswith(f"{GRAPH}/groups/")
                else str(container.get("containerId") or body.get("owner") or ""))
    title = str(body.get("title") or "").strip()
    if not title:
        raise GraphError(400, "BadRequest", "The request is invalid: title must not be empty.")
    group = state.groups.get(group_id)
    if group is None:
        raise GraphError(404, "NotFound", f"The group '{group_id}' was not found.")
    plan = state.add_plan(group, title, app_id=request.state.claims.app_id)
    return GraphJSON(entity("planner/plans/$entity", plan_json(plan)), status_code=201)


async def list_channels(request: Request, state: GraphState) -> Response:
    """``GET /teams/{id}/channels``: how a retried step finds a channel it already made."""
    require_roles(request, READ_TEAMS)
    team, _group = team_of(state, request.path_params["team"])
    channels = [channel_json(c, team, state) for c in team.channels]
    context = f"{METADATA}#teams('{team.id}')/channels"
    return GraphJSON(collection(request, channels, context, default_size=100,
                                page_size=state.page_size))


async def list_group_plans(request: Request, state: GraphState) -> Response:
    """``GET /groups/{id}/planner/plans``: the plans a group owns."""
    require_roles(request, READ_TASKS)
    group_id = request.path_params["group"]
    if group_id not in state.groups:
        raise GraphError(404, "NotFound", f"The group '{group_id}' was not found.")
    plans = [plan_json(p) for p in state.plans.values() if p.group_id == group_id]
    context = f"{METADATA}#groups('{group_id}')/planner/plans"
    return GraphJSON(collection(request, plans, context, default_size=100,
                                page_size=state.page_size))


async def list_tasks(request: Request, state: GraphState) -> Response:
    require_roles(request, READ_TASKS)
    plan_id = request.path_params["plan"]
    if plan_id not in state.plans:
        raise GraphError(404, "NotFound", "The requested item is not found.")
    tasks = [task_json(t) for t in state.tasks.values() if t.plan_id == plan_id]
    context = f"{METADATA}#planner/plans('{plan_id}')/tasks"
    return GraphJSON(collection(request, tasks, context, default_size=100,
                                page_size=state.page_size))


__all__ = [
    "ADD_MEMBERS",
    "MEMBER_TYPE",
    "add_member",
    "archive_team",
    "create_channel",
    "create_plan",
    "create_team",
    "get_operation",
    "get_team",
    "list_channels",
    "list_group_plans",
    "list_messages",
    "list_tasks",
    "post_message",
    "team_of",
    "unarchive_team",
    "update_team",
]
