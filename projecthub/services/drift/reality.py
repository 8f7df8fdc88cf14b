"""What a tool says about a project resource, read beside its figures by the status sync: the
name, who holds the project's member role, or that the resource is gone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from projecthub.connectors.errors import ConnectorError, NotFound
from projecthub.core.errors import AppError
from projecthub.models import ProjectResource
from projecthub.services.tool_clients import ToolClients

JIRA_MEMBER_ROLES = ("Member", "Developers", "Administrators")


@dataclass(frozen=True)
class Desired:
    """ProjectHub's side for one resource: the name it recorded and the members' emails
    (lower case)."""

    name: str
    emails: frozenset[str]
    archived: bool = False


@dataclass(frozen=True)
class Reality:
    """The tool's side. ``members`` are lower-case emails; ``unreachable`` are desired emails
    without an account in the tool (provisioning reports those, they are not drift)."""

    deleted: bool = False
    name: str = ""
    members: frozenset[str] | None = None  # None: members are not compared for this tool
    unreachable: frozenset[str] = frozenset()
    archived: bool | None = None  # None: the tool has no archived state to compare


Reader = Callable[[ToolClients, ProjectResource, Desired], Awaitable[Reality]]


def jira_member_role(roles: dict[str, int]) -> str | None:
    """The role provisioning puts the team in, so the one drift compares."""
    return next((name for name in JIRA_MEMBER_ROLES if name in roles), None)


async def jira_project(tools: ToolClients, resource: ProjectResource,
                       desired: Desired) -> Reality:
    key = resource.external_key
    async with tools.jira(resource.connection_id) as jira:
        try:
            project = await jira.get_project(key)
        except NotFound:
            return Reality(deleted=True)
        roles = await jira.project_roles(key)
        role = jira_member_role(roles)
        held = (await jira.role_actors(key, roles[role])).actor_account_ids if role else ()
        accounts: dict[str, str] = {}
        unreachable = set()
        for email in sorted(desired.emails):
            found = await jira.find_users_by_email(email)
            if found:
                accounts[found[0].account_id] = email
            else:
                unreachable.add(email)
        members = set()
        for account_id in held:
            if account_id in accounts:
                members.add(accounts[account_id])
                continue
            user = await jira.find_user_by_account_id(account_id)
            if user is not None and user.email_address:
                members.add(user.email_address.lower())
    return Reality(name=project.name, members=frozenset(members),
                   unreachable=frozenset(unreachable))


async def productive_project(tools: ToolClients, resource: ProjectResource,
                             desired: Desired) -> Reality:
    async with tools.productive(resource.connection_id) as prod:
        try:
            project = await prod.get_project(resource.external_id)
        except NotFound:
            return Reality(deleted=True)
        held = {m.person_id async for m in prod.iter_project_memberships(project.id)
                if m.person_id}
        people: dict[str, str] = {}
        unreachable = set()
        for email in sorted(desired.emails):
            found = await prod.find_people_by_email(email)
            if found:
                people[found[0].id] = email
            else:
                unreachable.add(email)
        members = set()
        for person_id in held:
            if person_id in people:
                members.add(people[person_id])
                continue
            person = await prod.get_person(person_id)
            if person.email:
                members.add(person.email.lower())
    return Reality(name=project.name, members=frozenset(members),
                   unreachable=frozenset(unreachable), archived=project.archived_at is not None)


async def confluence_space(tools: ToolClients, resource: ProjectResource,
                           _desired: Desired) -> Reality:
    """The space's name and archived state (space permissions are not compared yet)."""
    async with tools.confluence(resource.connection_id) as wiki:
        try:
            space = await wiki.get_space(resource.external_key)
        except NotFound:
            return Reality(deleted=True)
    return Reality(name=space.name, archived=space.status == "archived")


async def graph_team(tools: ToolClients, resource: ProjectResource,
                     _desired: Desired) -> Reality:
    """The team's display name and archived state (members are not compared yet)."""
    async with tools.graph(resource.connection_id) as graph:
        try:
            team = await graph.get_team(resource.external_id)
        except NotFound:
            return Reality(deleted=True)
    return Reality(name=team.display_name or "", archived=bool(team.is_archived))


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
