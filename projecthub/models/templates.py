"""Templates (questionnaire + plan) with immutable versions, and wizard drafts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field, id_field, time_field


class Template(SQLModel, table=True):
    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("organization_id", "slug"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    slug: str = Field(max_length=60)
    name: str = Field(max_length=120)
    description: str = Field(default="", max_length=1000)
    is_builtin: bool = False
    current_version: int = 1
    retired_at: datetime | None = time_field()
    created_at: datetime = created_field()


class TemplateVersion(SQLModel, table=True):
    """A frozen definition; projects point at the version they were made from."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "version"),)

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    template_id: uuid.UUID = Field(foreign_key="templates.id", ondelete="CASCADE", index=True)
    version: int
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source: str = Field(default="", max_length=100_000)
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = created_field()


class WizardDraft(SQLModel, table=True):
    """Answers saved as a person goes, so closing the tab or logging out loses nothing."""

    __tablename__ = "wizard_drafts"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = Field(
        foreign_key="organizations.id", ondelete="CASCADE", index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    template_version_id: uuid.UUID = Field(
        foreign_key="template_versions.id", ondelete="CASCADE")
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    step: str = Field(default="", max_length=60)
    created_at: datetime = created_field()
    updated_at: datetime = created_field()
