"""Provisioning runs and their steps: the ledger that makes runs resumable and idempotent."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field, id_field, time_field


class RunStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # The template asks for approval first (services/provisioning/approvals.py): no worker
    # claims these; approval makes the run PENDING, rejection ends it here with no step run.
    AWAITING_APPROVAL = "awaiting_approval"
    REJECTED = "rejected"


class StepStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class RunKind(enum.StrEnum):
    """What a run does: set a project up in its tools, or carry a lifecycle change to them
    (archive, restore) — the same ledger, runner and run page, with other steps."""

    PROVISION = "provision"
    LIFECYCLE = "lifecycle"
    EDIT = "edit"  # name, owner or members changed (services/provisioning/editing.py)


class ProvisioningRun(SQLModel, table=True):
    __tablename__ = "provisioning_runs"
    __table_args__ = (Index("ix_runs_status_lease", "status", "lease_until"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE", index=True)
    status: RunStatus = Field(default=RunStatus.PENDING, sa_type=String(20))
    kind: RunKind = Field(default=RunKind.PROVISION, sa_type=String(20),
                          sa_column_kwargs={"server_default": RunKind.PROVISION.value})
    # A lifecycle run's target state: the project takes it when every step has succeeded.
    target: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    # An edit run's changes: what the project becomes when every step has succeeded.
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(
        JSON, nullable=False, server_default="{}"))
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL")
    # The worker driving the run holds a lease; an expired lease means the worker died.
    lease_owner: str = Field(default="", max_length=80)
    lease_until: datetime | None = time_field()
    error: str = Field(default="", max_length=2000)
    # Approval: the lowest org role that may decide ("" = none was needed), then who decided,
    # when, and why (a rejection needs a comment).
    approver_role: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    decided_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL")
    decided_at: datetime | None = time_field()
    decision_comment: str = Field(default="", max_length=2000,
                                  sa_column_kwargs={"server_default": ""})
    created_at: datetime = created_field()
    started_at: datetime | None = time_field()
    finished_at: datetime | None = time_field()


class ProvisioningStep(SQLModel, table=True):
    __tablename__ = "provisioning_steps"
    __table_args__ = (UniqueConstraint("run_id", "key"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    run_id: uuid.UUID = Field(foreign_key="provisioning_runs.id", ondelete="CASCADE", index=True)
    position: int = 0
    key: str = Field(max_length=120)
    action: str = Field(max_length=60)
    tool: str = Field(max_length=20)
    title: str = Field(default="", max_length=300)
    connection_id: uuid.UUID | None = Field(
        default=None, foreign_key="tool_connections.id", ondelete="SET NULL")
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    depends_on: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    idempotency_key: str = Field(max_length=120)
    status: StepStatus = Field(default=StepStatus.PENDING, sa_type=String(20))
    attempts: int = 0
    external_id: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=1000)
    outputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str = Field(default="", max_length=2000)
    log: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    lease_owner: str = Field(default="", max_length=80)
    lease_until: datetime | None = time_field()
    started_at: datetime | None = time_field()
    finished_at: datetime | None = time_field()
