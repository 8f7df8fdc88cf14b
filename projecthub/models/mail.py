"""Outgoing mail and the single-use links some messages carry.

Mail is queued in the caller's transaction (an outbox), so a message exists only if the action
that wrote it committed; a background sender delivers it later and blanks the body once sent.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from projecthub.models.base import UTCDateTime, created_field, id_field, time_field


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """One message to one address. Bodies may hold a link's secret, so they are blanked after
    delivery (or permanent failure) and never shown outside development."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_due", "status", "next_attempt_at"),)

    id: uuid.UUID = id_field()
    to_address: str = Field(max_length=320, index=True)
    subject: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    body_text: str = Field(default="", sa_type=Text)
    body_html: str = Field(default="", sa_type=Text)
    status: MailStatus = Field(default=MailStatus.PENDING, sa_type=String(20))
    attempts: int = 0
    next_attempt_at: datetime = created_field()
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = created_field()
    sent_at: datetime | None = time_field()


class LinkPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    VERIFY_EMAIL = "verify_email"
    EMAIL_CHANGE = "email_change"


class AccountLink(SQLModel, table=True):
    """A single-use, expiring link sent by mail; only the SHA-256 of its token is stored, with
    the account's address when it was issued, so a link stops working if that address changes."""

    __tablename__ = "account_links"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    purpose: LinkPurpose = Field(sa_type=String(20))
    email: str = Field(max_length=320)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # An email change: the address the link was sent to, which becomes the account's.
    new_email: str | None = Field(default=None, max_length=320)
    # Sign-up through an invitation: joined once the address is confirmed (the id, not its link).
    invitation_id: uuid.UUID | None = Field(
        default=None, foreign_key="invitations.id", ondelete="SET NULL")
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = time_field()


class ThrottleHit(SQLModel, table=True):
    """One mail-sending request, counted per bucket and key (an address or an IP, hashed so
    neither is kept in clear) to rate-limit across every worker."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_bucket_key_at", "bucket", "key_hash", "at"),)

    id: uuid.UUID = id_field()
    bucket: str = Field(max_length=40)
    key_hash: str = Field(max_length=64)
    at: datetime = created_field()
