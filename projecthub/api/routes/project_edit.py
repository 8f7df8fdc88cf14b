"""Editing a project: ``PATCH`` its fields (``?preview=true`` only shows what would change in
each tool), its members one at a time, and a tool it does not have yet. Changes that touch a
tool start an edit run."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.edit_schemas import (
    AddToolBody,
    AddToolResult,
    EditChangePublic,
    MemberRoleBody,
    ProjectEditBody,
    ProjectEditResult,
    ProjectMemberPublic,
)
from projecthub.api.routes.runs import run_public
from projecthub.api.schemas import ProjectPublic
from projecthub.services import projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning import add_tool, editing, service
from projecthub.services.provisioning.edit_members import list_members, member_edit

router = APIRouter(prefix="/orgs/{org_slug}/projects", tags=["projects"])
PreviewDep = Annotated[bool, Query(description="Only show what would change; change nothing.")]


def _edit(db: DbDep, principal: Principal, project_id: uuid.UUID, edit: editing.ProjectEdit,
          preview: bool) -> ProjectEditResult:
    shown = editing.preview_edit(db, principal, project_id, edit)
    changes = [EditChangePublic.model_validate(c) for c in shown.changes]
    if preview:
        project = projects.get_project(db, principal, project_id)
        return ProjectEditResult(project=ProjectPublic.model_validate(project), changes=changes,
                                 run=None, applied=False)
    project, run = editing.start_edit(db, principal, project_id, edit)
    return ProjectEditResult(
        project=ProjectPublic.model_validate(project), changes=changes,
        run=run_public(service.get_run(db, principal, run.id)) if run else None,
        applied=run is None)


@router.patch("/{project_id}", response_model=ProjectEditResult)
def edit_project(project_id: uuid.UUID, body: ProjectEditBody, db: DbDep,
                 principal: PrincipalDep, preview: PreviewDep = False) -> ProjectEditResult:
    """Change name, description, client, dates, owner or members. The project's owner, its
    manager or an organization admin only; one run per project at a time (409 otherwise)."""
    return _edit(db, principal, project_id, body, preview)


@router.get("/{project_id}/members", response_model=list[ProjectMemberPublic])
def read_members(project_id: uuid.UUID, db: DbDep,
                 principal: PrincipalDep) -> list[ProjectMemberPublic]:
    return [ProjectMemberPublic.model_validate(m)
            for m in list_members(db, principal, project_id)]


@router.put("/{project_id}/members/{user_id}", response_model=ProjectEditResult)
def put_member(project_id: uuid.UUID, user_id: uuid.UUID, body: MemberRoleBody, db: DbDep,
               principal: PrincipalDep, preview: PreviewDep = False) -> ProjectEditResult:
    """Add an organization member to the project, or change their role, in every tool."""
    edit = member_edit(db, principal, project_id, user_id, body.role)
    return _edit(db, principal, project_id, edit, preview)


@router.delete("/{project_id}/members/{user_id}", response_model=ProjectEditResult)
def remove_member(project_id: uuid.UUID, user_id: uuid.UUID, db: DbDep,
                  principal: PrincipalDep, preview: PreviewDep = False) -> ProjectEditResult:
    """Take a person off the project, in every tool."""
    edit = member_edit(db, principal, project_id, user_id, None)
    return _edit(db, principal, project_id, edit, preview)


@router.post("/{project_id}/tools", response_model=AddToolResult)
def add_project_tool(project_id: uuid.UUID, body: AddToolBody, db: DbDep,
                     principal: PrincipalDep, preview: PreviewDep = False) -> AddToolResult:
    """Add a tool the project does not have yet: a run with only that tool's steps from the
    project's template. ``answers`` answer the tool's own questions (the project's answers fill
    the rest) and are kept with the project when the run starts; the tool joins the project's
    answers when the run has succeeded."""
    shown = add_tool.preview_add_tool(db, principal, project_id, tool=body.tool,
                                      connection_id=body.connection_id, answers=body.answers)
    changes = [EditChangePublic.model_validate(c) for c in shown.changes]
    if preview:
        return AddToolResult(changes=changes, run=None)
    run = add_tool.start_add_tool(db, principal, project_id, tool=body.tool,
                                  connection_id=body.connection_id, answers=body.answers)
    return AddToolResult(changes=changes, run=run_public(service.get_run(db, principal, run.id)))
