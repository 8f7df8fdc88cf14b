"""Projects: create one from a template's answers (or dry-run it), read it, list its runs."""

from __future__ import annotations

import dataclasses
import uuid

from fastapi import APIRouter, Response, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.routes.runs import run_public
from projecthub.api.schemas import (
    PlannedStepPublic,
    PreflightPublic,
    ProjectCreate,
    ProjectCreated,
    ProjectPublic,
    RunPublic,
    ToolCheckPublic,
)
from projecthub.api.tools import tool_clients
from projecthub.services import projects
from projecthub.services.principal import Principal
from projecthub.services.provisioning import service
from projecthub.services.provisioning.preflight import run_preflight
from projecthub.services.templates import library

router = APIRouter(prefix="/orgs/{org_slug}/projects", tags=["projects"])


def _version_id(db: DbDep, principal: Principal, template_id: uuid.UUID | None) -> str:
    if template_id is None:
        return next(t.version_id for t in library.list_templates(db, principal) if t.is_builtin)
    return library.get_template(db, principal, template_id).version_id


@router.post("", response_model=ProjectCreated | PreflightPublic,
             status_code=status.HTTP_201_CREATED,
             responses={200: {"model": PreflightPublic, "description": "The dry-run plan."}})
async def create_project(body: ProjectCreate, db: DbDep, principal: PrincipalDep,
                         response: Response) -> ProjectCreated | PreflightPublic:
    """Create the project and start provisioning it; with ``dry_run`` only check and plan."""
    version_id = _version_id(db, principal, body.template_id)
    if body.dry_run:
        result = await run_preflight(db, principal, tool_clients(principal),
                                     template_version_id=version_id, answers=body.answers)
        response.status_code = status.HTTP_200_OK
        return PreflightPublic(
            ok=result.ok,
            checks=[ToolCheckPublic.model_validate(dataclasses.asdict(c)) for c in result.checks],
            steps=[PlannedStepPublic(key=s.key, action=s.action, tool=s.tool, title=s.title,
                                     depends_on=list(s.depends_on)) for s in result.steps])
    project, run = service.start_project(db, principal, template_version_id=version_id,
                                         answers=body.answers)
    return ProjectCreated(project=ProjectPublic.model_validate(project),
                          run=run_public(service.get_run(db, principal, run.id)))


@router.get("/{project_id}", response_model=ProjectPublic)
def read_project(project_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> object:
    return projects.get_project(db, principal, project_id)


@router.get("/{project_id}/runs", response_model=list[RunPublic])
def list_project_runs(project_id: uuid.UUID, db: DbDep,
                      principal: PrincipalDep) -> list[RunPublic]:
    return [run_public(r) for r in service.list_runs(db, principal, project_id)]
