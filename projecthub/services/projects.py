"""Projects: who may see which, creating one from a template's answers, and reading it back."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, Invalid, NotFound
from projecthub.models import (
    Lifecycle,
    Membership,
    Project,
    ProjectMember,
    ProjectResource,
    Role,
    ToolConnection,
    User,
)
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.templates.bindings import bind_answers, binding_problems, describe
from projecthub.services.templates.definition import TemplateDefinition
from projecthub.services.templates.questionnaire import (
    AnswerContext,
    validate_answers,
    visible_answers,
)


def visible_projects(principal: Principal) -> SelectOfScalar[Project]:
    """Admins and owners see every project; members and viewers the ones they belong to."""
    query = scoped_select(principal, Project)
    if principal.has_role(Role.ADMIN):
        return query
    return query.where(exists().where(col(ProjectMember.project_id) == col(Project.id),
                                      col(ProjectMember.user_id) == principal.user_id))


def get_project(session: Session, principal: Principal, project_id: uuid.UUID) -> Project:
    """A project the principal may see; others (and other organizations') are not found."""
    project = get_scoped(session, principal, Project, project_id, label="Project")
    visible = session.exec(visible_projects(principal).where(Project.id == project.id)).first()
    if visible is None:
        raise NotFound("Project not found.")
    return project


def list_resources(session: Session, principal: Principal,
                   project_id: uuid.UUID) -> list[ProjectResource]:
    """What the project has in its tools (created, adopted or linked), for those who may see it."""
    project = get_project(session, principal, project_id)
    return list(session.exec(scoped_select(principal, ProjectResource).where(
        ProjectResource.project_id == project.id).order_by(
        col(ProjectResource.tool), col(ProjectResource.created_at))).all())


def answer_context(session: Session, principal: Principal) -> AnswerContext:
    """What a questionnaire's member and connection fields may point at in this organization."""
    member_ids = session.exec(select(Membership.user_id).where(
        Membership.organization_id == principal.org_id,
        Membership.is_active == True)).all()  # noqa: E712
    connections: dict[str, set[str]] = {}
    for conn_id, tool in session.exec(select(ToolConnection.id, ToolConnection.tool).where(
            ToolConnection.organization_id == principal.org_id)).all():
        connections.setdefault(str(tool), set()).add(str(conn_id))
    return AnswerContext(frozenset(str(m) for m in member_ids),
                         {k: frozenset(v) for k, v in connections.items()})


def check_answers(session: Session, principal: Principal, definition: TemplateDefinition,
                  answers: dict[str, Any], *,
                  project_id: uuid.UUID | None = None) -> dict[str, Any]:
    """Validate against this organization; returns the answers the plan is made from, each
    plan input under its own name. A version saved before its bindings were checked, and
    lacking one, is refused here with the reason, rather than failing the run. The key must
    be free, except for ``project_id``'s own (a tool added to an existing project)."""
    problems = binding_problems(definition)
    if problems:
        raise Conflict(describe(problems) + " An admin can fix the template and save it again.")
    errors = validate_answers(definition, answers, answer_context(session, principal))
    if errors:
        raise Invalid("Some answers need attention.", errors)
    cleaned = bind_answers(definition, visible_answers(definition, answers))
    key = str(cleaned.get("key", ""))
    taken = scoped_select(principal, Project).where(Project.key == key)
    if project_id is not None:
        taken = taken.where(Project.id != project_id)
    holder = session.exec(taken).first()
    if holder is not None:
        message = f"This organization already has a project with the key {key}."
        if holder.lifecycle == Lifecycle.NOT_APPROVED:
            message += " It was not approved: delete it to use its key again."
        raise Conflict(message)
    return cleaned


def user_emails(session: Session, principal: Principal, user_ids: list[str]) -> dict[str, str]:
    """Emails of active members among ``user_ids`` (others are ignored)."""
    ids = [uuid.UUID(u) for u in user_ids]
    rows = session.exec(select(User.id, User.email).join(
        Membership, col(Membership.user_id) == col(User.id)).where(
        Membership.organization_id == principal.org_id, col(User.id).in_(ids))).all()
    return {str(i): e for i, e in rows}


def _date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def add_project(session: Session, principal: Principal, *, answers: dict[str, Any],
                template_version_id: uuid.UUID, project_id: uuid.UUID | None = None) -> Project:
    """Insert the project and its members (the caller commits with the run)."""
    require_role(principal, Role.MEMBER)
    manager = str(answers["project_manager"])
    project = Project(
        id=project_id or uuid.uuid4(), organization_id=principal.org_id,
        name=str(answers["name"]), key=str(answers["key"]),
        description=str(answers.get("description") or ""),
        client_company=str(answers.get("client_company") or ""),
        project_type=str(answers.get("project_type") or "client"),
        start_date=_date(answers.get("start_date")), end_date=_date(answers.get("end_date")),
        lifecycle=Lifecycle.PROVISIONING, owner_id=uuid.UUID(manager),
        template_version_id=template_version_id, answers=answers, updated_at=utcnow())
    session.add(project)
    members = answers.get("members") or []
    assert isinstance(members, list)
    people = dict.fromkeys([manager, *[str(m) for m in members],
                            str(principal.user_id)])
    for user_id in people:
        role = "manager" if user_id == manager else "member"
        session.add(ProjectMember(organization_id=principal.org_id, project_id=project.id,
                                  user_id=uuid.UUID(user_id), role=role))
    audit.record(session, principal, "project.created", target_type="project",
                 target_id=project.id, detail={"key": project.key, "name": project.name})
    return project
