"""Instance settings an administrator changes at run time; the environment gives the defaults."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from projecthub.models.base import created_field


class InstanceSetting(SQLModel, table=True):
    """One setting by name (``signup``, ``signup_domains``); a missing row means the default."""

    __tablename__ = "instance_settings"

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(default="", max_length=2000)
    updated_by: uuid.UUID | None = Field(default=None, foreign_key="users.id",
                                         ondelete="SET NULL")
    updated_at: datetime = created_field()
