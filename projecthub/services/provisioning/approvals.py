"""Approval before a run touches any tool (issue 14, item 8): a template with ``approval:``
starts its runs as ``awaiting_approval``, which no worker claims (the ledger's claim and sweep
only take pending and running runs). An approver of the organization approves (the run becomes
pending and is driven like any other) or rejects it with a comment (it ends as ``rejected``
with every step cancelled, so nothing is created anywhere).

Four-eyes, strictly: whoever started a run never decides on it, even when nobody else could.
Approvers are the members whose role is at least the template's ``approvers`` (admin by
default) and who can see the project.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from projecthub.models import (
    ROLE_RANK,
    Membership,
    Project,
    ProvisioningRun,
    Role,
    RunStatus,
    TemplateVersion,
)
from projecthub.services import audit, dispatch
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Principal
from projecthub.services.scoping import get_scoped
from projecthub.services.templates.definition import ApprovalDef

AWAITING = RunStatus.AWAITING_APPROVAL


def role_label(role: str) -> str:
    """How the approvers are named to people ("an owner or admin")."""
    return {"owner": "an owner", "admin": "an owner or admin",
            "member": "a member of the project, or an admin"}.get(role, role)


def approver_role_for(session: Session, principal: Principal, project: Project,
                      answers: dict[str, object] | None = None) -> str | None:
    """The role that must approve runs of ``project`` (its template version's rule), if any.
    Only the ``approval`` section is read: a version saved before a newer template rule must
    not stop its projects' lifecycle changes."""
    if project.template_version_id is None:
        return None
    version = get_scoped(session, principal, TemplateVersion, project.template_version_id,
                         label="Template")
    raw = version.definition.get("approval")
    if raw is None:
        return None
    approval = ApprovalDef.model_validate(raw)
    if not approval.applies(dict(answers if answers is not None else project.answers)):
        return None
    return approval.approvers


def hold_or_drive(session: Session, principal: Principal, run: ProvisioningRun,
                  approver_role: str | None) -> None:
    """Where every run that changes a tool goes once its steps are added: straight to the job
    engine, or (when its template asks) to the approvers first."""
    if approver_role is None:
        dispatch.drive_after_commit(session, run.id)
        return
    run.status, run.approver_role = AWAITING, approver_role
    session.add(run)
    audit.record(session, principal, "run.approval_requested", target_type="run",
                 target_id=run.id, detail={"project_id": str(run.project_id),
                                           "approvers": approver_role})
    session.flush()
    notifications.approval_requested(session, run, _approvers(session, run),
                                     role_label(approver_role))


def _approvers(session: Session, run: ProvisioningRun) -> list[uuid.UUID]:
    """Who may decide: at least the run's role, able to see its project, not its starter."""
    ranked = [r for r in Role if ROLE_RANK[r] >= ROLE_RANK[Role(run.approver_role)]]
    people = session.exec(select(Membership.user_id, Membership.role).where(
        Membership.organization_id == run.organization_id,
        col(Membership.is_active).is_(True), col(Membership.role).in_(ranked))).all()
    project = session.get(Project, run.project_id)
    on_project = set(notifications.project_people(session, project)) if project else set()
    return [user for user, role in people if user != run.created_by_id
            and (ROLE_RANK[Role(role)] >= ROLE_RANK[Role.ADMIN] or user in on_project)]


def may_decide(principal: Principal, *, status: RunStatus, approver_role: str,
               requested_by_id: uuid.UUID | None) -> bool:
    """The UI's and the services' one rule (the project's visibility is checked on loading)."""
    return (status == AWAITING and bool(approver_role)
            and principal.has_role(Role(approver_role))
            and principal.user_id != requested_by_id)


__all__ = ["approver_role_for", "hold_or_drive", "may_decide", "role_label"]
