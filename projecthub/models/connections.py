"""An organization's connection to one of its tools. Secrets are stored only as AES-GCM
ciphertexts bound to (organization, connection, field); see ``core.crypto``."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field, id_field, time_field


class Tool(enum.StrEnum):
    JIRA = "jira"
    CONFLUENCE = "confluence"
    PRODUCTIVE = "productive"
    GRAPH = "graph"


class ToolConnection(SQLModel, table=True):
    __tablename__ = "tool_connections"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    tool: Tool = Field(sa_type=String(20))
    name: str = Field(max_length=100)
    base_url: str = Field(max_length=500)
    auth_kind: str = Field(max_length=30)
    # Non-secret, tool-specific settings: account email, Productive organization id, Entra ids.
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # field -> "v1.<key id>.<nonce+ciphertext>"; never decrypted outside services.connections.
    secrets: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # field -> {"last4": "...", "updated_at": "..."}: what a person may see of a secret.
    secret_hints: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    last_tested_at: datetime | None = time_field()
    last_test_ok: bool | None = None
    last_test_message: str = Field(default="", max_length=500)
