"""Projects of an organization, their members, and the tool resources that belong to them."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from projecthub.models.base import StrEnumType, created_field, id_field
from projecthub.models.status_data import HealthLevel


class Lifecycle(enum.StrEnum):
    DRAFT = "draft"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    ARCHIVED = "archived"
    # Its first (creation) run was rejected: nothing exists in any tool; delete it or keep the
    # record of the decision (services/provisioning/decisions.reject_run).
    NOT_APPROVED = "not_approved"


class Project(SQLModel, table=True):
    """``health`` copies ``project_status.health`` and ``tools`` lists the tools of the project's
    resources (",confluence,jira,"); database triggers keep both, so one index serves the
    dashboard's filters and its order, and the tallies answer its totals."""

    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "key"),
                      Index("ix_projects_org_lifecycle", "organization_id", "lifecycle"),
                      Index("ix_projects_org_name", "organization_id", text("lower(name)"), "id"),
                      Index("ix_projects_org_end", "organization_id", "end_date", "id"),
                      Index("ix_projects_org_health_end", "organization_id", "health", "end_date",
                            "id"),
                      Index("ix_projects_org_drift", "organization_id", "drift_count"))

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    key: str = Field(max_length=10)
    description: str = Field(default="", max_length=2000)
    client_company: str = Field(default="", max_length=200)
    project_type: str = Field(default="client", max_length=20)
    start_date: date | None = None
    end_date: date | None = None
    lifecycle: Lifecycle = Field(default=Lifecycle.DRAFT, sa_type=StrEnumType(Lifecycle, 20))
    health: HealthLevel = Field(default=HealthLevel.UNKNOWN, sa_type=StrEnumType(HealthLevel, 10),
                                sa_column_kwargs={"server_default": HealthLevel.UNKNOWN.value})
    tools: str = Field(default=",", max_length=60, sa_column_kwargs={"server_default": ","})
    # Open drift records (models.drift), kept by the status sync: the dashboard's "Drifted" filter.
    drift_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    owner_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    template_version_id: uuid.UUID | None = Field(
        default=None, foreign_key="template_versions.id", ondelete="SET NULL")
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()
    updated_at: datetime = created_field()


class ProjectMember(SQLModel, table=True):
    """Who works on a project; members and viewers of the organization see only these projects."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: str = Field(default="member", max_length=20)
    created_at: datetime = created_field()


class ProjectResource(SQLModel, table=True):
    """Something in a tool that belongs to the project: created by a run, or linked."""

    __tablename__ = "project_resources"
    __table_args__ = (UniqueConstraint("project_id", "tool", "kind", "external_id"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    connection_id: uuid.UUID | None = Field(
        default=None, foreign_key="tool_connections.id", ondelete="SET NULL")
    tool: str = Field(max_length=20)
    kind: str = Field(max_length=40)
    external_id: str = Field(max_length=200)
    external_key: str = Field(default="", max_length=200)
    name: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=1000)
    origin: str = Field(default="created", max_length=20)  # created | linked | adopted
    created_at: datetime = created_field()


class ProjectTally(SQLModel, table=True):
    """How many projects an organization has per health, lifecycle and set of tools, kept by
    database triggers on ``projects`` in the same transaction as each change, so the dashboard's
    tiles and totals never count every project."""

    __tablename__ = "project_tallies"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE",
                                       primary_key=True)
    health: HealthLevel = Field(sa_type=StrEnumType(HealthLevel, 10), primary_key=True)
    lifecycle: Lifecycle = Field(sa_type=StrEnumType(Lifecycle, 20), primary_key=True)
    tools: str = Field(max_length=60, primary_key=True)
    projects: int = 0
