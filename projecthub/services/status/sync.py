"""Refreshing a project's status: fetch every resource's summary at once, keep the last good
values when a tool fails (marked stale, with the reason), recompute health, record the day's
figures. A lease on the project's status row makes sure one worker syncs a project at a time.
This job owns its transactions: the lease and the stored figures are each one unit of work.

Resources with a change query (``summaries.CHANGE_KINDS``) are read here only at the
project's full pass (every ``full_pass_hours``); in between, the change cycle
(``changes.sync_changes``) reads again the ones that changed. Health is always evaluated over
every snapshot, so rules that move with time alone stay current."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from projecthub.connectors.errors import AuthFailed, ConnectorError
from projecthub.core import log_context
from projecthub.core.clock import as_utc, utcnow
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import (
    Figures,
    HealthLevel,
    Organization,
    Project,
    ProjectResource,
    ProjectStatus,
    ProvisioningRun,
    Role,
    RunStatus,
    StatusHistory,
    StatusSnapshot,
    Tool,
)
from projecthub.models.status_data import SUMMARY_TYPES, AnySummary
from projecthub.services.connection_checks import system_credential_refused
from projecthub.services.drift.compare import differences
from projecthub.services.drift.reality import Desired, Reality, read_reality
from projecthub.services.drift.records import (
    system_announce,
    system_desired,
    system_record,
    system_recount,
)
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Principal
from projecthub.services.status.health import Health, SnapshotFacts, evaluate
from projecthub.services.status.settings import settings_of
from projecthub.services.status.summaries import CHANGE_KINDS, FETCHERS
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


# Marks a fetch whose credential the tool refused (401): the connection is failing, not the project.
REFUSED = "Credential refused: "


async def _fetch(tools: ToolClients, resource: ProjectResource) -> tuple[AnySummary | None, str]:
    fetcher = FETCHERS[(resource.tool, resource.kind)]
    try:
        return await fetcher(tools, resource), ""
    except AuthFailed as exc:
        return None, REFUSED + str(exc)
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


async def refresh_project(project_id: uuid.UUID, config: SyncConfig, *, scheduled: bool = False,
                          only: frozenset[uuid.UUID] | None = None,
                          webhook_tool: Tool | None = None) -> Health | None:
    """Sync one project now; None when another worker holds its lease. A person's refresh reads
    everything; a ``scheduled`` one reads resources with a change query only when the
    project's full pass is due. ``only`` names the resources the change cycle found changed:
    just those are read, without drift (the full pass reads drift). Its log lines name the
    project and its organization; the database work runs in worker threads, so the event loop
    keeps every other project's requests moving. ``webhook_tool``: a webhook from that tool
    asked for this sync, and its resources' figures say so (docs/architecture.md §15)."""
    with log_context.scope(project_id=project_id):
        return await _refresh(project_id, config, scheduled, only, webhook_tool)


@dataclass(frozen=True)
class _Loaded:
    project: Project
    resources: list[ProjectResource]  # the ones to read now
    desired: dict[uuid.UUID, Desired]  # empty: drift is not read this time
    full: bool  # every resource is read: the project's full pass
    changes_only: bool = False  # the change cycle's read: not this interval's sync of the project
    webhook_tool: Tool | None = None  # a webhook from this tool asked for the read


async def _refresh(project_id: uuid.UUID, config: SyncConfig, scheduled: bool,
                   only: frozenset[uuid.UUID] | None, webhook_tool: Tool | None) -> Health | None:
    loaded = await asyncio.to_thread(_claim_and_load, project_id, config, scheduled, only)
    if loaded is None:
        return None
    loaded = dataclasses.replace(loaded, webhook_tool=webhook_tool)
    log_context.bind(org_id=loaded.project.organization_id)
    tools = config.tools_factory(sync_principal(loaded.project.organization_id))
    resources = loaded.resources
    results, realities = await asyncio.gather(
        asyncio.gather(*(_fetch(tools, r) for r in resources)),
        asyncio.gather(*(read_reality(tools, r, loaded.desired[r.id]) if loaded.desired
                         else _no_reality() for r in resources)))
    return await asyncio.to_thread(_store_results, loaded, list(results), list(realities), config)


async def _no_reality() -> Reality | None:
    return None


def _claim_and_load(project_id: uuid.UUID, config: SyncConfig, scheduled: bool,
                    only: frozenset[uuid.UUID] | None) -> _Loaded | None:
    if not claim(project_id, config):
        return None
    with config.session_factory() as session:
        project = session.get(Project, project_id)
        assert project is not None
        resources = [r for r in session.exec(select(ProjectResource).where(
            ProjectResource.project_id == project_id)).all() if (r.tool, r.kind) in FETCHERS]
        if only is not None:
            chosen = [r for r in resources if r.id in only]
            return _Loaded(project, chosen, {}, full=False, changes_only=True)
        if not scheduled or _full_pass_due(session, project, config.now()):
            return _Loaded(project, resources, system_desired(session, project, resources),
                           full=True)
        polled = [r for r in resources if (r.tool, r.kind) not in CHANGE_KINDS]
        return _Loaded(project, polled, system_desired(session, project, polled), full=False)


def _full_pass_due(session: Session, project: Project, now: datetime) -> bool:
    """Never read in full, or not within the organization's full-pass interval."""
    status = session.get(ProjectStatus, project.id)
    org = session.get(Organization, project.organization_id)
    assert status is not None and org is not None
    return status.full_synced_at is None or now - as_utc(status.full_synced_at) >= timedelta(
        hours=settings_of(org).full_pass_hours)


def _store_results(loaded: _Loaded, results: list[tuple[AnySummary | None, str]],
                   realities: list[Reality | None], config: SyncConfig) -> Health:
    project, resources = loaded.project, loaded.resources
    with unit_of_work(config.session_factory) as session:
        for resource, (_, error) in zip(resources, results, strict=True):
            if error.startswith(REFUSED) and resource.connection_id is not None:
                system_credential_refused(session, resource.connection_id,
                                          error.removeprefix(REFUSED), config.now())
        gone = _record_drift(session, project, resources, loaded.desired, realities,
                             config.now())
        return _store(session, project, [
            (r, result) for r, result in zip(resources, results, strict=True) if r.id not in gone],
            config, full=loaded.full, changes_only=loaded.changes_only,
            webhook_tool=loaded.webhook_tool)


def _run_under_way(session: Session, project_id: uuid.UUID) -> bool:
    return session.exec(select(ProvisioningRun.id).where(
        ProvisioningRun.project_id == project_id,
        col(ProvisioningRun.status).in_([RunStatus.PENDING, RunStatus.RUNNING]))).first() \
        is not None


def _record_drift(session: Session, project: Project, resources: list[ProjectResource],
                  desired: dict[uuid.UUID, Desired], realities: list[Reality | None],
                  now: datetime) -> set[uuid.UUID]:
    """Store each readable resource's drift; a resource deleted in the tool is drift, so its
    figures are dropped rather than kept as stale. Returns the deleted resources' ids. While
    a run of the project is under way (an archive, a rename), the tools are between two states:
    what was recorded stays until a sync after the run."""
    if _run_under_way(session, project.id):
        return set()
    gone, new = set(), []
    for resource, reality in zip(resources, realities, strict=True):
        if reality is None:
            continue
        new += system_record(session, project, resource,
                             differences(desired[resource.id], reality), now)
        if reality.deleted:
            gone.add(resource.id)
            for snap in session.exec(select(StatusSnapshot).where(
                    StatusSnapshot.resource_id == resource.id)).all():
                session.delete(snap)
    db_project = session.get(Project, project.id)
    assert db_project is not None
    system_recount(session, db_project)
    system_announce(session, db_project, new, now)
    return gone


def _store(session: Session, project: Project,
           results: list[tuple[ProjectResource, tuple[AnySummary | None, str]]],
           config: SyncConfig, *, full: bool = True, changes_only: bool = False,
           webhook_tool: Tool | None = None) -> Health:
    """Write what was read, then evaluate health over every snapshot of the project (those not
    read this time included, as their figures stand). A change cycle's read leaves
    ``synced_at`` alone: the project's scheduled sync must still read the polled tools."""
    now = config.now()
    for resource, (data, error) in results:
        snap = session.exec(select(StatusSnapshot).where(
            StatusSnapshot.resource_id == resource.id)).first() or StatusSnapshot(
            organization_id=project.organization_id, project_id=project.id,
            resource_id=resource.id, tool=Tool(resource.tool), kind=resource.kind)
        snap.attempted_at, snap.error = now, error[:1000]
        if not error:
            snap.data, snap.fetched_at = data, now
            snap.refreshed_by = "webhook" if resource.tool == webhook_tool else "sync"
        session.add(snap)
    snaps = list(session.exec(select(StatusSnapshot).where(
        StatusSnapshot.project_id == project.id).order_by(col(StatusSnapshot.resource_id))).all())
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
    if not changes_only:
        status.synced_at = now
    if full:
        status.full_synced_at = now
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
