"""Projects: create one from a template's answers (or dry-run it), read it, list its runs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from projecthub.api.deps import DbDep, OrgReaderDep, PrincipalDep
from projecthub.api.responses import json_response
from projecthub.api.routes.runs import run_public
from projecthub.api.schemas import (
    DeletePreviewPublic,
    DeletionResultPublic,
    HistoryPointPublic,
    LifecycleChange,
    LifecyclePreviewPublic,
    LifecycleStarted,
    PreflightPublic,
    ProjectCreate,
    ProjectCreated,
    ProjectDeletion,
    ProjectDetailPublic,
    ProjectListPublic,
    ProjectPublic,
    ProjectRowPublic,
    ReasonPublic,
    ResourceCardPublic,
    RunPublic,
)
from projecthub.services.principal import Principal
from projecthub.services.provisioning import deletion, lifecycle, service
from projecthub.services.provisioning.preflight import run_preflight
from projecthub.services.status import dashboard, sync, view
from projecthub.services.templates import library
from projecthub.services.wiring import sync_config, tool_clients

router = APIRouter(prefix="/orgs/{org_slug}/projects", tags=["projects"])


def _version_id(db: DbDep, principal: Principal, template_id: uuid.UUID | None) -> uuid.UUID:
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
        return PreflightPublic.model_validate(result)
    project, run = service.start_project(db, principal, template_version_id=version_id,
                                         answers=body.answers)
    return ProjectCreated(project=ProjectPublic.model_validate(project),
                          run=run_public(service.get_run(db, principal, run.id)))


@router.get("", response_model=ProjectListPublic)
async def list_projects(
    reader: OrgReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    health: Annotated[str, Query(max_length=10)] = "",
    lifecycle: Annotated[str, Query(max_length=20)] = "",
    tool: Annotated[str, Query(max_length=20)] = "",
    owner: Annotated[str, Query(max_length=36)] = "",
    sort: Annotated[str, Query(max_length=20)] = "name",
    descending: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 25,
    drifted: bool = False,
) -> Response:
    """The dashboard's list: the same filters, sort and pages, read from stored status."""
    query = dashboard.DashboardQuery(
        q=q, health=health, lifecycle=lifecycle, tool=tool, owner=owner, sort=sort,
        descending=descending, page=page, page_size=page_size, drifted=drifted)
    result = await reader.run(lambda db, principal: dashboard.list_projects(db, principal, query))
    # The rows were validated when the service built them: wrapped, not validated again.
    return json_response(ProjectListPublic.model_construct(
        items=[ProjectRowPublic.model_construct(r.model_fields_set, **dict(r))
               for r in result.rows],
        total=result.total, page=result.page, page_size=result.page_size,
        by_health=result.by_health, by_lifecycle=result.by_lifecycle))


def _detail(db: DbDep, principal: Principal, project_id: uuid.UUID) -> ProjectDetailPublic:
    status = view.project_status(db, principal, project_id)
    return ProjectDetailPublic(
        project=ProjectPublic.model_validate(status.project), health=status.health,
        reasons=[ReasonPublic.model_validate(r, from_attributes=True) for r in status.reasons],
        synced_at=status.synced_at,
        resources=[ResourceCardPublic.model_validate(c, from_attributes=True)
                   for c in status.cards])


@router.get("/{project_id}", response_model=ProjectDetailPublic)
async def read_project(project_id: uuid.UUID, reader: OrgReaderDep) -> ProjectDetailPublic:
    """The project with its health, the reasons for it, and each resource's latest figures."""
    return await reader.run(lambda db, principal: _detail(db, principal, project_id))


@router.post("/{project_id}/status/refresh", response_model=ProjectDetailPublic)
async def refresh_project_status(project_id: uuid.UUID, db: DbDep,
                                 principal: PrincipalDep) -> ProjectDetailPublic:
    """Fetch fresh figures from the tools now (waits for the sync to finish)."""
    view.request_refresh(db, principal, project_id)
    # End the request's transaction (the token's last-use mark) before the tools are called:
    # the sync job owns its own units of work, and no transaction is held across vendor calls.
    db.commit()
    await sync.refresh_project(project_id, sync_config())
    db.expire_all()
    return _detail(db, principal, project_id)


@router.get("/{project_id}/history", response_model=list[HistoryPointPublic])
async def project_history(project_id: uuid.UUID, reader: OrgReaderDep,
                          days: Annotated[int, Query(ge=1, le=730)] = 90,
                          ) -> list[HistoryPointPublic]:
    return await reader.run(lambda db, principal: [
        HistoryPointPublic.model_validate(h)
        for h in view.history(db, principal, project_id, days=days)])


@router.post("/{project_id}/lifecycle", response_model=ProjectPublic)
def change_lifecycle(project_id: uuid.UUID, body: LifecycleChange, db: DbDep,
                     principal: PrincipalDep) -> ProjectPublic:
    """Active, on hold, completed or archived (archived projects stop syncing)."""
    return ProjectPublic.model_validate(
        view.set_lifecycle(db, principal, project_id, body.lifecycle))


@router.post("/{project_id}/lifecycle/preview", response_model=LifecyclePreviewPublic)
def preview_lifecycle(project_id: uuid.UUID, body: LifecycleChange, db: DbDep,
                      principal: PrincipalDep) -> LifecyclePreviewPublic:
    """What a lifecycle change does in each tool (archive, restore, nothing); changes nothing.
    The project's owner and organization admins only."""
    return LifecyclePreviewPublic.model_validate(
        lifecycle.preview_lifecycle(db, principal, project_id, body.lifecycle))


@router.post("/{project_id}/lifecycle/runs", response_model=LifecycleStarted,
             status_code=status.HTTP_201_CREATED)
def start_lifecycle_run(project_id: uuid.UUID, body: LifecycleChange, db: DbDep,
                        principal: PrincipalDep) -> LifecycleStarted:
    """Carry a lifecycle change to the tools as a run (archive/restore steps); the project takes
    the state when the run has succeeded. Without anything to do in a tool, no run is made."""
    project, run = lifecycle.start_lifecycle_change(db, principal, project_id, body.lifecycle)
    return LifecycleStarted(
        project=ProjectPublic.model_validate(project),
        run=run_public(service.get_run(db, principal, run.id)) if run else None)


@router.get("/{project_id}/deletion", response_model=DeletePreviewPublic)
def preview_deletion(project_id: uuid.UUID, db: DbDep,
                     principal: PrincipalDep) -> DeletePreviewPublic:
    """The project's resources in the tools, each kept unless chosen for deletion."""
    return DeletePreviewPublic.model_validate(
        deletion.preview_delete(db, principal, project_id))


@router.post("/{project_id}/deletion", response_model=DeletionResultPublic)
async def delete_project(project_id: uuid.UUID, body: ProjectDeletion, db: DbDep,
                         principal: PrincipalDep) -> DeletionResultPublic:
    """Delete the project from ProjectHub, typed key as confirmation; nothing in any tool is
    deleted unless that tool is in ``delete_in``. When a chosen tool fails, the answer says so
    (``deleted`` false, ``failed``) and the project stays: repeat the request once fixed."""
    return DeletionResultPublic.model_validate(await deletion.delete_project(
        db, principal, tool_clients(principal), project_id, confirmation=body.confirmation,
        delete_in=body.delete_in))


@router.get("/{project_id}/runs", response_model=list[RunPublic])
def list_project_runs(project_id: uuid.UUID, db: DbDep,
                      principal: PrincipalDep) -> list[RunPublic]:
    return [run_public(r) for r in service.list_runs(db, principal, project_id)]
