"""Notifications: what happened, for whom, and how each person wants to hear about it.

An event becomes one ``Notification`` per recipient (the bell: read or unread) and one
``NotificationDelivery`` per outgoing message (a mail to a person, or one Teams channel post for
the event), delivered later by ``services.notifications.delivery.deliver_pending``. Deliveries
carry a coalescing key: a second change with the same key before the first is sent replaces it,
so a flapping health becomes one message (docs/architecture.md §14)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import UTCDateTime, created_field, id_field, time_field


class NotificationEvent(enum.StrEnum):
    HEALTH_CHANGED = "health_changed"
    RUN_FAILED = "run_failed"
    RUN_NEEDS_DECISION = "run_needs_decision"
    # An approver rejected a run the person started (its own choice: no failure happened).
    RUN_REJECTED = "run_rejected"
    RUN_SUCCEEDED = "run_succeeded"
    CONNECTION_FAILING = "connection_failing"
    DRIFT_DETECTED = "drift_detected"
    INVITATION_ACCEPTED = "invitation_accepted"


class NotificationChannel(enum.StrEnum):
    EMAIL = "email"
    TEAMS = "teams"


class DeliveryMode(enum.StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Notification(SQLModel, table=True):
    """One event as one person's bell shows it; ``link`` is the app path that explains it."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_org_created", "user_id", "organization_id", "created_at"),
        Index("ix_notifications_coalesce", "user_id", "coalesce_key"),
    )

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    event: NotificationEvent = Field(sa_type=String(30))
    project_id: uuid.UUID | None = Field(
        default=None, foreign_key="projects.id", ondelete="CASCADE")
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    link: str = Field(default="", max_length=500)
    coalesce_key: str = Field(default="", max_length=120)
    # What the coalesced change started from (e.g. the health before the first flap).
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
    read_at: datetime | None = time_field()


class NotificationDelivery(SQLModel, table=True):
    """One outgoing message: a mail to ``user_id``, or (``user_id`` empty) one Teams post for
    the event into the project's channel or the organization's alert channel."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (Index("ix_notification_deliveries_due", "status", "due_at"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    channel: NotificationChannel = Field(sa_type=String(10))
    mode: DeliveryMode = Field(sa_type=String(10))
    event: NotificationEvent = Field(sa_type=String(30))
    project_id: uuid.UUID | None = Field(
        default=None, foreign_key="projects.id", ondelete="CASCADE")
    coalesce_key: str = Field(default="", max_length=120, index=True)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    link: str = Field(default="", max_length=500)
    reason: str = Field(default="", max_length=300)
    status: DeliveryStatus = Field(default=DeliveryStatus.PENDING, sa_type=String(10))
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = created_field()
    sent_at: datetime | None = time_field()


class NotificationPreference(SQLModel, table=True):
    """A person's own choice for one event and channel, over their organization's default."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event", "channel"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    event: NotificationEvent = Field(sa_type=String(30))
    channel: NotificationChannel = Field(sa_type=String(10))
    mode: DeliveryMode = Field(sa_type=String(10))


class NotificationDefault(SQLModel, table=True):
    """An organization's default for one event and channel (admins set it)."""

    __tablename__ = "notification_defaults"
    __table_args__ = (UniqueConstraint("organization_id", "event", "channel"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    event: NotificationEvent = Field(sa_type=String(30))
    channel: NotificationChannel = Field(sa_type=String(10))
    mode: DeliveryMode = Field(sa_type=String(10))
