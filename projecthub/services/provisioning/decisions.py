"""Deciding on runs that wait for approval (``approvals.py`` holds the rule): approve, reject
with a comment, and the list of runs waiting for the caller."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, Invalid, PermissionDenied
from projecthub.models import (
    ROLE_RANK,
    Lifecycle,
    Project,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunKind,
    RunStatus,
    StepStatus,
    User,
)
from projecthub.services import audit, dispatch
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Principal
from projecthub.services.projects import get_project, visible_projects
from projecthub.services.provisioning import edit_apply
from projecthub.services.provisioning.approvals import AWAITING, may_decide, role_label
from projecthub.services.provisioning.service import load_run
from projecthub.services.scoping import scoped_select, tenant_filter
from projecthub.services.views import View

MAX_COMMENT = 2000
PENDING_LIMIT = 20  # the dashboard's list and the API's: the oldest requests first


class PendingApproval(View):
    """A run waiting for the caller's decision."""

    run_id: uuid.UUID
    project_id: uuid.UUID
    project_name: str
    project_key: str
    kind: str
    requested_by: str
    requested_at: datetime
    approvers: Role


def _decidable(session: Session, principal: Principal, run_id: uuid.UUID) -> ProvisioningRun:
    run = load_run(session, principal, run_id)  # 404 for foreign or invisible runs
    if run.status != AWAITING:
        raise Conflict("This run is not awaiting approval.")
    if principal.user_id == run.created_by_id:
        raise PermissionDenied("You started this run, so someone else must approve it.")
    if not may_decide(principal, status=AWAITING, approver_role=run.approver_role,
                      requested_by_id=run.created_by_id):
        raise PermissionDenied(f"Only {role_label(run.approver_role)} can decide on this run.")
    return run


def _decide(session: Session, principal: Principal, run: ProvisioningRun,
            status: RunStatus, comment: str) -> None:
    """Record the decision only if the run still waits: of two approvers deciding at once, the
    second gets a conflict instead of overwriting the first."""
    now = utcnow()
    values: dict[str, object] = {"status": status, "decided_by_id": principal.user_id,
                                 "decided_at": now, "decision_comment": comment}
    if status == RunStatus.REJECTED:
        values["finished_at"] = now
    result = session.exec(update(ProvisioningRun).where(
        col(ProvisioningRun.id) == run.id, col(ProvisioningRun.status) == AWAITING)
        .values(**values))
    if not result.rowcount:
        raise Conflict("Someone else has already decided on this run.")
    session.refresh(run)


def _comment(comment: str, *, required: bool) -> str:
    text = comment.strip()
    if required and not text:
        raise Invalid("Say why the run is rejected.", {"comment": "A comment is required."})
    if len(text) > MAX_COMMENT:
        raise Invalid(f"A comment has at most {MAX_COMMENT} characters.",
                      {"comment": f"At most {MAX_COMMENT} characters."})
    return text


def approve_run(session: Session, principal: Principal, run_id: uuid.UUID, *,
                comment: str = "") -> ProvisioningRun:
    """The run becomes pending and the job engine drives it once the caller commits."""
    text = _comment(comment, required=False)
    run = _decidable(session, principal, run_id)
    _decide(session, principal, run, RunStatus.PENDING, text)
    if run.kind == RunKind.EDIT:  # what an ungated edit did at its start happens now
        edit_apply.admit_newcomers(session, run)
    audit.record(session, principal, "run.approved", target_type="run", target_id=run.id,
                 detail={"project_id": str(run.project_id), "comment": text})
    notifications.approval_decided(session, run, approved=True)
    dispatch.drive_after_commit(session, run.id)
    return run


def reject_run(session: Session, principal: Principal, run_id: uuid.UUID, *,
               comment: str) -> ProvisioningRun:
    """The run ends here: every step is cancelled, no tool is called."""
    text = _comment(comment, required=True)
    run = _decidable(session, principal, run_id)
    _decide(session, principal, run, RunStatus.REJECTED, text)
    for step in session.exec(scoped_select(principal, ProvisioningStep).where(
            ProvisioningStep.run_id == run.id)).all():
        step.status = StepStatus.CANCELLED
        session.add(step)
    if run.kind == RunKind.PROVISION:  # nothing was created: the project is not a real one
        project = get_project(session, principal, run.project_id)
        if project.lifecycle == Lifecycle.PROVISIONING:
            project.lifecycle = Lifecycle.NOT_APPROVED
            session.add(project)
    audit.record(session, principal, "run.rejected", target_type="run", target_id=run.id,
                 detail={"project_id": str(run.project_id), "comment": text})
    notifications.approval_decided(session, run, approved=False)
    return run


def pending_approvals(session: Session, principal: Principal, *,
                      limit: int = PENDING_LIMIT) -> list[PendingApproval]:
    """Runs the caller may decide on, oldest first: one query (the status index finds the
    few waiting runs)."""
    ranks = [r.value for r in Role if ROLE_RANK[r] <= ROLE_RANK[principal.role]
             and r != Role.VIEWER]
    if not ranks:
        return []
    visible = visible_projects(principal).with_only_columns(col(Project.id)).subquery()
    rows = session.exec(
        select(ProvisioningRun, Project.name, Project.key, User)
        .join(Project, col(Project.id) == col(ProvisioningRun.project_id))
        .outerjoin(User, col(User.id) == col(ProvisioningRun.created_by_id))
        .where(tenant_filter(principal, ProvisioningRun), ProvisioningRun.status == AWAITING,
               col(ProvisioningRun.approver_role).in_(ranks),
               or_(col(ProvisioningRun.created_by_id).is_(None),
                   col(ProvisioningRun.created_by_id) != principal.user_id),
               col(ProvisioningRun.project_id).in_(select(visible.c.id)))
        .order_by(col(ProvisioningRun.created_at)).limit(limit)).all()
    return [PendingApproval(run_id=r.id, project_id=r.project_id, project_name=name,
                            project_key=key, kind=str(r.kind),
                            requested_by=(user.display_name or user.email) if user
                            else "a former member",
                            requested_at=r.created_at, approvers=Role(r.approver_role))
            for r, name, key, user in rows]


__all__ = ["PendingApproval", "approve_run", "pending_approvals", "reject_run"]
