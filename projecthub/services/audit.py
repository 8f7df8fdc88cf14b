"""Recording and reading the audit log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from projecthub.models import AuditEvent, Role
from projecthub.services.principal import Actor, Principal, require_role
from projecthub.services.scoping import scoped_select


def _event(actor: Actor | Principal | None, action: str, *, org_id: uuid.UUID | None,
           target_type: str, target_id: Any, detail: dict[str, Any] | None) -> AuditEvent:
    if isinstance(actor, Principal) and org_id is None:
        org_id = actor.org_id
    return AuditEvent(
        organization_id=org_id,
        actor_id=actor.user_id if actor else None,
        actor_email=actor.email if actor else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
    )


def record(session: Session, actor: Actor | Principal | None, action: str, *,
           org_id: uuid.UUID | None = None, target_type: str = "", target_id: Any = "",
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Add an event to the caller's transaction; it commits with the change it describes."""
    event = _event(actor, action, org_id=org_id, target_type=target_type, target_id=target_id,
                   detail=detail)
    session.add(event)
    return event


def record_apart(connection: Connection, actor: Actor | None, action: str, *,
                 target_type: str = "", target_id: Any = "",
                 detail: dict[str, Any] | None = None) -> None:
    """Write an instance-level event on a connection whose transaction the caller owns apart
    from the request's: for an event whose request is rolled back (a failed login)."""
    event = _event(actor, action, org_id=None, target_type=target_type, target_id=target_id,
                   detail=detail)
    connection.execute(insert(AuditEvent).values(**event.model_dump()))


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int
    actions: list[str]
    actors: list[str]


def list_events(session: Session, principal: Principal, *, actor_email: str | None = None,
                action: str | None = None, since: datetime | None = None, limit: int = 50,
                offset: int = 0) -> AuditPage:
    """Newest first, filtered by actor and action; admins and owners only."""
    require_role(principal, Role.ADMIN)
    query = scoped_select(principal, AuditEvent)
    if actor_email:
        query = query.where(AuditEvent.actor_email == actor_email.strip().lower())
    if action:
        query = query.where(AuditEvent.action == action)
    if since:
        query = query.where(AuditEvent.created_at >= since)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    events = session.exec(
        query.order_by(col(AuditEvent.created_at).desc()).offset(max(offset, 0))
        .limit(min(max(limit, 1), 200))).all()
    base = scoped_select(principal, AuditEvent).subquery()
    actions = session.exec(select(base.c.action).distinct().order_by(base.c.action)).all()
    actors = session.exec(
        select(base.c.actor_email).where(base.c.actor_email != "").distinct()
        .order_by(base.c.actor_email)).all()
    return AuditPage(list(events), int(total), list(actions), list(actors))
