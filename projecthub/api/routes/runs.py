"""Provisioning runs: their steps, retry and cancel."""

from __future__ import annotations

import dataclasses
import uuid

from fastapi import APIRouter

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import RunPublic, StepPublic
from projecthub.services.provisioning import service

router = APIRouter(prefix="/orgs/{org_slug}/runs", tags=["provisioning runs"])


def run_public(view: service.RunView) -> RunPublic:
    return RunPublic(id=view.id, project_id=view.project_id, status=view.status,
                     error=view.error, progress=view.progress, created_at=view.created_at,
                     started_at=view.started_at, finished_at=view.finished_at,
                     steps=[StepPublic.model_validate(dataclasses.asdict(s)) for s in view.steps])


@router.get("/{run_id}", response_model=RunPublic)
def read_run(run_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> RunPublic:
    return run_public(service.get_run(db, principal, run_id))


@router.post("/{run_id}/retry", response_model=RunPublic)
def retry_run(run_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> RunPublic:
    """Put failed steps back in line; a worker picks the run up within a second or two."""
    return run_public(service.retry_run(db, principal, run_id))


@router.post("/{run_id}/cancel", response_model=RunPublic)
def cancel_run(run_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> RunPublic:
    return run_public(service.cancel_run(db, principal, run_id))
