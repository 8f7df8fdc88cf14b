"""The dashboard's project list: filters, sort and pages over the stored status, in a fixed
number of queries whatever the number of projects; never a call to a tool."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from projecthub.core.errors import Invalid
from projecthub.models import (
    Figures,
    HealthLevel,
    Lifecycle,
    Project,
    ProjectMember,
    ProjectStatus,
    ProjectTally,
    Role,
    Tool,
    User,
)
from projecthub.services.principal import Principal
from projecthub.services.projects import visible_projects
from projecthub.services.spreadsheet import csv_text

HEALTHS = tuple(HealthLevel)
TOOLS = tuple(Tool)
SORTS = ("name", "key", "health", "end_date", "lifecycle", "synced_at")
_HEALTH_RANK = case({HealthLevel.RED: 0, HealthLevel.AMBER: 1, HealthLevel.UNKNOWN: 2,
                     HealthLevel.GREEN: 3},
                    value=Project.health, else_=2)


@dataclass(frozen=True)
class DashboardQuery:
    q: str = ""
    health: str = ""
    lifecycle: str = ""
    tool: str = ""
    owner: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    page_size: int = 25
    drifted: bool = False  # only projects whose tools differ from ProjectHub

    def check(self) -> None:
        problems = {}
        if self.health and self.health not in HEALTHS:
            problems["health"] = f"Choose one of {', '.join(HEALTHS)}."
        if self.lifecycle and self.lifecycle not in {s.value for s in Lifecycle}:
            problems["lifecycle"] = "Unknown lifecycle state."
        if self.tool and self.tool not in TOOLS:
            problems["tool"] = f"Choose one of {', '.join(TOOLS)}."
        if self.sort not in SORTS:
            problems["sort"] = f"Sort by one of {', '.join(SORTS)}."
        if not 1 <= self.page_size <= 200 or self.page < 1:
            problems["page"] = "Pages are numbered from 1 and hold 1 to 200 projects."
        if self.owner:
            try:
                uuid.UUID(self.owner)
            except ValueError:
                problems["owner"] = "Unknown owner."
        if problems:
            raise Invalid("Some filters are not valid.", problems)


class ProjectRow(BaseModel):
    """One project as the dashboard lists it; the API answers this very shape."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    name: str
    key: str
    client_company: str
    lifecycle: Lifecycle
    health: HealthLevel
    reasons: list[str] = Field(description="Up to three reasons that are not green.")
    figures: Figures
    owner_name: str
    start_date: date | None
    end_date: date | None
    synced_at: datetime | None
    oldest_data_at: datetime | None
    tools: list[Tool] = Field(default_factory=list)
    drift_count: int = Field(default=0, description="Open differences between the tools and "
                                                    "ProjectHub (see the project's drift).")


@dataclass(frozen=True)
class DashboardPage:
    rows: list[ProjectRow]
    total: int
    page: int
    page_size: int
    by_health: dict[str, int]
    by_lifecycle: dict[str, int]


def _filtered(principal: Principal, query: DashboardQuery) -> Any:
    """The matching projects; ``projects.health`` and ``projects.tools`` (kept by triggers) let
    one index serve both the filters and the order."""
    statement = visible_projects(principal)
    if query.lifecycle:
        statement = statement.where(Project.lifecycle == query.lifecycle)
    else:  # archived projects leave the default view
        statement = statement.where(Project.lifecycle != Lifecycle.ARCHIVED)
    if query.q.strip():
        like = f"%{query.q.strip().lower()}%"
        statement = statement.where(or_(func.lower(Project.name).like(like),
                                        func.lower(Project.key).like(like),
                                        func.lower(Project.client_company).like(like)))
    if query.health:
        statement = statement.where(Project.health == query.health)
    if query.tool:
        statement = statement.where(col(Project.tools).contains(f",{query.tool},"))
    if query.owner:
        statement = statement.where(Project.owner_id == uuid.UUID(query.owner))
    if query.drifted:  # projects.drift_count is kept by the status sync
        statement = statement.where(col(Project.drift_count) > 0)
    return statement


# What a dashboard row reads, as plain columns: no ORM objects to build and track (that was
# half the list's CPU), and none of the heavy columns (answers, description, leases).
_ROW_COLUMNS: tuple[Any, ...] = (
    Project.id, Project.name, Project.key, Project.client_company, Project.lifecycle,
    Project.start_date, Project.end_date, Project.drift_count, Project.tools,
    ProjectStatus.health, ProjectStatus.reasons, ProjectStatus.figures, ProjectStatus.synced_at,
    ProjectStatus.oldest_data_at, User.display_name.label("owner_name"))  # type: ignore[attr-defined]


def _with_status(statement: Any) -> Any:
    """The rows' status and owner too, one tuple of columns per project."""
    return (statement.outerjoin(ProjectStatus, ProjectStatus.project_id == Project.id)
            .outerjoin(User, User.id == Project.owner_id)
            .with_only_columns(*_ROW_COLUMNS, maintain_column_froms=False))


def _order(query: DashboardQuery) -> list[Any]:
    column: Any = {"name": func.lower(Project.name), "key": Project.key,
                   "health": _HEALTH_RANK, "end_date": Project.end_date,
                   "lifecycle": Project.lifecycle, "synced_at": ProjectStatus.synced_at}[query.sort]
    return [column.desc() if query.descending else column.asc(), Project.id]


def list_projects(session: Session, principal: Principal,
                  query: DashboardQuery) -> DashboardPage:
    """One page of the projects the principal may see, with tiles: at most four queries, none
    of which reads every project (tiles from the tallies, the page by walking an index)."""
    query.check()
    tallies = _tallies(session, principal)
    total = _total_from(tallies, query) if _tallied(query) else session.exec(
        select(func.count()).select_from(_filtered(principal, query).subquery())).one()
    page_rows = session.execute(  # several columns per row: not exec(), which keeps one
        _with_status(_filtered(principal, query))
        .order_by(*_order(query)).offset((query.page - 1) * query.page_size)
        .limit(query.page_size)).all()
    by_health: dict[str, int] = {str(h): 0 for h in HEALTHS}
    by_lifecycle: dict[str, int] = {}
    for (health, lifecycle, _), n in tallies.items():
        by_lifecycle[lifecycle] = by_lifecycle.get(lifecycle, 0) + n
        if lifecycle != Lifecycle.ARCHIVED:
            by_health[health] += n
    return DashboardPage([_row(r) for r in page_rows],
                         int(total), query.page, query.page_size, by_health,
                         {k: n for k, n in by_lifecycle.items() if n})


def _row(row: Any) -> ProjectRow:
    """A page row from its columns; a project never synced has no status row (all None)."""
    return ProjectRow(
        id=row.id, name=row.name, key=row.key, client_company=row.client_company,
        lifecycle=row.lifecycle, health=row.health or HealthLevel.UNKNOWN,
        reasons=[r.text for r in (row.reasons or []) if r.level != HealthLevel.GREEN][:3],
        figures=row.figures or Figures(), owner_name=row.owner_name or "",
        start_date=row.start_date, end_date=row.end_date, synced_at=row.synced_at,
        oldest_data_at=row.oldest_data_at, tools=_tools(row.tools),
        drift_count=row.drift_count)


def _tools(column: str) -> list[Tool]:
    """The project's tools from ``projects.tools`` (``,confluence,jira,``: triggers keep it
    equal to its resources' tools, sorted), so a page needs no query over its resources. Read
    as a column of the row: a project already in the session may hold an older value."""
    return [Tool(tool) for tool in column.split(",") if tool]


def _tallies(session: Session, principal: Principal) -> dict[tuple[str, str, str], int]:
    """Visible projects per (health, lifecycle, tools). Admins see the organization's tallies, which
    triggers keep; members and viewers count their own projects, from their memberships."""
    if principal.has_role(Role.ADMIN):
        rows = session.execute(select(ProjectTally.health, ProjectTally.lifecycle,
                                      ProjectTally.tools, ProjectTally.projects)
                               .where(ProjectTally.organization_id == principal.org_id)).all()
    else:
        health, state, tools = col(Project.health), col(Project.lifecycle), col(Project.tools)
        rows = session.execute(
            select(health, state, tools, func.count())
            .join(ProjectMember, col(ProjectMember.project_id) == col(Project.id))
            .where(ProjectMember.user_id == principal.user_id,
                   Project.organization_id == principal.org_id)
            .group_by(health, state, tools)).all()
    return {(str(h), str(s), t): int(n) for h, s, t, n in rows}


def _tallied(query: DashboardQuery) -> bool:
    """Whether the tallies alone answer the page's total (no search, owner or drift filter)."""
    return not (query.q.strip() or query.owner or query.drifted)


def _total_from(tallies: dict[tuple[str, str, str], int], query: DashboardQuery) -> int:
    return sum(n for (health, lifecycle, tools), n in tallies.items()
               if (lifecycle == query.lifecycle if query.lifecycle
                   else lifecycle != Lifecycle.ARCHIVED)
               and (not query.health or health == query.health)
               and (not query.tool or f",{query.tool}," in tools))


def export_csv(session: Session, principal: Principal, query: DashboardQuery) -> str:
    """The current view (every page) as CSV, for spreadsheets."""
    query.check()
    rows = session.execute(_with_status(_filtered(principal, query))
                           .order_by(*_order(query))).all()
    header = ["key", "name", "client", "lifecycle", "health", "owner", "start", "end",
              "synced_at", "reasons"]
    views = (_row(row) for row in rows)
    return csv_text(header, ([row.key, row.name, row.client_company, row.lifecycle.value,
                              row.health.value, row.owner_name, str(row.start_date or ""),
                              str(row.end_date or ""),
                              row.synced_at.isoformat() if row.synced_at else "",
                              " | ".join(row.reasons)] for row in views))
