"""Projects: create one from a template's answers (or dry-run it), read it, list its runs."""

from __future__ import annotations

import uuid
from collections.abc import Hashable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import ValidationError
from sqlmodel import Session

from projecthub.api.answer_cache import AnswerCache, visibility
from projecthub.api.deps import DbDep, OrgReaderDep, PrincipalDep, direct_org_reader
from projecthub.api.direct_route import direct_route
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
    ProjectListQuery,
    ProjectPublic,
    ProjectRowPublic,
    ReasonPublic,
    ResourceCardPublic,
    RunPublic,
)
from projecthub.services.api_tokens import TokenGrant
from projecthub.services.principal import Principal
from projecthub.services.provisioning import deletion, lifecycle, service
from projecthub.services.provisioning.preflight import run_preflight
from projecthub.services.status import dashboard, sync, view
from projecthub.services.templates import library
from projecthub.services.wiring import sync_config, tool_clients

router = APIRouter(prefix="/orgs/{org_slug}/projects", tags=["projects"])


# Accepted query strings, parsed: a client repeats the same few, and parsing and validating
# one cost as much as the rest of the shortcut. Emptied when full; only strings up to
# _PARSED_QUERY_MAX_BYTES are kept (any client may send any string, and parameters the list
# does not know are accepted and ignored), so the store stays under about 2 MiB. The filters
# hold nobody's data: who asks stays in the answer's key.
_PARSED_QUERIES: dict[bytes, ProjectListQuery] = {}
_PARSED_QUERIES_MAX = 1024
_PARSED_QUERY_MAX_BYTES = 2048  # every known filter at its longest, percent-encoded, fits


def _parsed_query(request: Request) -> ProjectListQuery | None:
    """The list's query parameters as FastAPI would validate them, or None if it would refuse
    them. Shared between requests: nothing changes a model once built."""
    raw: bytes = request.scope["query_string"]
    params = _PARSED_QUERIES.get(raw)
    if params is None:
        try:
            params = ProjectListQuery.model_validate(dict(request.query_params))
        except ValidationError:
            return None
        if len(raw) > _PARSED_QUERY_MAX_BYTES:
            return params
        if len(_PARSED_QUERIES) >= _PARSED_QUERIES_MAX:
            _PARSED_QUERIES.clear()
        _PARSED_QUERIES[raw] = params
    return params


async def _direct_list_arguments(request: Request) -> dict[str, Any] | None:
    """The list's arguments as FastAPI would solve them, for filters it would accept."""
    params = _parsed_query(request)
    if params is None:
        return None
    reader = await direct_org_reader(request)
    return None if reader is None else {"reader": reader, "request": request, "params": params}


# The list alone, included first in the API (``api.main``): the router tries routes in order,
# and behind the others it cost about 1.5 ms per request. Its path matches no other route.
list_router = APIRouter(prefix="/orgs/{org_slug}/projects", tags=["projects"],
                        route_class=direct_route(_direct_list_arguments))


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


# Each process keeps the list's recent answers (about 40 KB for a page of 25).
LIST_ANSWERS = AnswerCache(max_bytes=32 * 1024 * 1024)


@list_router.get("", response_model=ProjectListPublic, responses={
    304: {"description": "Unchanged since the answer whose `ETag` was sent in `If-None-Match`."}})
async def list_projects(reader: OrgReaderDep, request: Request,
                        params: Annotated[ProjectListQuery, Query()]) -> Response:
    """The dashboard's list: the same filters, sort and pages, read from stored status. The
    answer has an `ETag`; send it back in `If-None-Match` to get 304 while nothing changed."""
    query = params.dashboard_query
    answer = await reader.cached(LIST_ANSWERS, lambda grant: _list_key(grant, query),
                                 lambda db, principal: _list_json(db, principal, query))
    return answer.response(request.headers.get("if-none-match"))


def _list_key(grant: TokenGrant, query: dashboard.DashboardQuery) -> Hashable:
    """Everything the list's answer depends on (``answer_cache``); the filters are checked
    first, after the token, as the service would."""
    query.check()
    principal = grant.principal
    return (principal.org_id, grant.data_version, visibility(principal), query)


def _list_json(db: Session, principal: Principal, query: dashboard.DashboardQuery) -> bytes:
    result = dashboard.list_projects(db, principal, query)
    # The rows were validated when the service built them: wrapped, not validated again.
    return ProjectListPublic.model_construct(
        items=[ProjectRowPublic.model_construct(r.model_fields_set, **dict(r))
               for r in result.rows],
        total=result.total, page=result.page, page_size=result.page_size,
        by_health=result.by_health, by_lifecycle=result.by_lifecycle).model_dump_json().encode()


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
