"""Drift of a project's tools from ProjectHub: list it, make the tool match (a run), or accept
the tool's value. Settling needs an organization admin or the project's owner."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.routes.runs import run_public
from projecthub.api.schemas import DriftPublic, RunPublic
from projecthub.services.drift import resolve
from projecthub.services.provisioning import service

router = APIRouter(prefix="/orgs/{org_slug}/projects/{project_id}/drift", tags=["drift"])


@router.get("", response_model=list[DriftPublic])
def list_drift(project_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> list[DriftPublic]:
    """What differs, per tool resource, oldest first (as of the last sync)."""
    return [DriftPublic.model_validate(d) for d in resolve.list_drift(db, principal, project_id)]


@router.post("/{drift_id}/make-match", response_model=RunPublic,
             status_code=status.HTTP_202_ACCEPTED)
def make_match(project_id: uuid.UUID, drift_id: uuid.UUID, db: DbDep,
               principal: PrincipalDep) -> RunPublic:
    """Start a run that writes ProjectHub's value to the tool; the next sync clears the drift."""
    run = resolve.make_it_match(db, principal, drift_id, project_id=project_id)
    return run_public(service.get_run(db, principal, run.id))


@router.post("/{drift_id}/accept", response_model=list[DriftPublic])
def accept(project_id: uuid.UUID, drift_id: uuid.UUID, db: DbDep,
           principal: PrincipalDep) -> list[DriftPublic]:
    """Make ProjectHub take the tool's value; answers the drift that is left."""
    resolve.accept_tool_value(db, principal, drift_id, project_id=project_id)
    return [DriftPublic.model_validate(d) for d in resolve.list_drift(db, principal, project_id)]
