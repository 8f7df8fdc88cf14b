"""The audit log as a file for org admins (CSV for a spreadsheet, JSON lines for a log tool),
and its retention.

An export is read in keyset pages (newest first, by time then id), each in a short read of its
own that the edge opens, so a log of any size streams in constant memory and no transaction is
held while the client downloads. The same role rule as the audit page: admins and owners."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_
from sqlmodel import Session, and_, col

from projecthub.core.clock import as_utc
from projecthub.core.config import settings
from projecthub.models import AuditEvent, Role
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import scoped_select
from projecthub.services.spreadsheet import csv_rows

PAGE_SIZE = 500
COLUMNS = ("time", "actor", "action", "target_type", "target_id", "detail")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @property
    def media_type(self) -> str:
        return "text/csv; charset=utf-8" if self is ExportFormat.CSV else \
            "application/x-ndjson; charset=utf-8"


@dataclass(frozen=True)
class AuditFilter:
    actor_email: str | None = None
    action: str | None = None


Cursor = tuple[datetime, uuid.UUID]  # the (time, id) of the last event sent
PageReader = Callable[[Cursor | None], list[AuditEvent]]


def export_page(session: Session, principal: Principal, filters: AuditFilter,
                after: Cursor | None, *, limit: int = PAGE_SIZE) -> list[AuditEvent]:
    """The next page of the organization's events, newest first, after ``after``."""
    require_role(principal, Role.ADMIN)
    query = scoped_select(principal, AuditEvent)
    if filters.actor_email:
        query = query.where(AuditEvent.actor_email == filters.actor_email.strip().lower())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if after is not None:
        at, event_id = after
        query = query.where(or_(col(AuditEvent.created_at) < at,
                                and_(col(AuditEvent.created_at) == at,
                                     col(AuditEvent.id) < event_id)))
    query = query.order_by(col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
    return list(session.exec(query.limit(limit)).all())


def export_chunks(first: list[AuditEvent], read: PageReader,
                  fmt: ExportFormat) -> Iterator[str]:
    """The file in pieces, one per page: ``first`` (read by the caller, so a refusal is an
    error before anything is sent), then ``read`` until a short page."""
    if fmt is ExportFormat.CSV:
        yield csv_rows([COLUMNS])
    page = first
    while page:
        yield _csv(page) if fmt is ExportFormat.CSV else _jsonl(page)
        if len(page) < PAGE_SIZE:
            return
        page = read((page[-1].created_at, page[-1].id))


def _csv(events: list[AuditEvent]) -> str:
    return csv_rows([as_utc(e.created_at).isoformat(), e.actor_email, e.action, e.target_type,
                     e.target_id, json.dumps(e.detail, sort_keys=True)] for e in events)


def _jsonl(events: list[AuditEvent]) -> str:
    return "".join(json.dumps({
        "id": str(e.id), "time": as_utc(e.created_at).isoformat(),
        "actor_id": str(e.actor_id) if e.actor_id else None, "actor_email": e.actor_email,
        "action": e.action, "target_type": e.target_type, "target_id": e.target_id,
        "detail": e.detail}, sort_keys=True) + "\n" for e in events)


def export_filename(principal: Principal, fmt: ExportFormat, now: datetime) -> str:
    return f"audit-{principal.org_slug or 'organization'}-{now:%Y%m%d-%H%M%S}.{fmt.value}"


def retention_days() -> int:
    return settings.AUDIT_RETENTION_DAYS


def purge_expired_audit(session: Session, now: datetime) -> int:
    """Delete every organization's and the instance's events older than the retention
    (``PROJECTHUB_AUDIT_RETENTION_DAYS``); how many. A system job across tenants, run by the
    operator's ``projecthub audit-purge`` or a periodic task; the caller commits. The purge
    itself is recorded as an instance event."""
    days = retention_days()
    result = session.exec(delete(AuditEvent).where(
        col(AuditEvent.created_at) < now - timedelta(days=days)))
    deleted = int(result.rowcount or 0)
    if deleted:  # the log says where its older part went
        audit.record(session, None, "instance.audit_purged", target_type="instance",
                     detail={"deleted": deleted, "retention_days": days})
    return deleted
