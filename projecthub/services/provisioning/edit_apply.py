"""The end of an edit: ProjectHub takes the edit's values (fields, owner, members, the names of
renamed resources) once every step has succeeded, so the desired state that drift compares
against changes only when the tools say the same; a failed edit run mails whoever started it
what went wrong, with the fix (a person missing in a tool: invite them, then retry).

Called by the runner's ``_finish`` in its own unit of work (``system_``: by run, without a
principal), and by ``editing.start_edit`` for an edit that touches no tool.

``admit_newcomers`` is what an edit run does the moment it goes to the tools: people added to
the project become members at once (they see it while the tools catch up). That moment is
its start, or its approval when the template asks for one (``decisions.approve_run``), so a
rejected edit has changed nothing in ProjectHub either.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Session, select

from projecthub.core.clock import utcnow
from projecthub.models import (
    Project,
    ProjectMember,
    ProjectResource,
    ProvisioningRun,
    ProvisioningStep,
    StepStatus,
    User,
)
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import compose

DATES = ("start_date", "end_date")
ANSWERS = {"name": "name", "description": "description", "client_company": "client_company",
           "start_date": "start_date", "end_date": "end_date"}


def apply_changes(session: Session, project: Project, changes: dict[str, Any]) -> None:
    """Write an edit's ``changes`` (``ProvisioningRun.changes``) to the project, its answers
    (a tool added joins them), its members and its resources' recorded names."""
    fields: dict[str, Any] = changes.get("fields") or {}
    answers = dict(project.answers)
    for name, value in fields.items():
        setattr(project, name, date.fromisoformat(value) if name in DATES and value else value)
        answers[ANSWERS[name]] = value
    answers.update(changes.get("answers") or {})  # a tool added (add_tool.py)
    if changes.get("owner_id"):
        project.owner_id = uuid.UUID(changes["owner_id"])
        answers["project_manager"] = changes["owner_id"]
    if changes.get("members") is not None:
        wanted = {uuid.UUID(u): r for u, r in changes["members"].items()}
        _set_members(session, project, wanted)
        answers["members"] = [str(u) for u in wanted if u != project.owner_id]
    for resource_id, name in (changes.get("resource_names") or {}).items():
        resource = session.get(ProjectResource, uuid.UUID(resource_id))
        if resource is not None and resource.project_id == project.id:
            resource.name = name
            session.add(resource)
    project.answers, project.updated_at = answers, utcnow()
    session.add(project)


def _set_members(session: Session, project: Project, wanted: dict[uuid.UUID, str]) -> None:
    rows = {m.user_id: m for m in session.exec(select(ProjectMember).where(
        ProjectMember.project_id == project.id)).all()}
    for user_id, member in rows.items():
        if user_id not in wanted:
            session.delete(member)
        elif member.role != wanted[user_id]:
            member.role = wanted[user_id]
            session.add(member)
    for user_id, role in wanted.items():
        if user_id not in rows:
            session.add(ProjectMember(organization_id=project.organization_id,
                                      project_id=project.id, user_id=user_id, role=role))


def admit_newcomers(session: Session, run: ProvisioningRun) -> None:
    """Add the edit's new members now (their role as the edit wants it); the rest of the edit
    waits for the run's success. People already on the project are left as they are."""
    wanted: dict[str, str] | None = (run.changes or {}).get("members")
    if not wanted:
        return
    project = session.get(Project, run.project_id)
    if project is None:
        return
    present = set(session.exec(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project.id)).all())
    for user, role in wanted.items():
        if uuid.UUID(user) not in present:
            session.add(ProjectMember(organization_id=project.organization_id,
                                      project_id=project.id, user_id=uuid.UUID(user),
                                      role=role))
    project.updated_at = utcnow()
    session.add(project)


def system_apply(session: Session, run: ProvisioningRun) -> None:
    project = session.get(Project, run.project_id)
    if project is not None:
        apply_changes(session, project, run.changes)


def system_report_failure(session: Session, run: ProvisioningRun) -> None:
    """Mail the person who started the edit each failed step and its fix."""
    creator = session.get(User, run.created_by_id) if run.created_by_id else None
    project = session.get(Project, run.project_id)
    if creator is None or project is None:
        return
    failed = session.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run.id, ProvisioningStep.status == StepStatus.FAILED)).all()
    if not failed:
        return
    queue_mail(session, to=creator.email, kind="project_edit_failed", content=compose(
        subject=f"Your change to {project.name} is not finished",
        paragraphs=[f"Some steps of your change to the project {project.name} ({project.key}) "
                    "did not succeed, so ProjectHub keeps the project as it was:",
                    *[f"{s.title} — {s.error}" for s in failed],
                    "Once fixed, retry the run from the project's page."],
        reason="you changed this project."))


__all__ = ["admit_newcomers", "apply_changes", "system_apply", "system_report_failure"]
