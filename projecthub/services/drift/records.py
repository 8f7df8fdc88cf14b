"""Keeping drift records from the status sync: a difference seen again keeps its ``since``, a
new one starts now, one no longer seen goes; ``projects.drift_count`` follows in the same
transaction. These work by project without a principal: only the status sync (which reads
every organization's projects by id) calls them, hence ``system_``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.models import (
    DriftField,
    Lifecycle,
    Project,
    ProjectDrift,
    ProjectMember,
    ProjectResource,
    Tool,
    User,
)
from projecthub.services.connection_specs import TOOL_SPECS
from projecthub.services.drift.compare import Difference
from projecthub.services.drift.reality import Desired
from projecthub.services.notifications import events as notifications
from projecthub.services.provisioning.edit_steps import OWNER_ROLES


def system_member_roles(session: Session, project_id: uuid.UUID) -> dict[str, str]:
    """The project's members by lower-case email, with their project role."""
    rows = session.exec(select(User.email, ProjectMember.role).join(
        ProjectMember, col(ProjectMember.user_id) == col(User.id)).where(
        ProjectMember.project_id == project_id)).all()
    return {email.lower(): role for email, role in rows}


def system_desired(session: Session, project: Project,
                   resources: list[ProjectResource]) -> dict[uuid.UUID, Desired]:
    """ProjectHub's side of every resource: its recorded name, the project's members (and who
    of them owns: the manager and leads) and whether the project is archived."""
    roles = system_member_roles(session, project.id)
    emails = frozenset(roles)
    owners = frozenset(e for e, r in roles.items() if r in OWNER_ROLES)
    archived = project.lifecycle == Lifecycle.ARCHIVED
    return {r.id: Desired(name=r.name, emails=emails, archived=archived, owners=owners)
            for r in resources}


def system_record(session: Session, project: Project, resource: ProjectResource,
                  found: list[Difference], now: datetime) -> list[ProjectDrift]:
    """Replace the resource's drift with ``found``, keeping the age of lasting differences;
    returns the differences seen for the first time (the news)."""
    existing = {(d.field, d.subject): d for d in session.exec(select(ProjectDrift).where(
        ProjectDrift.resource_id == resource.id)).all()}
    new = []
    for diff in found:
        row = existing.pop((diff.field, diff.subject), None)
        if row is None:
            row = ProjectDrift(organization_id=project.organization_id, project_id=project.id,
                               resource_id=resource.id, tool=resource.tool, field=diff.field,
                               subject=diff.subject, since=now)
            new.append(row)
        row.desired, row.actual, row.seen_at = diff.desired[:300], diff.actual[:300], now
        session.add(row)
    for gone in existing.values():
        session.delete(gone)
    return new


def system_announce(session: Session, project: Project, new: list[ProjectDrift],
                    now: datetime) -> None:
    """Tell the project's people once when differences appear (not again on every sync that
    still sees them)."""
    if new:
        notifications.drift_detected(session, project, "\n".join(
            f"- {TOOL_SPECS[Tool(d.tool)].label}: {describe(d)}" for d in new), now)


def describe(drift: ProjectDrift) -> str:
    """One line a person understands: what the tool has instead of what ProjectHub expects."""
    if drift.field == DriftField.DELETED:
        return f"'{drift.desired}' was deleted in the tool"
    if drift.field == DriftField.MEMBER and drift.desired and drift.actual:
        return (f"{drift.subject} was made {'an' if drift.actual == 'owner' else 'a'} "
                f"{drift.actual} behind ProjectHub's back (expected {drift.desired})")
    if drift.field == DriftField.MEMBER:
        return (f"{drift.subject} was removed" if drift.desired
                else f"{drift.subject} was added") + " behind ProjectHub's back"
    if drift.field == DriftField.NAME:
        return f"renamed to '{drift.actual}' (expected '{drift.desired}')"
    return f"{drift.actual} (expected {drift.desired})"


def system_recount(session: Session, project: Project) -> None:
    """Set ``projects.drift_count`` from the records (after a sync or a resolution)."""
    session.flush()
    count = session.exec(select(func.count()).select_from(ProjectDrift).where(
        ProjectDrift.project_id == project.id)).one()
    if project.drift_count != count:
        project.drift_count = int(count)
        session.add(project)
