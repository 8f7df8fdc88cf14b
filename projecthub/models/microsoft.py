"""Sign in with Microsoft: people's linked Entra ID accounts, sign-ins in progress, and each
organization's rules for Microsoft sign-in."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import UTCDateTime, created_field, id_field, time_field
from projecthub.models.orgs import Role


class MicrosoftIdentity(SQLModel, table=True):
    """A person's Entra ID account, by directory (``tid``) and object id (``oid``): what Entra
    guarantees stable and unique; an email or username can change or move between people."""

    __tablename__ = "microsoft_identities"
    __table_args__ = (UniqueConstraint("tenant_id", "object_id"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", unique=True)
    tenant_id: str = Field(max_length=36, index=True)
    object_id: str = Field(max_length=36)
    username: str = Field(max_length=320)
    linked_at: datetime = created_field()
    last_sign_in_at: datetime | None = time_field()


class MicrosoftSignIn(SQLModel, table=True):
    """A sign-in in progress, kept server-side and found by the hash of a random HttpOnly cookie
    set on this browser: first MSAL's flow (state, nonce, PKCE verifier) until Entra answers;
    then, for an existing account not linked yet, the identity waiting for its password."""

    __tablename__ = "microsoft_sign_ins"

    id: uuid.UUID = id_field()
    handle_hash: str = Field(max_length=64, unique=True)
    flow: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Where the browser goes afterwards: an allowed origin and a local path.
    return_to: str = Field(default="/dashboard", max_length=500)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    identity: dict[str, Any] = Field(default_factory=dict,
                                     sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class MicrosoftPolicy(SQLModel, table=True):
    """An organization's Microsoft sign-in rules, bound to the Entra directory its admin
    signed in from: members must sign in with Microsoft (from that directory), and people of
    that directory may join by themselves with ``join_role``. Both off until an admin says."""

    __tablename__ = "microsoft_policies"

    organization_id: uuid.UUID = Field(foreign_key="organizations.id", ondelete="CASCADE",
                                       primary_key=True)
    tenant_id: str = Field(max_length=36, index=True)
    require_microsoft: bool = False
    allow_join: bool = False
    join_role: Role = Field(default=Role.MEMBER, sa_type=String(20))
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id",
                                         ondelete="SET NULL")
    updated_at: datetime = created_field()
