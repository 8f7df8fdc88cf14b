"""Column helpers shared by every table: UUID keys, timezone-aware UTC timestamps, enums that
read back as enums and JSON that reads back as pydantic models."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import JSON, DateTime, String, TypeDecorator
from sqlmodel import Field, SQLModel

from projecthub.core.clock import as_utc, utcnow

E = TypeVar("E", bound=enum.StrEnum)

# Named constraints, so later migrations can alter them (SQLite batch mode needs the names).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns an aware datetime, on SQLite (naive) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, _dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def id_field() -> Any:
    """A UUID primary key generated in Python, so the id exists before the first flush."""
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def time_field(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class StrEnumType(TypeDecorator[E]):
    """A string column that reads back as its enum (a plain ``String`` returns bare strings)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_type: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_type = enum_type

    def process_bind_param(self, value: str | None, _dialect: Any) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: str | None, _dialect: Any) -> E | None:
        return None if value is None else self.enum_type(value)


class PydanticJSON(TypeDecorator[Any]):
    """A JSON column holding a pydantic type: validated when written, a model when read.
    Subclasses name the type in ``adapter`` and may shape the stored JSON in ``dump``."""

    impl = JSON
    cache_ok = True
    adapter: ClassVar[TypeAdapter[Any]]

    def dump(self, value: Any) -> Any:
        return self.adapter.dump_python(value, mode="json")

    def process_bind_param(self, value: Any, _dialect: Any) -> Any:
        return self.dump(self.adapter.validate_python(value))

    def process_result_value(self, value: Any, _dialect: Any) -> Any:
        # NULL only where an outer join found no row: there is nothing to read.
        return None if value is None else self.adapter.validate_python(value)
