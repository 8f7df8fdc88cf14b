"""Planning the status sync so it spreads over each organization's sync interval instead of
arriving in bursts (docs/architecture.md §12).

Every live project has a fixed slot in its organization's interval (its id modulo the interval,
counted from the epoch). A planner runs once per window (a minute) and plans the projects whose
slot falls in the coming window, in batches keyed by organization, window and number, so the
engine's queueing locks refuse a second copy of a batch. Projects never synced, or left behind
for two intervals (the workers were down), are caught up in the next window. A batch checks
again before syncing each project (:func:`needs_sync`): a project synced less than an interval
ago (by hand, or by another batch; less a little slack for how late a batch runs) is skipped, so
none is synced twice in one cycle.

Organizations with a tool that answers "what changed" (Jira, Confluence, Productive; Graph for
teams) also get one change cycle per interval (:func:`plan_change_cycles`,
``changes.sync_changes``): it is due when one of their connections has no cursor yet or a cursor
an interval old (less the same slack).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from projecthub.core.clock import as_utc
from projecthub.models import Organization, Project, ProjectResource, ProjectStatus, SyncCursor
from projecthub.services.status.settings import settings_from
from projecthub.services.status.summaries import CHANGE_KINDS

LIVE = ("active", "on_hold", "completed")
BATCH_SIZE = 25
WINDOW = timedelta(minutes=1)
# A batch runs at its first project's slot and a little late at times: a project synced one
# interval ago, give or take this, is due again.
SLACK = 2 * WINDOW


@dataclass(frozen=True)
class SyncBatch:
    """Projects of one organization to sync together at ``run_at``."""

    org_id: uuid.UUID
    project_ids: tuple[uuid.UUID, ...]
    run_at: datetime
    key: str  # the queueing lock: one copy of this batch waits in the queue at most


def next_slot(project_id: uuid.UUID, interval: timedelta, now: datetime) -> datetime:
    """The project's first slot at or after ``now``."""
    period = max(int(interval.total_seconds()), 1)
    epoch = int(now.timestamp())
    slot = epoch - epoch % period + project_id.int % period
    return datetime.fromtimestamp(slot if slot >= epoch else slot + period, UTC)


def _interval(org_settings: Mapping[str, Any] | None) -> timedelta:
    return timedelta(minutes=settings_from(org_settings).sync_minutes)


def plan_sync(session: Session, window_start: datetime,
              window: timedelta = WINDOW) -> list[SyncBatch]:
    """The batches for the window starting at ``window_start`` (read across organizations,
    like the sync itself: ids only)."""
    rows = session.exec(
        select(Project.id, Project.organization_id, Organization.settings, ProjectStatus.synced_at)
        .join(Organization, col(Organization.id) == col(Project.organization_id))
        .outerjoin(ProjectStatus, col(ProjectStatus.project_id) == col(Project.id))
        .where(col(Project.lifecycle).in_(LIVE))).all()
    slotted: dict[uuid.UUID, list[tuple[datetime, uuid.UUID]]] = {}
    overdue: dict[uuid.UUID, list[uuid.UUID]] = {}
    end = window_start + window
    for project_id, org_id, org_settings, synced_at in rows:
        interval = _interval(org_settings)
        if synced_at is None or window_start - as_utc(synced_at) >= 2 * interval:
            overdue.setdefault(org_id, []).append(project_id)
            continue
        slot = next_slot(project_id, interval, window_start)
        if slot < end:
            slotted.setdefault(org_id, []).append((slot, project_id))
    stamp = int(window_start.timestamp())
    batches = []
    for org_id, slots in slotted.items():
        slots.sort()
        for n, start in enumerate(range(0, len(slots), BATCH_SIZE)):
            chunk = slots[start:start + BATCH_SIZE]
            batches.append(SyncBatch(org_id, tuple(p for _, p in chunk), chunk[0][0],
                                     f"status-sync:{org_id}:{stamp}:{n}"))
    for org_id, projects in overdue.items():
        projects.sort()
        for n, start in enumerate(range(0, len(projects), BATCH_SIZE)):
            batches.append(SyncBatch(org_id, tuple(projects[start:start + BATCH_SIZE]),
                                     window_start, f"status-sync:{org_id}:overdue:{n}"))
    return batches


# What the change cycle reads (a Jira project, a Confluence space, a team; not a page, a plan).
_CHANGED = or_(*(and_(col(ProjectResource.tool) == tool, col(ProjectResource.kind) == kind)
                 for tool, kind in sorted(CHANGE_KINDS)))


def plan_change_cycles(session: Session, now: datetime) -> list[uuid.UUID]:
    """Organizations whose change cycle is due (read across organizations: ids only)."""
    cursors = session.exec(
        select(ProjectResource.organization_id, ProjectResource.connection_id,
               SyncCursor.checked_at)
        .join(Project, col(Project.id) == col(ProjectResource.project_id))
        .outerjoin(SyncCursor, col(SyncCursor.connection_id) == col(
            ProjectResource.connection_id))
        .where(col(Project.lifecycle).in_(LIVE), _CHANGED,
               col(ProjectResource.connection_id).is_not(None))
        .distinct()).all()
    orgs = {org_id for org_id, _, _ in cursors}
    intervals = {org_id: _interval(org_settings) for org_id, org_settings in session.exec(
        select(Organization.id, Organization.settings).where(col(Organization.id).in_(orgs)))}
    due = set()
    for org_id, _, checked_at in cursors:
        interval = intervals[org_id]
        if checked_at is None or now - as_utc(checked_at) >= max(interval - SLACK, interval / 2):
            due.add(org_id)
    return sorted(due)


def needs_sync(session: Session, project_id: uuid.UUID, now: datetime) -> bool:
    """Still live and not synced within its organization's interval (less :data:`SLACK`, and at
    least half the interval)."""
    row = session.exec(
        select(Project.lifecycle, Organization.settings, ProjectStatus.synced_at)
        .join(Organization, col(Organization.id) == col(Project.organization_id))
        .outerjoin(ProjectStatus, col(ProjectStatus.project_id) == col(Project.id))
        .where(col(Project.id) == project_id)).first()
    if row is None or row[0] not in LIVE:
        return False
    synced_at, interval = row[2], _interval(row[1])
    return synced_at is None or now - as_utc(synced_at) >= max(interval - SLACK, interval / 2)


__all__ = ["BATCH_SIZE", "SLACK", "WINDOW", "SyncBatch", "needs_sync", "next_slot",
           "plan_change_cycles", "plan_sync"]
