"""The organization's audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import AuditEventPublic, AuditPagePublic
from projecthub.services import audit

router = APIRouter(prefix="/orgs/{org_slug}/audit-events", tags=["audit"])


@router.get("", response_model=AuditPagePublic)
def list_audit_events(
    db: DbDep, principal: PrincipalDep,
    actor: Annotated[str | None, Query(max_length=320, description="Actor email")] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPagePublic:
    page = audit.list_events(db, principal, actor_email=actor, action=action, limit=limit,
                             offset=offset)
    return AuditPagePublic(items=[AuditEventPublic.model_validate(e) for e in page.events],
                           total=page.total, limit=limit, offset=offset)
