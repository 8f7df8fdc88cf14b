"""Projects of an organization. The wizard and status issues extend this table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field, id_field


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    key: str = Field(max_length=10)
    created_at: datetime = created_field()
