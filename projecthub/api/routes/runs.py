"""Provisioning runs: their steps, retry and cancel."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import RunPublic
from projecthub.services.provisioning import service

router = APIRouter(prefix="/orgs/{org_slug}/runs", tags=["provisioning runs"])


def run_public(view: service.RunView) -> RunPublic:
    return RunPublic.model_validate(view)


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
