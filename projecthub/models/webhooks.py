"""Webhooks in: one unguessable endpoint per connection, and the deliveries it accepted (kept
until their replay window has passed). docs/architecture.md §15."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field, id_field, time_field


class WebhookEndpoint(SQLModel, table=True):
    """The address token is stored only as its SHA-256 (found by it, never shown again); the
    signing secret is an AES-GCM ciphertext bound to (organization, endpoint, "secret"), as
    connection credentials are, because verifying a signature needs its plain value."""

    __tablename__ = "webhook_endpoints"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    connection_id: uuid.UUID = Field(foreign_key="tool_connections.id", ondelete="CASCADE",
                                     unique=True)
    tool: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    secret: str = Field(max_length=500)
    # "registered": ProjectHub registered it by the vendor's API; "manual": an admin pasted it.
    mode: str = Field(default="manual", max_length=20)
    external_id: str = Field(default="", max_length=200)  # the vendor's webhook/subscription id
    expires_at: datetime | None = time_field()  # Graph subscriptions expire; renewed before
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id",
                                         ondelete="SET NULL")
    created_at: datetime = created_field()
    last_delivery_at: datetime | None = time_field()


class WebhookDelivery(SQLModel, table=True):
    """An accepted delivery: its vendor id makes a replay a conflict; ``refs`` are the tool's
    resource ids it names, which the background job maps to projects."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "delivery_key"),
                      Index("ix_webhook_deliveries_expires", "expires_at"))

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    endpoint_id: uuid.UUID = Field(foreign_key="webhook_endpoints.id", ondelete="CASCADE")
    delivery_key: str = Field(max_length=200)
    event: str = Field(default="", max_length=100)
    refs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    received_at: datetime = created_field()
    expires_at: datetime = created_field()
    handled_at: datetime | None = time_field()


__all__ = ["WebhookDelivery", "WebhookEndpoint"]
