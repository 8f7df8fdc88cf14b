"""What a tool says about a project resource, read beside its figures by the status sync: the
name, the archived state, who holds it (Jira's member role, Productive's project members,
Confluence's space grants, Teams' members and owners), or that the resource is gone. Every
reader has the same shape: read the resource, list its holders by account, let
``people.holders`` turn them into emails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from projecthub.connectors.errors import ConnectorError, NotFound
from projecthub.core.errors import AppError
from projecthub.models import ProjectResource
from projecthub.services.drift.people import (
    MEMBER,
    OWNER,
    Directory,
    confluence_directory,
    graph_directory,
    holders,
    jira_directory,
    productive_directory,
)
from projecthub.services.tool_clients import ToolClients

JIRA_MEMBER_ROLES = ("Member", "Developers", "Administrators")
# The space grants that make someone a member of it: reading it, or administering it.
SPACE_ACCESS = frozenset({("read", "space"), ("administer", "space")})


@dataclass(frozen=True)
class Desired:
    """ProjectHub's side for one resource: the name it recorded, the members' emails (lower
    case) and those whose project role owns what the tool can own (the manager and leads)."""

    name: str
    emails: frozenset[str]
    archived: bool = False
    owners: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Reality:
    """The tool's side. ``members`` are lower-case emails; ``unreachable`` are desired emails
    without an account in the tool (provisioning reports those, they are not drift)."""

    deleted: bool = False
    name: str = ""
    members: frozenset[str] | None = None  # None: members are not compared for this tool
    unreachable: frozenset[str] = frozenset()
    archived: bool | None = None  # None: the tool has no archived state to compare
    owners: frozenset[str] | None = None  # None: the tool has no owners to compare (not Teams)


Reader = Callable[[ToolClients, ProjectResource, Desired], Awaitable[Reality]]
GONE = Reality(deleted=True)


def jira_member_role(roles: dict[str, int]) -> str | None:
    """The role provisioning puts the team in, so the one drift compares."""
    return next((name for name in JIRA_MEMBER_ROLES if name in roles), None)


async def _reality(directory: Directory, desired: Desired, held: Mapping[str, str], *,
                   name: str, archived: bool | None, owners: bool = False) -> Reality:
    found = await holders(directory, desired.emails, held)
    return Reality(name=name, members=frozenset(found.roles), unreachable=found.unreachable,
                   archived=archived,
                   owners=frozenset(e for e, r in found.roles.items() if r == OWNER)
                   if owners else None)


async def jira_project(tools: ToolClients, resource: ProjectResource,
                       desired: Desired) -> Reality:
    key = resource.external_key
    async with tools.jira(resource.connection_id) as jira:
        try:
            project = await jira.get_project(key)
        except NotFound:
            return GONE
        roles = await jira.project_roles(key)
        role = jira_member_role(roles)
        held = (await jira.role_actors(key, roles[role])).actor_account_ids if role else ()
        return await _reality(jira_directory(jira), desired, dict.fromkeys(held, MEMBER),
                              name=project.name, archived=None)


async def productive_project(tools: ToolClients, resource: ProjectResource,
                             desired: Desired) -> Reality:
    async with tools.productive(resource.connection_id) as prod:
        try:
            project = await prod.get_project(resource.external_id)
        except NotFound:
            return GONE
        held = {m.person_id: MEMBER async for m in prod.iter_project_memberships(project.id)
                if m.person_id}
        return await _reality(productive_directory(prod), desired, held, name=project.name,
                              archived=project.archived_at is not None)


async def confluence_space(tools: ToolClients, resource: ProjectResource,
                           desired: Desired) -> Reality:
    """Members are the people with a read or admin grant on the space; the account
    ProjectHub connects as (it created the space, so it administers it) counts only when it
    is a project member's."""
    async with tools.confluence(resource.connection_id) as wiki:
        try:
            space = await wiki.get_space(resource.external_key)
        except NotFound:
            return GONE
        held = {p.principal_id: MEMBER async for p in wiki.iter_space_permissions(space.id)
                if p.principal_type == "user" and (p.operation, p.target) in SPACE_ACCESS}
        directory = confluence_directory(wiki)
        me = await wiki.current_user()
        if me.account_id in held and (me.email or "").lower() not in desired.emails:
            del held[me.account_id]
        return await _reality(directory, desired, held, name=space.name,
                              archived=space.status == "archived")


async def graph_team(tools: ToolClients, resource: ProjectResource,
                     desired: Desired) -> Reality:
    """Members and owners of the team (Teams tells them apart; leads and the manager own)."""
    async with tools.graph(resource.connection_id) as graph:
        try:
            team = await graph.get_team(resource.external_id)
        except NotFound:
            return GONE
        members = [m async for m in graph.iter_team_members(team.id) if m.user_id]
        held = {m.user_id: OWNER if "owner" in m.roles else MEMBER
                for m in members if m.user_id}
        known = {m.user_id: m.email for m in members if m.user_id}
        return await _reality(graph_directory(graph, known), desired, held,
                              name=team.display_name or "", archived=bool(team.is_archived),
                              owners=True)


READERS: dict[tuple[str, str], Reader] = {
    ("confluence", "space"): confluence_space,
    ("graph", "team"): graph_team,
    ("jira", "project"): jira_project,
    ("productive", "project"): productive_project,
}


async def read_reality(tools: ToolClients, resource: ProjectResource,
                       desired: Desired) -> Reality | None:
    """The tool's side, or None when it could not be read (drift is then left as it was)."""
    reader = READERS.get((resource.tool, resource.kind))
    if reader is None:
        return None
    try:
        return await reader(tools, resource, desired)
    except (ConnectorError, AppError):
        return None
