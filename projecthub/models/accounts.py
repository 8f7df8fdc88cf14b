"""People, their browser sessions and their API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from projecthub.models.base import UTCDateTime, created_field, id_field, time_field


class User(SQLModel, table=True):
    """A person. ``password_hash`` never leaves the service layer."""

    __tablename__ = "users"

    id: uuid.UUID = id_field()
    email: str = Field(max_length=320, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    is_instance_admin: bool = False
    is_active: bool = True
    last_login_at: datetime | None = time_field()
    # Set when the person proved they read this address (a verification or reset link).
    email_verified_at: datetime | None = time_field()
    created_at: datetime = created_field()


class AuthSession(SQLModel, table=True):
    """A browser session; only the SHA-256 of its token is stored."""

    __tablename__ = "auth_sessions"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    current_org_id: uuid.UUID | None = Field(
        default=None, foreign_key="organizations.id", ondelete="SET NULL")
    user_agent: str = Field(default="", max_length=300)
    # The Entra directory a "Sign in with Microsoft" session came from; None for a password.
    microsoft_tenant_id: str | None = Field(default=None, max_length=36)
    created_at: datetime = created_field()
    last_seen_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ApiToken(SQLModel, table=True):
    """A bearer token for the REST API, acting as one user within one organization."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    hint: str = Field(max_length=12)
    # A read-only token may only make GET requests (reports, CI checks, dashboards).
    read_only: bool = False
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = time_field()
    revoked_at: datetime | None = time_field()


class LoginThrottle(SQLModel, table=True):
    """Failed-login counters keyed by a hashed email, a client address or ``global``; keyed by
    address rather than by account, so an unknown email is throttled exactly like a known one."""

    __tablename__ = "login_throttles"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = 0
    last_failure_at: datetime | None = time_field()
    blocked_until: datetime | None = time_field()
