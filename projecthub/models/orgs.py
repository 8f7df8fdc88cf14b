"""Organizations (tenants), who belongs to them, and invitations to join."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import UTCDateTime, created_field, id_field, time_field


class Role(enum.StrEnum):
    """Ordered from most to least powerful; see ``ROLE_RANK``."""

    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


ROLE_RANK = {Role.OWNER: 4, Role.ADMIN: 3, Role.MEMBER: 2, Role.VIEWER: 1}


class OrgStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: uuid.UUID = id_field()
    name: str = Field(max_length=120)
    slug: str = Field(max_length=50, unique=True, index=True)
    status: OrgStatus = Field(default=OrgStatus.ACTIVE, sa_type=String(20))
    # Org-level preferences (status sync interval, health thresholds); defaults live in code.
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()
    # Bumped by database triggers with every change the project list can show (migration 0019):
    # the API's list cache keys on it. Never written by the application.
    data_version: int = Field(default=0, sa_type=BigInteger,
                              sa_column_kwargs={"server_default": "0"})


class Membership(SQLModel, table=True):
    """A person's role in one organization; deactivated members keep their row but lose access."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    role: Role = Field(sa_type=String(20))
    is_active: bool = True
    created_at: datetime = created_field()


class Invitation(SQLModel, table=True):
    """A single-use, expiring link to join an organization with a role."""

    __tablename__ = "invitations"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    email: str = Field(max_length=320, index=True)
    role: Role = Field(sa_type=String(20))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    invited_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    accepted_at: datetime | None = time_field()
    accepted_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL")
    revoked_at: datetime | None = time_field()
