"""Seeing and settling drift: list a project's differences, make the tool match ProjectHub (a
run through the provisioning runner, one ledger step per fix) or accept the tool's value
(ProjectHub changes, audited). Settling needs an organization admin or the project's owner."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, NotFound, PermissionDenied
from projecthub.models import (
    DriftField,
    Lifecycle,
    Membership,
    Project,
    ProjectDrift,
    ProjectMember,
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunStatus,
    User,
)
from projecthub.services import audit, dispatch
from projecthub.services.drift.compare import ARCHIVED
from projecthub.services.drift.people import OWNER
from projecthub.services.drift.records import system_recount
from projecthub.services.principal import Principal
from projecthub.services.projects import get_project
from projecthub.services.provisioning.edit_steps import LEAD, MEMBER, OWNER_ROLES, TOOLS
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.views import View

# (tool, what differs, ProjectHub has the person) → the step that makes the tool match; a
# person's place in the tool is the edit's own step (graph.set_member makes an owner or member).
FIX_ACTIONS: dict[tuple[str, DriftField, bool], str] = {
    ("jira", DriftField.NAME, True): "jira.rename_project",
    **{(tool, DriftField.MEMBER, True): spec.add
       for (tool, _), spec in TOOLS.items() if spec.add is not None},
    **{(tool, DriftField.MEMBER, False): spec.remove
       for (tool, _), spec in TOOLS.items() if spec.remove is not None},
}


class DriftView(View):
    id: uuid.UUID
    project_id: uuid.UUID
    resource_id: uuid.UUID
    tool: str
    resource_name: str
    field: DriftField
    subject: str
    desired: str
    actual: str
    since: datetime
    seen_at: datetime
    run_id: uuid.UUID | None
    run_status: RunStatus | None
    can_make_match: bool


def _fix_action(drift: ProjectDrift) -> str | None:
    return FIX_ACTIONS.get((drift.tool, DriftField(drift.field), bool(drift.desired)))


def list_drift(session: Session, principal: Principal,
               project_id: uuid.UUID) -> list[DriftView]:
    """The project's open differences, oldest first; whoever sees the project sees them."""
    project = get_project(session, principal, project_id)
    rows = session.exec(
        scoped_select(principal, ProjectDrift).where(ProjectDrift.project_id == project.id)
        .order_by(col(ProjectDrift.since), col(ProjectDrift.field),
                  col(ProjectDrift.subject))).all()
    resources = {r.id: r for r in session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id)).all()}
    runs = {r.id: RunStatus(r.status) for r in session.exec(
        scoped_select(principal, ProvisioningRun).where(
            col(ProvisioningRun.id).in_([d.run_id for d in rows if d.run_id]))).all()}
    return [DriftView(
        id=d.id, project_id=d.project_id, resource_id=d.resource_id, tool=d.tool,
        resource_name=resources[d.resource_id].name if d.resource_id in resources else "",
        field=DriftField(d.field), subject=d.subject, desired=d.desired, actual=d.actual,
        since=d.since, seen_at=d.seen_at, run_id=d.run_id,
        run_status=runs.get(d.run_id) if d.run_id else None,
        can_make_match=_fix_action(d) is not None) for d in rows]


def _settle(session: Session, principal: Principal, drift_id: uuid.UUID,
            project_id: uuid.UUID | None) -> tuple[ProjectDrift, Project, ProjectResource]:
    drift = get_scoped(session, principal, ProjectDrift, drift_id, label="Drift")
    if project_id is not None and drift.project_id != project_id:
        raise NotFound("Drift not found.")
    project = get_project(session, principal, drift.project_id)
    if not (principal.has_role(Role.ADMIN) or project.owner_id == principal.user_id):
        raise PermissionDenied("Only the project's owner or an organization admin can do this.")
    resource = get_scoped(session, principal, ProjectResource, drift.resource_id,
                          label="Resource")
    return drift, project, resource


def make_it_match(session: Session, principal: Principal, drift_id: uuid.UUID, *,
                  project_id: uuid.UUID | None = None) -> ProvisioningRun:
    """Start a run with one step that writes ProjectHub's value to the tool; the provisioning
    worker drives it, and the next sync confirms (and clears) the drift."""
    drift, project, resource = _settle(session, principal, drift_id, project_id)
    action = _fix_action(drift)
    if action is None:
        raise Conflict("ProjectHub cannot put this right in the tool; accept the tool's value "
                       "instead.")
    if drift.run_id is not None:
        running = session.get(ProvisioningRun, drift.run_id)
        if running is not None and running.status in (RunStatus.PENDING, RunStatus.RUNNING):
            raise Conflict("A run is already putting this right.")
    spec = TOOLS.get((resource.tool, resource.kind))
    inputs: dict[str, object] = {"key": resource.external_key,
                                 "external_id": resource.external_id,
                                 **(spec.names(resource) if spec else {})}
    if drift.field == DriftField.NAME:
        inputs["name"] = drift.desired
    else:
        inputs["email"] = drift.subject
        if spec is not None and spec.owners:
            inputs["owner"] = drift.desired == OWNER
    run = ProvisioningRun(organization_id=principal.org_id, project_id=project.id,
                          created_by_id=principal.user_id)
    session.add(run)
    session.flush()  # no ORM relationship orders the inserts: the run must exist first
    key = f"drift:{drift.tool}:{drift.field}:{drift.subject}"[:120]
    digest = hashlib.sha256(f"{principal.org_id}|{project.id}|{run.id}|{key}".encode())
    session.add(ProvisioningStep(
        organization_id=principal.org_id, run_id=run.id, key=key, action=action,
        tool=drift.tool, title=_title(drift), connection_id=resource.connection_id,
        inputs=inputs, depends_on=[], idempotency_key=digest.hexdigest()[:32]))
    drift.run_id = run.id
    session.add(drift)
    audit.record(session, principal, "drift.make_match", target_type="project",
                 target_id=project.id, detail=_detail(drift, run_id=str(run.id)))
    dispatch.drive_after_commit(session, run.id)
    return run


def _title(drift: ProjectDrift) -> str:
    if drift.field == DriftField.NAME:
        return f"Rename the {drift.tool} resource to “{drift.desired}”"
    if drift.desired and drift.actual:
        article = "an" if drift.desired == OWNER else "a"
        return f"Make {drift.subject} {article} {drift.desired} in {drift.tool}"
    verb = "Add" if drift.desired else "Remove"
    return f"{verb} {drift.subject} {'to' if drift.desired else 'from'} {drift.tool}"


def _detail(drift: ProjectDrift, **extra: str) -> dict[str, str]:
    return {"tool": drift.tool, "field": str(drift.field), "subject": drift.subject,
            "projecthub": drift.desired, "tool_value": drift.actual, **extra}


def accept_tool_value(session: Session, principal: Principal, drift_id: uuid.UUID, *,
                      project_id: uuid.UUID | None = None) -> None:
    """Make ProjectHub say what the tool says: the name, a member in or out, or the resource
    unlinked when it was deleted in the tool."""
    drift, project, resource = _settle(session, principal, drift_id, project_id)
    detail = _detail(drift)
    if drift.field == DriftField.NAME:
        if project.name == resource.name:
            project.name = drift.actual
            project.answers = {**project.answers, "name": drift.actual}
        resource.name = drift.actual
        session.add(resource)
    elif drift.field == DriftField.MEMBER:
        _accept_member(session, principal, project, drift)
    elif drift.field == DriftField.ARCHIVED:
        project.lifecycle = (Lifecycle.ARCHIVED if drift.actual == ARCHIVED
                             else Lifecycle.ACTIVE)
    else:
        session.delete(resource)
    project.updated_at = utcnow()
    session.add(project)
    if drift.field != DriftField.DELETED:
        session.delete(drift)
    audit.record(session, principal, "drift.accepted", target_type="project",
                 target_id=project.id, detail=detail)
    system_recount(session, project)


def _accept_member(session: Session, principal: Principal, project: Project,
                   drift: ProjectDrift) -> None:
    """The tool's member joins the project (a team owner as a lead), leaves it, or takes the
    role the tool gives them; the manager stays on the project and owns its team."""
    user = session.exec(select(User).join(
        Membership, col(Membership.user_id) == col(User.id)).where(
        Membership.organization_id == principal.org_id,
        func.lower(User.email) == drift.subject)).first()
    role = LEAD if drift.actual == OWNER else MEMBER
    if not drift.desired:  # in the tool, not in ProjectHub: add them
        if user is None:
            raise Conflict(f"{drift.subject} is not in this organization; invite them first.")
        session.add(ProjectMember(organization_id=principal.org_id, project_id=project.id,
                                  user_id=user.id, role=role))
        return
    if user is not None and user.id == project.owner_id:
        raise Conflict("The project's manager stays on the project and owns its team; make "
                       "the tool match instead.")
    member = session.exec(scoped_select(principal, ProjectMember).where(
        ProjectMember.project_id == project.id,
        ProjectMember.user_id == (user.id if user else None))).first()
    if member is None:
        return
    if not drift.actual:
        session.delete(member)
    elif (member.role in OWNER_ROLES) != (role in OWNER_ROLES):
        member.role = role
        session.add(member)
