"""The organization's audit log: a page of it, or all of it as a file (CSV or JSON lines),
for an API token or, from the audit page's buttons, for the browser's session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import AuditEventPublic, AuditPagePublic
from projecthub.core.clock import utcnow
from projecthub.core.db import new_session, unit_of_work
from projecthub.core.errors import PermissionDenied
from projecthub.core.web import session_token_from_header
from projecthub.models import AuditEvent
from projecthub.services import audit, sessions
from projecthub.services.audit_export import (
    AuditFilter,
    Cursor,
    ExportFormat,
    export_chunks,
    export_filename,
    export_page,
)
from projecthub.services.principal import Principal
from projecthub.services.scoping import act_as

router = APIRouter(prefix="/orgs/{org_slug}/audit-events", tags=["audit"])
# The audit page's download buttons: the browser's session cookie, its current organization.
session_router = APIRouter(prefix="/session/audit-events", tags=["audit"])

ActorQuery = Annotated[str | None, Query(max_length=320, description="Actor email")]
ActionQuery = Annotated[str | None, Query(max_length=64)]
FormatQuery = Annotated[ExportFormat, Query(alias="format", description="csv or jsonl")]
_EXPORT_RESPONSES: dict[int | str, dict[str, object]] = {200: {
    "description": "The events, newest first, streamed.",
    "content": {"text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}}}}}


@router.get("", response_model=AuditPagePublic)
def list_audit_events(
    db: DbDep, principal: PrincipalDep, actor: ActorQuery = None, action: ActionQuery = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPagePublic:
    page = audit.list_events(db, principal, actor_email=actor, action=action, limit=limit,
                             offset=offset)
    return AuditPagePublic(items=[AuditEventPublic.model_validate(e) for e in page.events],
                           total=page.total, limit=limit, offset=offset)


@router.get("/export", response_class=StreamingResponse, responses=_EXPORT_RESPONSES)
def export_audit_events(db: DbDep, principal: PrincipalDep, fmt: FormatQuery = ExportFormat.CSV,
                        actor: ActorQuery = None, action: ActionQuery = None) -> StreamingResponse:
    """Every event matching the filters as a file; admins and owners only (as the log)."""
    return _stream(db, principal, fmt, AuditFilter(actor, action))


def _session_principal(request: Request, db: Session) -> Principal:
    """The signed-in person in their current organization. A download started by another site
    is refused (the browser says so in ``Sec-Fetch-Site``)."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise PermissionDenied("This request came from a site that is not allowed.")
    context = sessions.resolve_session(db, session_token_from_header(
        request.headers.get("cookie")))
    return sessions.session_principal(db, context)


@session_router.get("/export", response_class=StreamingResponse, include_in_schema=False)
def export_for_session(request: Request, db: DbDep, fmt: FormatQuery = ExportFormat.CSV,
                       actor: ActorQuery = None, action: ActionQuery = None) -> StreamingResponse:
    return _stream(db, _session_principal(request, db), fmt, AuditFilter(actor, action))


def _stream(db: Session, principal: Principal, fmt: ExportFormat,
            filters: AuditFilter) -> StreamingResponse:
    """The first page in the request's transaction (a refusal is an ordinary error answer),
    the rest in a short read each while the response streams."""
    first = export_page(db, principal, filters, None)

    def read(after: Cursor | None) -> list[AuditEvent]:
        with unit_of_work(new_session) as session:
            act_as(session, principal)
            return export_page(session, principal, filters, after)

    name = export_filename(principal, fmt, utcnow())
    return StreamingResponse(export_chunks(first, read, fmt), media_type=fmt.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
