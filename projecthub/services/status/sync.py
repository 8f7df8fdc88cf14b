"""Refreshing a project's status: fetch every resource's summary at once, keep the last good
values when a tool fails (marked stale, with the reason), recompute health, record the day's
figures. A lease on the project's status row makes sure one worker syncs a project at a time.
This job owns its transactions: the lease and the stored figures are each one unit of work."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from projecthub.connectors.errors import ConnectorError
from projecthub.core.clock import utcnow
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import (
    Figures,
    HealthLevel,
    Organization,
    Project,
    ProjectResource,
    ProjectStatus,
    Role,
    StatusHistory,
    StatusSnapshot,
    Tool,
)
from projecthub.models.status_data import SUMMARY_TYPES, AnySummary
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Principal
from projecthub.services.status.health import Health, SnapshotFacts, evaluate
from projecthub.services.status.settings import settings_from, settings_of
from projecthub.services.status.summaries import FETCHERS
from projecthub.services.tool_clients import SessionFactory, ToolClients


@dataclass
class SyncConfig:
    session_factory: SessionFactory
    tools_factory: Callable[[Principal], ToolClients]
    worker_id: str = field(default_factory=lambda: f"sync-{uuid.uuid4().hex[:8]}")
    lease: timedelta = timedelta(seconds=120)
    now: Callable[[], datetime] = utcnow


def sync_principal(org_id: uuid.UUID) -> Principal:
    """The background sync reads an organization's connections on the organization's behalf,
    not a person's: a principal that exists only inside this module."""
    return Principal(user_id=uuid.UUID(int=0), email="status-sync", org_id=org_id,
                     org_slug="", role=Role.ADMIN)


def claim(project_id: uuid.UUID, config: SyncConfig) -> bool:
    """Take the project's sync lease, committed at once so other workers see it (the sync job
    owns its transactions); the project's status row is created on first use."""
    if not _ensure_status_row(project_id, config):
        return False
    now = config.now()
    with unit_of_work(config.session_factory) as session:
        result = session.exec(update(ProjectStatus).where(
            col(ProjectStatus.project_id) == project_id,
            or_(col(ProjectStatus.lease_until).is_(None), col(ProjectStatus.lease_until) < now,
                col(ProjectStatus.lease_owner) == config.worker_id),
        ).values(lease_owner=config.worker_id, lease_until=now + config.lease))
        return bool(result.rowcount)


def _ensure_status_row(project_id: uuid.UUID, config: SyncConfig) -> bool:
    """False when the project is gone. Two workers may race to create the row: the loser's
    insert fails at commit and it goes on with the winner's row."""
    try:
        with unit_of_work(config.session_factory) as session:
            if session.get(ProjectStatus, project_id) is not None:
                return True
            project = session.get(Project, project_id)
            if project is None:
                return False
            session.add(ProjectStatus(project_id=project_id,
                                      organization_id=project.organization_id))
    except IntegrityError:
        pass
    return True


async def _fetch(tools: ToolClients, resource: ProjectResource) -> tuple[AnySummary | None, str]:
    fetcher = FETCHERS[(resource.tool, resource.kind)]
    try:
        return await fetcher(tools, resource), ""
    except ConnectorError as exc:
        return None, str(exc)
    except AppError as exc:
        return None, exc.message


def _figures(snaps: list[StatusSnapshot]) -> Figures:
    """The compact per-tool figures the dashboard shows in its rows."""
    return Figures.model_validate({
        SUMMARY_TYPES[(s.tool, s.kind)].slot: {
            "summary": s.data, "stale": bool(s.error), "fetched_at": s.fetched_at}
        for s in snaps})


async def refresh_project(project_id: uuid.UUID, config: SyncConfig) -> Health | None:
    """Sync one project now; None when another worker holds its lease."""
    if not claim(project_id, config):
        return None
    with config.session_factory() as session:
        project = session.get(Project, project_id)
        assert project is not None
        resources = [r for r in session.exec(select(ProjectResource).where(
            ProjectResource.project_id == project_id)).all() if (r.tool, r.kind) in FETCHERS]
    tools = config.tools_factory(sync_principal(project.organization_id))
    results = await asyncio.gather(*(_fetch(tools, r) for r in resources))
    with unit_of_work(config.session_factory) as session:
        return _store(session, project, list(zip(resources, results, strict=True)), config)


def _store(session: Session, project: Project,
           results: list[tuple[ProjectResource, tuple[AnySummary | None, str]]],
           config: SyncConfig) -> Health:
    now = config.now()
    snaps = []
    for resource, (data, error) in results:
        snap = session.exec(select(StatusSnapshot).where(
            StatusSnapshot.resource_id == resource.id)).first() or StatusSnapshot(
            organization_id=project.organization_id, project_id=project.id,
            resource_id=resource.id, tool=Tool(resource.tool), kind=resource.kind)
        snap.attempted_at, snap.error = now, error[:1000]
        if not error:
            snap.data, snap.fetched_at = data, now
        session.add(snap)
        snaps.append(snap)
    org = session.get(Organization, project.organization_id)
    assert org is not None
    health = evaluate([SnapshotFacts(s.tool, s.data, s.fetched_at, s.error)
                       for s in snaps], start=project.start_date, end=project.end_date,
                      now=now, settings=settings_of(org))
    status = session.get(ProjectStatus, project.id)
    assert status is not None
    notifications.health_changed(session, project, HealthLevel(status.health), health.colour,
                                 health.reasons, now)
    status.health = health.colour
    status.reasons = health.reasons
    status.figures = _figures(snaps)
    status.synced_at = now
    status.oldest_data_at = min((s.fetched_at for s in snaps if s.fetched_at), default=None)
    status.lease_owner, status.lease_until = "", None
    session.add(status)
    _record_day(session, project, status.figures, now)
    return health


def _record_day(session: Session, project: Project, figures: Figures,
                now: datetime) -> None:
    day = session.exec(select(StatusHistory).where(
        StatusHistory.project_id == project.id, StatusHistory.day == now.date())).first()
    if day is None:
        day = StatusHistory(organization_id=project.organization_id, project_id=project.id,
                            day=now.date())
    day.figures = figures
    session.add(day)


def due_projects(session: Session, now: datetime, *, limit: int = 200) -> list[uuid.UUID]:
    """Live projects whose figures are older than their organization's sync interval."""
    rows = session.exec(
        select(Project.id, Organization.settings, ProjectStatus.synced_at)
        .join(Organization, col(Organization.id) == col(Project.organization_id))
        .outerjoin(ProjectStatus, col(ProjectStatus.project_id) == col(Project.id))
        .where(col(Project.lifecycle).in_(["active", "on_hold", "completed"]),
               or_(col(ProjectStatus.synced_at).is_(None),
                   col(ProjectStatus.synced_at) < now - timedelta(minutes=1)))
        .order_by(col(ProjectStatus.synced_at).asc().nulls_first()).limit(limit * 4)).all()
    due = []
    for project_id, org_settings, synced_at in rows:
        interval = settings_from(org_settings)
        if synced_at is None or now - synced_at >= timedelta(minutes=interval.sync_minutes):
            due.append(project_id)
    return due[:limit]
