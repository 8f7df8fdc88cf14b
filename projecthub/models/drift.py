"""Where a tool no longer matches what ProjectHub says about a project: one row per resource,
field and subject (a person for members), kept while the difference lasts."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import StrEnumType, created_field, id_field


class DriftField(enum.StrEnum):
    NAME = "name"
    MEMBER = "member"
    DELETED = "deleted"
    ARCHIVED = "archived"


class ProjectDrift(SQLModel, table=True):
    """``desired`` is ProjectHub's value, ``actual`` the tool's ("" = absent); ``since`` is when
    the sync first saw this difference, so a lasting one keeps its age across syncs."""

    __tablename__ = "project_drift"
    __table_args__ = (UniqueConstraint("resource_id", "field", "subject"),
                      Index("ix_project_drift_project", "project_id", "since"))

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    resource_id: uuid.UUID = Field(foreign_key="project_resources.id", ondelete="CASCADE")
    tool: str = Field(max_length=20)
    field: DriftField = Field(sa_type=StrEnumType(DriftField, 20))
    subject: str = Field(default="", max_length=320)
    desired: str = Field(default="", max_length=300)
    actual: str = Field(default="", max_length=300)
    # The "make it match" run under way, if any (the row goes when a sync sees the match).
    run_id: uuid.UUID | None = Field(default=None, foreign_key="provisioning_runs.id",
                                     ondelete="SET NULL")
    since: datetime = created_field()
    seen_at: datetime = created_field()
