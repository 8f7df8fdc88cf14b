"""What an organization already has in its tools, listed from every connection page by page:
Jira projects, Confluence spaces, Productive projects and Teams, each with the emails of the
people the tool says belong to it (Jira's lead, Productive's project manager, a team's members).

Listing calls the tools, so it holds no transaction: the connections are read first and
``mark_linked`` reads what is already linked afterwards. A connection that fails is reported and
the others are still listed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

from sqlmodel import Session, col, select

from projecthub.connectors.errors import ConnectorError
from projecthub.core.errors import AppError
from projecthub.models import Project, ProjectResource, Role, Tool, ToolConnection
from projecthub.services.connection_checks import explain_failure, is_vendor_connection
from projecthub.services.principal import Principal, require_role
from projecthub.services.provisioning.actions.confluence import wiki_url
from projecthub.services.provisioning.actions.jira import browse_url
from projecthub.services.provisioning.actions.productive import project_url
from projecthub.services.scoping import scoped_select, tenant_filter
from projecthub.services.tool_clients import ToolClients
from projecthub.services.views import View

# The kind a linked resource gets per tool: the one the status sync fetches summaries for.
RESOURCE_KINDS = {Tool.JIRA: "project", Tool.CONFLUENCE: "space", Tool.PRODUCTIVE: "project",
                  Tool.GRAPH: "team"}
TOOL_ORDER = (Tool.JIRA, Tool.CONFLUENCE, Tool.PRODUCTIVE, Tool.GRAPH)


class ConnectionRef(View):
    id: uuid.UUID
    tool: Tool
    name: str
    # Whether a failure may quote the tool's reply (a host that is not the vendor's never is).
    shows_reply: bool = False


class Candidate(View):
    """One existing thing in a tool that a ProjectHub project could be linked to."""

    tool: Tool
    connection_id: uuid.UUID
    connection_name: str
    external_id: str
    key: str
    name: str
    url: str
    member_emails: tuple[str, ...] = ()
    linked_to: str = ""  # the key of the ProjectHub project that already has it

    @property
    def ref(self) -> tuple[str, str, str]:
        return str(self.tool), str(self.connection_id), self.external_id


class ListingProblem(View):
    connection_name: str
    tool: Tool
    message: str


class Listing(View):
    candidates: tuple[Candidate, ...]
    problems: tuple[ListingProblem, ...]


def import_connections(session: Session, principal: Principal) -> list[ConnectionRef]:
    """The organization's connections to list from; importing is for owners and admins."""
    require_role(principal, Role.ADMIN)
    rows = session.exec(scoped_select(principal, ToolConnection).order_by(
        col(ToolConnection.tool), col(ToolConnection.name))).all()
    return [ConnectionRef(id=r.id, tool=Tool(r.tool), name=r.name,
                          shows_reply=is_vendor_connection(r)) for r in rows]


async def _jira(tools: ToolClients, conn: ConnectionRef) -> list[Candidate]:
    site = tools.credentials(conn.id, Tool.JIRA).base_url
    async with tools.jira(conn.id) as jira:
        return [_candidate(conn, p.id, p.key, p.name, browse_url(site, p.key),
                           (p.lead_email,) if p.lead_email else ())
                async for p in jira.iter_projects()]


async def _confluence(tools: ToolClients, conn: ConnectionRef) -> list[Candidate]:
    site = tools.credentials(conn.id, Tool.CONFLUENCE).base_url
    async with tools.confluence(conn.id) as wiki:
        return [_candidate(conn, s.id, s.key, s.name, wiki_url(site, s.web_path))
                async for s in wiki.iter_spaces() if s.type != "personal"]


async def _productive(tools: ToolClients, conn: ConnectionRef) -> list[Candidate]:
    creds = tools.credentials(conn.id, Tool.PRODUCTIVE)
    async with tools.productive(conn.id) as prod:
        projects = [p async for p in prod.iter_projects() if not p.archived]
        managers = {m for p in projects if (m := p.project_manager_id)}
        people = await asyncio.gather(*(prod.get_person(m) for m in sorted(managers)))
    emails = {p.id: p.email for p in people if p.email}
    return [_candidate(conn, p.id, p.project_number or "", p.name, project_url(creds, p.id),
                       (emails[p.project_manager_id],)
                       if p.project_manager_id in emails else ())
            for p in projects]


async def _graph(tools: ToolClients, conn: ConnectionRef) -> list[Candidate]:
    async with tools.graph(conn.id) as graph:
        teams = [t async for t in graph.iter_teams() if not t.is_archived]

        async def emails(team_id: str) -> tuple[str, ...]:
            return tuple([m.email async for m in graph.iter_team_members(team_id) if m.email])

        members = await asyncio.gather(*(emails(t.id) for t in teams))
    return [_candidate(conn, t.id, "", t.display_name or t.id, t.web_url or "", people)
            for t, people in zip(teams, members, strict=True)]


LISTERS: dict[Tool, Callable[[ToolClients, ConnectionRef], Awaitable[list[Candidate]]]] = {
    Tool.JIRA: _jira, Tool.CONFLUENCE: _confluence, Tool.PRODUCTIVE: _productive,
    Tool.GRAPH: _graph}


def _candidate(conn: ConnectionRef, external_id: str, key: str, name: str, url: str,
               emails: tuple[str, ...] = ()) -> Candidate:
    return Candidate(tool=conn.tool, connection_id=conn.id, connection_name=conn.name,
                     external_id=str(external_id), key=key, name=name, url=url,
                     member_emails=tuple(dict.fromkeys(e.casefold() for e in emails)))


async def list_candidates(tools: ToolClients, connections: list[ConnectionRef]) -> Listing:
    """Every connection listed at once; a failing one becomes a problem, not an error."""
    async def one(conn: ConnectionRef) -> list[Candidate] | ListingProblem:
        try:
            return await LISTERS[conn.tool](tools, conn)
        except ConnectorError as exc:
            return ListingProblem(connection_name=conn.name, tool=conn.tool,
                                  message=explain_failure(exc, shows_reply=conn.shows_reply))
        except AppError as exc:
            return ListingProblem(connection_name=conn.name, tool=conn.tool, message=exc.message)

    results = await asyncio.gather(*(one(c) for c in connections))
    return Listing(
        candidates=tuple(c for r in results if isinstance(r, list) for c in r),
        problems=tuple(r for r in results if isinstance(r, ListingProblem)))


def linked_refs(session: Session, principal: Principal) -> dict[tuple[str, str, str], str]:
    """(tool, connection id, external id) of every linked resource → its project's key."""
    rows = session.exec(
        select(ProjectResource.tool, ProjectResource.connection_id, ProjectResource.external_id,
               Project.key)
        .join(Project, col(Project.id) == col(ProjectResource.project_id))
        .where(tenant_filter(principal, ProjectResource))).all()
    return {(str(t), str(c), str(e)): str(k) for t, c, e, k in rows}


def project_keys(session: Session, principal: Principal) -> set[str]:
    """The keys the organization's projects already use (suggestions avoid them)."""
    return set(session.exec(select(Project.key).where(tenant_filter(principal, Project))).all())


def mark_linked(session: Session, principal: Principal, listing: Listing) -> Listing:
    """The listing with each candidate that a project already has marked with that project."""
    linked = linked_refs(session, principal)
    return Listing(candidates=tuple(c.model_copy(update={"linked_to": linked.get(c.ref, "")})
                                    for c in listing.candidates),
                   problems=listing.problems)
