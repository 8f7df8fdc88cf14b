"""What the tools said about a project: one snapshot per resource, a per-project roll-up the
dashboard reads in one join, and a daily history for charts. Their JSON columns hold the typed
payloads of ``models.status_data``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import StrEnumType, id_field, time_field
from projecthub.models.connections import Tool
from projecthub.models.status_data import (
    Figures,
    FiguresJSON,
    HealthLevel,
    MaybeSummary,
    Reason,
    ReasonsJSON,
    SummaryJSON,
)


class StatusSnapshot(SQLModel, table=True):
    """The latest summary of one resource. ``data`` keeps the last good values when a fetch
    fails; ``error`` then says why they are stale."""

    __tablename__ = "status_snapshots"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    resource_id: uuid.UUID = Field(foreign_key="project_resources.id", ondelete="CASCADE",
                                   unique=True)
    tool: Tool = Field(sa_type=StrEnumType(Tool, 20))
    kind: str = Field(max_length=40)
    data: MaybeSummary = Field(default=None, sa_column=Column(SummaryJSON(), nullable=False))
    fetched_at: datetime | None = time_field()
    attempted_at: datetime | None = time_field()
    error: str = Field(default="", max_length=1000)
    # What made the last good fetch: "sync" (the schedule or Refresh) or "webhook" (the tool
    # told us of a change), so the page can say a figure came from a webhook.
    refreshed_by: str = Field(default="sync", max_length=20,
                              sa_column_kwargs={"server_default": "sync"})


class ProjectStatus(SQLModel, table=True):
    """One row per project: health, its reasons and the key figures, so a dashboard page is a
    fixed number of queries whatever the number of projects."""

    __tablename__ = "project_status"
    __table_args__ = (Index("ix_project_status_org_health", "organization_id", "health"),
                      Index("ix_project_status_due", "synced_at"))

    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE",
                                  primary_key=True)
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    health: HealthLevel = Field(default=HealthLevel.UNKNOWN,
                                sa_type=StrEnumType(HealthLevel, 10))
    reasons: list[Reason] = Field(default_factory=list,
                                  sa_column=Column(ReasonsJSON(), nullable=False))
    figures: Figures = Field(default_factory=Figures,
                             sa_column=Column(FiguresJSON(), nullable=False))
    synced_at: datetime | None = time_field()
    # The last sync that read every resource (tools with a change query are read again only
    # when they report a change, or when this is older than the full-pass interval).
    full_synced_at: datetime | None = time_field()
    oldest_data_at: datetime | None = time_field()
    lease_owner: str = Field(default="", max_length=80)
    lease_until: datetime | None = time_field()


class SyncCursor(SQLModel, table=True):
    """How far the status sync has read one connection's changes: every change made before
    ``checked_at`` (less the sync's overlap) is in the snapshots (docs/architecture.md §5).
    ``change_token`` is where a tool with its own cursor asks from next time (Graph's delta
    link: a state token, no credential)."""

    __tablename__ = "sync_cursors"

    connection_id: uuid.UUID = Field(foreign_key="tool_connections.id", ondelete="CASCADE",
                                     primary_key=True)
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    tool: Tool = Field(sa_type=StrEnumType(Tool, 20))
    checked_at: datetime = time_field(nullable=False)
    change_token: str | None = Field(default=None, sa_type=Text)


class StatusHistory(SQLModel, table=True):
    """The day's last figures per project, for charts."""

    __tablename__ = "status_history"
    __table_args__ = (UniqueConstraint("project_id", "day"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    day: date
    figures: Figures = Field(default_factory=Figures,
                             sa_column=Column(FiguresJSON(), nullable=False))
