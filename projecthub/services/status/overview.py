"""What the status pages show beside the figures: a project's people, and the provisioning
runs of the organization that are still under way (or failed and waiting for a retry)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.models import (
    Project,
    ProjectMember,
    ProvisioningRun,
    ProvisioningStep,
    RunStatus,
    StepStatus,
    User,
)
from projecthub.services.principal import Principal
from projecthub.services.projects import get_project, visible_projects
from projecthub.services.scoping import tenant_filter

OPEN_RUNS = (RunStatus.AWAITING_APPROVAL, RunStatus.PENDING, RunStatus.RUNNING,
             RunStatus.FAILED)


@dataclass(frozen=True)
class ProjectPerson:
    user_id: str
    name: str
    email: str
    role: str  # manager | member


@dataclass(frozen=True)
class OpenRun:
    run_id: str
    project_id: str
    project_name: str
    project_key: str
    status: str
    steps_done: int
    steps_total: int
    created_at: datetime


def project_members(session: Session, principal: Principal,
                    project_id: uuid.UUID) -> list[ProjectPerson]:
    """The project's members, its manager first, for those who may see the project."""
    project = get_project(session, principal, project_id)
    rows = session.exec(
        select(ProjectMember, User).join(User, col(User.id) == col(ProjectMember.user_id))
        .where(tenant_filter(principal, ProjectMember), ProjectMember.project_id == project.id)
        .order_by(col(ProjectMember.role) != "manager", func.lower(User.display_name))).all()
    return [ProjectPerson(str(u.id), u.display_name or u.email, u.email, m.role)
            for m, u in rows]


def open_runs(session: Session, principal: Principal, *, limit: int = 10) -> list[OpenRun]:
    """Unfinished or failed runs of projects the principal may see, newest first: two queries."""
    visible = visible_projects(principal).with_only_columns(col(Project.id)).subquery()
    rows = session.exec(
        select(ProvisioningRun, Project.name, Project.key)
        .join(Project, col(Project.id) == col(ProvisioningRun.project_id))
        .where(tenant_filter(principal, ProvisioningRun),
               col(ProvisioningRun.project_id).in_(select(visible.c.id)),
               col(ProvisioningRun.status).in_(OPEN_RUNS))
        .order_by(col(ProvisioningRun.created_at).desc()).limit(limit)).all()
    counts: dict[tuple[object, bool], int] = {}
    if rows:
        done = col(ProvisioningStep.status).in_((StepStatus.SUCCEEDED, StepStatus.SKIPPED))
        for run_id, finished, n in session.exec(
                select(ProvisioningStep.run_id, done, func.count())
                .where(col(ProvisioningStep.run_id).in_([r.id for r, _n, _k in rows]))
                .group_by(col(ProvisioningStep.run_id), done)).all():
            counts[(run_id, bool(finished))] = int(n)
    return [OpenRun(str(r.id), str(r.project_id), name, key, str(r.status),
                    counts.get((r.id, True), 0),
                    counts.get((r.id, True), 0) + counts.get((r.id, False), 0), r.created_at)
            for r, name, key in rows]
