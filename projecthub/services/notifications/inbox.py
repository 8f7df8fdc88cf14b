"""The bell: a person's notifications in the organization they act in, newest first."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, update
from sqlmodel import Session, col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import NotFound
from projecthub.models import Notification, NotificationEvent
from projecthub.services.principal import Principal
from projecthub.services.scoping import get_scoped
from projecthub.services.views import View

PAGE = 50


class NotificationView(View):
    id: uuid.UUID
    event: NotificationEvent
    title: str
    body: str
    link: str
    created_at: datetime
    updated_at: datetime
    read: bool


def _mine(principal: Principal) -> ColumnElement[bool]:
    return and_(col(Notification.organization_id) == principal.org_id,
                col(Notification.user_id) == principal.user_id)


def list_notifications(session: Session, principal: Principal, *, unread_only: bool = False,
                       limit: int = PAGE) -> list[NotificationView]:
    statement = select(Notification).where(_mine(principal))
    if unread_only:
        statement = statement.where(col(Notification.read_at).is_(None))
    rows = session.exec(statement.order_by(col(Notification.updated_at).desc())
                        .limit(max(1, min(limit, 200)))).all()
    return [NotificationView(id=r.id, event=NotificationEvent(r.event), title=r.title,
                             body=r.body, link=r.link, created_at=r.created_at,
                             updated_at=r.updated_at, read=r.read_at is not None) for r in rows]


def unread_count(session: Session, principal: Principal) -> int:
    return int(session.exec(select(func.count()).select_from(Notification).where(
        _mine(principal), col(Notification.read_at).is_(None))).one())


def mark_read(session: Session, principal: Principal, notification_id: uuid.UUID) -> None:
    """Another person's (or organization's) notification is not found, like a missing one."""
    row = get_scoped(session, principal, Notification, notification_id, label="Notification")
    if row.user_id != principal.user_id:
        raise NotFound("Notification not found.")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)


def mark_all_read(session: Session, principal: Principal) -> int:
    result = session.exec(update(Notification).where(
        _mine(principal), col(Notification.read_at).is_(None)).values(read_at=utcnow()))
    return int(result.rowcount)
