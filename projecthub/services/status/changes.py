"""The change cycle: ask each tool that has a change query what changed since the last cycle, and
read again only the resources it names (docs/architecture.md §5, "Only what changed"): Jira
projects, Confluence spaces and Productive projects by a time window, Graph teams by a delta
link (``summaries.CHANGE_QUERIES``).

Per connection a cursor (``SyncCursor.checked_at``) says up to when every change is in the
snapshots. A cycle asks for changes in a window from the cursor, less :data:`OVERLAP` (Jira's search
is eventually consistent and a window must not miss a change made as the last one was taken), to
now. Without a cursor the window starts at the oldest good snapshot of the connection's resources,
which are exact up to their fetch; a resource without a good snapshot (never read, or its last read
failed) is always read. The cursor moves to the cycle's start only when the query succeeded and
every read it asked for succeeded or recorded its failure (a resource whose read failed is read in
full at every cycle until it succeeds); a failed query or a read cut short is retried by the next
cycle from the same point. A tool with its own cursor (a ``TokenQuery``: Graph's delta link) is
asked from the token kept with the cursor, which moves under the same rule; without one it names
every resource and gives a token. What a change query cannot see (deleted issues, sprint changes,
drift) is read at each project's full pass (``sync.refresh_project(scheduled=True)``, every
``full_pass_hours``). This job owns its transactions, like the sync it drives.
"""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from projecthub.connectors.errors import ConnectorError
from projecthub.core.clock import as_utc
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import Project, ProjectResource, StatusSnapshot, SyncCursor, Tool
from projecthub.services.status.schedule import LIVE
from projecthub.services.status.summaries import (
    CHANGE_BY_ID,
    CHANGE_KINDS,
    CHANGE_QUERIES,
    TokenQuery,
)
from projecthub.services.status.sync import SyncConfig, refresh_project, sync_principal
from projecthub.services.tool_clients import ToolClients

log = logging.getLogger(__name__)

# Changes made this long before the cursor are asked for again: Jira's search index lags a
# write by a moment, and the two clocks (ours for the cursor, the vendor's for the window) may
# drift apart by a little between cycles.
OVERLAP = timedelta(minutes=2)
CONCURRENCY = 8  # projects read again at once, as a sync batch does


@dataclass(frozen=True)
class _Connection:
    """One connection's resources in live projects, and where its change window starts
    (``None``: nothing to start from, every resource is read)."""

    id: uuid.UUID
    tool: str
    kind: str
    resources: list[ProjectResource]
    unread: frozenset[uuid.UUID]  # resources without a good snapshot
    since: datetime | None
    token: str | None  # the tool's own cursor, kept from the last good cycle


@dataclass(frozen=True)
class _Asked:
    """The resources a connection's query named, and the token it gave for the next cycle."""

    resources: list[ProjectResource]
    token: str | None = None


@dataclass(frozen=True)
class CycleOutcome:
    """What a cycle did: connections asked, those whose query failed, resources read again
    (and how many of those reads failed), projects touched, cursors moved."""

    connections: int
    queries_failed: int
    resources_read: int
    reads_failed: int
    projects: int
    cursors_moved: int


async def sync_changes(org_id: uuid.UUID, config: SyncConfig, *,
                       concurrency: int = CONCURRENCY) -> CycleOutcome:
    """One change cycle for an organization's connections whose tool has a change query."""
    started = config.now()
    connections = await asyncio.to_thread(_load, org_id, config)
    tools = config.tools_factory(sync_principal(org_id))
    chosen = await asyncio.gather(*(_to_read(tools, c, started) for c in connections))
    asked = {c.id: picked for c, picked in zip(connections, chosen, strict=True)
             if picked is not None}
    by_project: dict[uuid.UUID, set[uuid.UUID]] = {}
    for picked in asked.values():
        for resource in picked.resources:
            if resource.project_id is not None:
                by_project.setdefault(resource.project_id, set()).add(resource.id)
    slots = asyncio.Semaphore(concurrency)

    async def read(project_id: uuid.UUID, resource_ids: set[uuid.UUID]) -> None:
        async with slots:
            try:
                await refresh_project(project_id, config, only=frozenset(resource_ids))
            except (ConnectorError, AppError):
                log.exception("change cycle: project %s could not be read", project_id)

    await asyncio.gather(*(read(p, ids) for p, ids in sorted(by_project.items())))
    return await asyncio.to_thread(_finish, org_id, connections, asked, started, config)


def _load(org_id: uuid.UUID, config: SyncConfig) -> list[_Connection]:
    with config.session_factory() as session:
        resources = session.exec(
            select(ProjectResource).join(Project, col(Project.id) == col(
                ProjectResource.project_id))
            .where(col(ProjectResource.organization_id) == org_id,
                   col(ProjectResource.tool).in_(sorted({t for t, _ in CHANGE_KINDS})),
                   col(Project.lifecycle).in_(LIVE))
            .order_by(col(ProjectResource.id))).all()
        resources = [r for r in resources if (r.tool, r.kind) in CHANGE_KINDS]
        fetched = _good_snapshots(session, (r.id for r in resources))
        cursors = {c.connection_id: c for c in session.exec(
            select(SyncCursor).where(col(SyncCursor.organization_id) == org_id)).all()}
    grouped: dict[uuid.UUID, list[ProjectResource]] = {}
    for resource in resources:
        if resource.connection_id is not None:
            grouped.setdefault(resource.connection_id, []).append(resource)
    connections = []
    for connection_id, members in grouped.items():
        read_at = [fetched[r.id] for r in members if r.id in fetched]
        cursor = cursors.get(connection_id)
        since = as_utc(cursor.checked_at) if cursor else (min(read_at) if read_at else None)
        connections.append(_Connection(
            connection_id, members[0].tool, members[0].kind, members,
            frozenset(r.id for r in members if r.id not in fetched), since,
            cursor.change_token if cursor else None))
    return connections


def _good_snapshots(session: Session, resource_ids: Iterable[uuid.UUID],
                    ) -> dict[uuid.UUID, datetime]:
    """Resource → when its figures were last read, for snapshots whose last read succeeded."""
    ids = list(resource_ids)
    rows = session.exec(select(StatusSnapshot.resource_id, StatusSnapshot.fetched_at)
                        .where(col(StatusSnapshot.resource_id).in_(ids),
                               col(StatusSnapshot.error) == "",
                               col(StatusSnapshot.fetched_at).is_not(None))).all() if ids else []
    return {resource_id: as_utc(at) for resource_id, at in rows if at is not None}


def _reads_since(session: Session, resource_ids: list[uuid.UUID],
                 since: datetime) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """Of ``resource_ids``, those read well since ``since``, and those whose read failed since
    then and says so on its snapshot (one look at the snapshots for both)."""
    rows = session.exec(select(StatusSnapshot.resource_id, StatusSnapshot.fetched_at,
                               StatusSnapshot.attempted_at, StatusSnapshot.error)
                        .where(col(StatusSnapshot.resource_id).in_(resource_ids))
                        ).all() if resource_ids else []
    read: set[uuid.UUID] = set()
    failed: set[uuid.UUID] = set()
    for resource_id, fetched_at, attempted_at, error in rows:
        if not error and fetched_at is not None and as_utc(fetched_at) >= since:
            read.add(resource_id)
        elif error and attempted_at is not None and as_utc(attempted_at) >= since:
            failed.add(resource_id)
    return read, failed


async def _to_read(tools: ToolClients, connection: _Connection, now: datetime) -> _Asked | None:
    """The connection's resources to read again; ``None`` when its change query failed."""
    query = CHANGE_QUERIES[(connection.tool, connection.kind)]
    keys = [_change_key(r) for r in connection.resources]
    try:
        if isinstance(query, TokenQuery):
            found = await query.ask(tools, connection.id, keys, connection.token)
            return _Asked(_named(connection, found.keys), found.token)
        if connection.since is None or connection.unread == {
                r.id for r in connection.resources}:
            return _Asked(connection.resources)
        minutes = math.ceil((now - connection.since + OVERLAP).total_seconds() / 60)
        return _Asked(_named(connection, await query(tools, connection.id, keys, minutes)))
    except (ConnectorError, AppError) as exc:
        log.warning("change cycle: %s connection %s could not be asked what changed: %s",
                    connection.tool, connection.id, exc)
        return None


def _named(connection: _Connection, changed: set[str] | None) -> list[ProjectResource]:
    """The resources changed (every one when the tool cannot say) or never read well."""
    return [r for r in connection.resources if changed is None or r.id in connection.unread
            or _change_key(r) in changed]


def _change_key(resource: ProjectResource) -> str:
    """How a change query names a resource: by key (a Jira project, a Confluence space, a
    team), or by id for the tools in ``CHANGE_BY_ID`` (a Productive project's key is its
    number)."""
    return resource.external_id if resource.tool in CHANGE_BY_ID else resource.external_key


def _finish(org_id: uuid.UUID, connections: list[_Connection], asked: dict[uuid.UUID, _Asked],
            started: datetime, config: SyncConfig) -> CycleOutcome:
    """Move the cursor (and keep the new token) of each connection whose query succeeded and
    whose reads either succeeded or recorded their failure. A recorded failure leaves the
    resource without a good snapshot, so every cycle reads it in full until it succeeds: it
    need not hold the cursor, and must not, or one resource that keeps failing (a team deleted
    in the tool) would widen every later window of its connection, and outlive Graph's delta
    link. A read that recorded nothing (cut short) holds it: the next cycle asks again."""
    moved = failed = 0
    with unit_of_work(config.session_factory) as session:
        for connection in connections:
            if connection.id not in asked:
                continue
            wanted = [r.id for r in asked[connection.id].resources]
            read, recorded = _reads_since(session, wanted, started)
            misses = set(wanted) - read
            failed += len(misses)
            if misses - recorded:
                continue
            cursor = session.get(SyncCursor, connection.id) or SyncCursor(
                connection_id=connection.id, organization_id=org_id, tool=Tool(connection.tool),
                checked_at=started)
            cursor.checked_at = max(as_utc(cursor.checked_at), started)
            cursor.change_token = asked[connection.id].token or cursor.change_token
            session.add(cursor)
            moved += 1
    return CycleOutcome(
        connections=len(connections), queries_failed=len(connections) - len(asked),
        resources_read=sum(len(a.resources) for a in asked.values()), reads_failed=failed,
        projects=len({r.project_id for a in asked.values() for r in a.resources}),
        cursors_moved=moved)


__all__ = ["OVERLAP", "CycleOutcome", "sync_changes"]
