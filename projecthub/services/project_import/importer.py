"""Creating ProjectHub projects linked to what the tools already have, a chunk at a time.

Each proposal becomes an active project whose resources are recorded as provisioning records
linked ones (``origin="linked"``, the kind the status sync fetches), so the sync picks it up
like any other. Tool members become project members where an active member of the
organization has the same email; the others are reported. A proposal that cannot be imported
(key taken or malformed, a resource already linked, a connection not the organization's) is
listed with the reason and the rest of the chunk goes ahead. Nothing here commits: the job
(``job.py``) commits chunk by chunk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel import Session, col, func, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import NotFound
from projecthub.models import (
    Lifecycle,
    Membership,
    Project,
    ProjectMember,
    ProjectResource,
    Role,
    Tool,
    ToolConnection,
    User,
)
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role
from projecthub.services.project_import.candidates import (
    RESOURCE_KINDS,
    linked_refs,
    project_keys,
)
from projecthub.services.project_import.matching import KEY, Proposal
from projecthub.services.scoping import scoped_select, tenant_filter
from projecthub.services.views import View


class ImportFailure(View):
    key: str
    name: str
    reason: str


class ChunkResult(View):
    created: tuple[uuid.UUID, ...] = ()
    failures: tuple[ImportFailure, ...] = ()
    # Tool members with no active member of the organization under that email.
    unmatched_emails: tuple[str, ...] = ()


def _problem(proposal: Proposal, keys: set[str], linked: dict[tuple[str, str, str], str],
             connections: dict[uuid.UUID, Tool]) -> str:
    if not KEY.match(proposal.key):
        return "The key must be 2 to 10 capital letters or digits, starting with a letter."
    if not proposal.name.strip() or len(proposal.name) > 200:
        return "The name must be 1 to 200 characters."
    if proposal.key in keys:
        return f"This organization already has a project with the key {proposal.key}."
    if not proposal.resources or len(set(proposal.tools)) != len(proposal.resources):
        return "A project links one resource per tool, and at least one."
    for resource in proposal.resources:
        if connections.get(resource.connection_id) != resource.tool:
            return f"The {resource.tool.value} connection was not found."
        if resource.ref in linked:
            return (f"{resource.name} is already linked to the project "
                    f"{linked[resource.ref]}.")
    return ""


def check_connections(session: Session, principal: Principal,
                      proposals: Sequence[Proposal]) -> None:
    """A request naming a connection of another organization (or none) is not found, as a
    foreign id anywhere is; owners and admins only."""
    require_role(principal, Role.ADMIN)
    wanted = {r.connection_id for p in proposals for r in p.resources}
    if not wanted:
        return
    found = set(session.exec(select(ToolConnection.id).where(
        tenant_filter(principal, ToolConnection), col(ToolConnection.id).in_(wanted))).all())
    if wanted - found:
        raise NotFound("Connection not found.")


def _members_by_email(session: Session, principal: Principal) -> dict[str, uuid.UUID]:
    rows = session.exec(select(func.lower(User.email), User.id).join(
        Membership, col(Membership.user_id) == col(User.id)).where(
        Membership.organization_id == principal.org_id,
        Membership.is_active == True)).all()  # noqa: E712
    return {str(email): user_id for email, user_id in rows}


def import_chunk(session: Session, principal: Principal,
                 proposals: Sequence[Proposal]) -> ChunkResult:
    """Insert the chunk's projects, members and resources in one flush (owners and admins)."""
    require_role(principal, Role.ADMIN)
    keys = project_keys(session, principal)
    linked = linked_refs(session, principal)
    connections = {c.id: Tool(c.tool) for c in session.exec(
        scoped_select(principal, ToolConnection)).all()}
    people = _members_by_email(session, principal)
    failures: list[ImportFailure] = []
    created: list[uuid.UUID] = []
    unmatched: dict[str, None] = {}
    rows: list[Project | ProjectMember | ProjectResource] = []
    now = utcnow()
    for proposal in proposals:
        problem = _problem(proposal, keys, linked, connections)
        if problem:
            failures.append(ImportFailure(key=proposal.key, name=proposal.name, reason=problem))
            continue
        project = Project(organization_id=principal.org_id, name=proposal.name.strip(),
                          key=proposal.key, lifecycle=Lifecycle.ACTIVE,
                          owner_id=principal.user_id, answers={"imported": True},
                          updated_at=now)
        keys.add(project.key)
        created.append(project.id)
        rows.append(project)
        for email in proposal.member_emails:
            if email in people:
                rows.append(ProjectMember(organization_id=principal.org_id,
                                          project_id=project.id, user_id=people[email]))
            else:
                unmatched[email] = None
        for resource in proposal.resources:
            linked[resource.ref] = project.key
            rows.append(ProjectResource(
                organization_id=principal.org_id, project_id=project.id,
                connection_id=resource.connection_id, tool=resource.tool.value,
                kind=RESOURCE_KINDS[resource.tool], external_id=resource.external_id,
                external_key=resource.key or resource.external_id, name=resource.name[:300],
                url=resource.url[:1000], origin="linked"))
    session.add_all(rows)
    if created:
        audit.record(session, principal, "projects.imported", target_type="project",
                     detail={"count": len(created),
                             "keys": [p.key for p in rows if isinstance(p, Project)]})
    session.flush()
    return ChunkResult(created=tuple(created), failures=tuple(failures),
                       unmatched_emails=tuple(unmatched))
