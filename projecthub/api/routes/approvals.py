"""Approvals: the runs waiting for the caller's decision, and the decision itself (the rules
live in services/provisioning/decisions.py: never your own run, 409 once decided)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.routes.runs import run_public
from projecthub.api.schemas import ApprovalPublic, Decision, RunPublic
from projecthub.services.provisioning import decisions, service

router = APIRouter(prefix="/orgs/{org_slug}", tags=["provisioning runs"])


@router.get("/approvals", response_model=list[ApprovalPublic])
def list_approvals(db: DbDep, principal: PrincipalDep) -> list[ApprovalPublic]:
    """Runs that wait for approval and that the caller may decide on, oldest first."""
    return [ApprovalPublic.model_validate(p) for p in decisions.pending_approvals(db, principal)]


@router.post("/runs/{run_id}/approve", response_model=RunPublic)
def approve_run(run_id: uuid.UUID, body: Decision, db: DbDep,
                principal: PrincipalDep) -> RunPublic:
    """The run starts: a worker picks it up within a second or two."""
    decisions.approve_run(db, principal, run_id, comment=body.comment)
    return run_public(service.get_run(db, principal, run_id))


@router.post("/runs/{run_id}/reject", response_model=RunPublic)
def reject_run(run_id: uuid.UUID, body: Decision, db: DbDep,
               principal: PrincipalDep) -> RunPublic:
    """The run ends as rejected; nothing is created or changed in any tool."""
    decisions.reject_run(db, principal, run_id, comment=body.comment)
    return run_public(service.get_run(db, principal, run_id))
