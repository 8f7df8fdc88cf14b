"""What people do with provisioning: see the plan, start it, watch it, retry it, cancel it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import Field
from sqlmodel import Session, col

from projecthub.core.errors import Conflict
from projecthub.models import (
    Project,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunKind,
    RunStatus,
    User,
)
from projecthub.models import StepStatus as S
from projecthub.services import audit, projects
from projecthub.services.principal import Principal, require_role
from projecthub.services.provisioning.approvals import approver_role_for, hold_or_drive
from projecthub.services.provisioning.plan import PlanInput, PlannedStep, build_plan
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.templates.library import load_version
from projecthub.services.views import View


class StepView(View):
    id: uuid.UUID
    key: str
    action: str
    tool: str
    title: str
    status: S
    attempts: int
    external_id: str
    url: str
    error: str
    log: list[dict[str, object]]
    depends_on: list[str]
    started_at: datetime | None
    finished_at: datetime | None


class RunApproval(View):
    """Who must approve the run (a role), who asked, and the decision once made."""

    approvers: Role = Field(description="The lowest organization role that may decide.")
    requested_by_id: uuid.UUID | None
    decided_by_id: uuid.UUID | None
    decided_by: str = Field(description="The decider's name (or email); empty until decided.")
    decided_at: datetime | None
    comment: str


class RunView(View):
    id: uuid.UUID
    project_id: uuid.UUID
    kind: RunKind = Field(description="provision, or lifecycle (archive/restore in the tools).")
    target: str = Field(description="A lifecycle run's target state; empty otherwise.")
    status: RunStatus
    error: str
    progress: float = Field(description="The share of steps done (succeeded or skipped), 0 to 1.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    approval: RunApproval | None = Field(
        description="Set when the project's template asks for approval before the run.")
    steps: Sequence[StepView]


def _progress(steps: Sequence[StepView]) -> float:
    done = sum(s.status in (S.SUCCEEDED, S.SKIPPED) for s in steps)
    return done / len(steps) if steps else 1.0


def plan_for(session: Session, principal: Principal, *, template_version_id: uuid.UUID,
             answers: dict[str, Any],
             project_id: uuid.UUID | None = None) -> tuple[dict[str, Any], list[PlannedStep]]:
    """Validate the answers and build the plan they produce (a dry run creates nothing)."""
    _, definition = load_version(session, principal, template_version_id)
    cleaned = projects.check_answers(session, principal, definition, answers,
                                     project_id=project_id)
    emails = projects.user_emails(session, principal, [
        str(cleaned["project_manager"]), *[str(m) for m in cleaned.get("members") or []],
        *([str(cleaned["jira_lead"])] if cleaned.get("jira_lead") else [])])
    manager = emails[str(cleaned["project_manager"])]
    source = PlanInput(
        org_id=str(principal.org_id), project_id=str(project_id or uuid.UUID(int=0)),
        answers=cleaned, manager_email=manager,
        member_emails=tuple(emails[str(m)] for m in cleaned.get("members") or []
                            if str(m) in emails),
        lead_email=emails.get(str(cleaned.get("jira_lead")), manager))
    return cleaned, build_plan(source)


def start_project(session: Session, principal: Principal, *, template_version_id: uuid.UUID,
                  answers: dict[str, Any]) -> tuple[Project, ProvisioningRun]:
    """Create the project and its run with every step in the caller's transaction; the job
    engine is told to drive it (and calls a tool) only once the caller has committed it."""
    require_role(principal, Role.MEMBER)
    version, _ = load_version(session, principal, template_version_id)
    project_id = uuid.uuid4()
    cleaned, plan = plan_for(session, principal, template_version_id=template_version_id,
                             answers=answers, project_id=project_id)
    project = projects.add_project(session, principal, answers=cleaned,
                                   template_version_id=version.id, project_id=project_id)
    run = ProvisioningRun(organization_id=principal.org_id, project_id=project.id,
                          created_by_id=principal.user_id)
    session.add(run)
    for position, step in enumerate(plan):
        session.add(ProvisioningStep(
            organization_id=principal.org_id, run_id=run.id, position=position, key=step.key,
            action=step.action, tool=step.tool, title=step.title,
            connection_id=step.connection_id,
            inputs=step.inputs, depends_on=list(step.depends_on),
            idempotency_key=step.idempotency_key))
    audit.record(session, principal, "run.started", target_type="run", target_id=run.id,
                 detail={"project": project.key, "steps": len(plan)})
    hold_or_drive(session, principal, run, approver_role_for(session, principal, project, cleaned))
    return project, run


def _view(session: Session, principal: Principal, run: ProvisioningRun) -> RunView:
    steps = session.exec(scoped_select(principal, ProvisioningStep).where(
        ProvisioningStep.run_id == run.id).order_by(col(ProvisioningStep.position))).all()
    views = [StepView(id=s.id, key=s.key, action=s.action, tool=s.tool, title=s.title,
                      status=S(s.status), attempts=s.attempts, external_id=s.external_id,
                      url=s.url, error=s.error, log=list(s.log), depends_on=list(s.depends_on),
                      started_at=s.started_at, finished_at=s.finished_at) for s in steps]
    return RunView(id=run.id, project_id=run.project_id, kind=RunKind(run.kind),
                   target=run.target, status=RunStatus(run.status),
                   error=run.error, progress=_progress(views), created_at=run.created_at,
                   started_at=run.started_at, finished_at=run.finished_at,
                   approval=_approval(session, run), steps=views)


def _approval(session: Session, run: ProvisioningRun) -> RunApproval | None:
    if not run.approver_role:
        return None
    decider = session.get(User, run.decided_by_id) if run.decided_by_id else None
    return RunApproval(approvers=Role(run.approver_role), requested_by_id=run.created_by_id,
                       decided_by_id=run.decided_by_id,
                       decided_by=(decider.display_name or decider.email) if decider else "",
                       decided_at=run.decided_at, comment=run.decision_comment)


def load_run(session: Session, principal: Principal, run_id: uuid.UUID) -> ProvisioningRun:
    # The runner commits from other sessions: act on what is there now (flushed first, so the
    # caller's own changes in this unit of work are kept, not discarded by the expiry).
    session.flush()
    session.expire_all()
    run = get_scoped(session, principal, ProvisioningRun, run_id, label="Run")
    projects.get_project(session, principal, run.project_id)  # visibility of its project
    return run


def get_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    return _view(session, principal, load_run(session, principal, run_id))


def list_runs(session: Session, principal: Principal, project_id: uuid.UUID) -> list[RunView]:
    project = projects.get_project(session, principal, project_id)
    runs = session.exec(scoped_select(principal, ProvisioningRun).where(
        ProvisioningRun.project_id == project.id).order_by(
        col(ProvisioningRun.created_at).desc())).all()
    return [_view(session, principal, r) for r in runs]


def retry_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    """Put failed (and cancelled) steps back in line; the runner picks the run up again."""
    require_role(principal, Role.MEMBER)
    run = load_run(session, principal, run_id)
    if run.status not in (RunStatus.FAILED, RunStatus.CANCELLED):
        raise Conflict("Only a failed or cancelled run can be retried.")
    steps = session.exec(scoped_select(principal, ProvisioningStep).where(
        ProvisioningStep.run_id == run.id)).all()
    for step in steps:
        if step.status in (S.FAILED, S.CANCELLED):
            step.status, step.error = S.PENDING, ""
            session.add(step)
    run.status, run.error, run.finished_at, run.lease_until = RunStatus.PENDING, "", None, None
    session.add(run)
    audit.record(session, principal, "run.retried", target_type="run", target_id=run.id)
    # A run cancelled while it waited for approval asks again; an approved one needs no more.
    hold_or_drive(session, principal, run,
                  run.approver_role if run.approver_role and run.decided_at is None else None)
    return _view(session, principal, run)


def cancel_run(session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    """Stop starting new steps; a step already calling a tool finishes and is recorded."""
    require_role(principal, Role.MEMBER)
    run = load_run(session, principal, run_id)
    if run.status not in (RunStatus.PENDING, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL):
        raise Conflict("This run has already finished.")
    run.status = RunStatus.CANCELLED
    session.add(run)
    for step in session.exec(scoped_select(principal, ProvisioningStep).where(
            ProvisioningStep.run_id == run.id, ProvisioningStep.status == S.PENDING)).all():
        step.status = S.CANCELLED
        session.add(step)
    audit.record(session, principal, "run.cancelled", target_type="run", target_id=run.id)
    return _view(session, principal, run)
